// Deliberately wrong allocators, each aimed at one check that no other
// variant showed firing on its own: alignment, failure, failure atomicity,
// settings, handle and upstream (model/checks/checks_fire_test.cc). Test
// code only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory_resource>
#include <new>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/testing/on_resource.h"

namespace poolcheck::aimed {

// Hands out every block 8 bytes past an address with the requested
// alignment, inside a block of its own that is large enough: bounds hold,
// alignment does not (for alignments of 16 and more).
class MisaligningResource : public std::pmr::memory_resource {
 public:
  explicit MisaligningResource(std::pmr::memory_resource* upstream) : upstream_(upstream) {}

 private:
  static constexpr std::size_t kShift = 8;
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    return static_cast<std::byte*>(upstream_->allocate(bytes + alignment, alignment)) + kShift;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    upstream_->deallocate(static_cast<std::byte*>(p) - kShift, bytes + alignment, alignment);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  std::pmr::memory_resource* upstream_;
};

using MisalignedMemoryAllocator = broken::OnResource<MisaligningResource>;

// Gives every block back upstream with twice the alignment it asked for
// (a wrong remembered alignment, as the mutants of the over-aligned list in
// pool_lifecycle.h make): std::pmr's deallocate contract is broken, nothing
// else is.
class WrongReturnResource : public std::pmr::memory_resource {
 public:
  explicit WrongReturnResource(std::pmr::memory_resource* upstream) : upstream_(upstream) {}

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override { return upstream_->allocate(bytes, alignment); }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    upstream_->deallocate(p, bytes, alignment * 2);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  std::pmr::memory_resource* upstream_;
};

using WrongReturnAlignmentAllocator = broken::OnResource<WrongReturnResource>;

// allocate_with loses what the writer wrote: the kept bytes are zeroed
// once the writer returns (as if write_unpooled's copy were dropped).
class DropsTheWrittenBytesAllocator : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  template <class Writer>
  Buffer allocate_with(std::size_t reserve, Writer&& writer) {
    return BasicPoolAllocator::allocate_with(reserve, [&](std::span<std::byte> span) {
      const std::size_t kept = writer(span);
      std::fill_n(span.data(), std::min(kept, span.size()), std::byte{0});
      return kept;
    });
  }
};

// Rejects the largest valid request, kMaxRequest itself (the mutant
// `n > kMaxRequest` -> `n >= kMaxRequest`, written by hand).
class RejectsTheLargestRequestAllocator : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  using BasicPoolAllocator::allocate;  // the aligned overload, unchanged
  Buffer allocate(std::size_t n) {
    if (n == kMaxRequest) throw std::length_error("request of kMaxRequest rejected");
    return BasicPoolAllocator::allocate(n);
  }
};

// When a request fails (std::length_error, or std::bad_alloc from
// upstream), keeps an empty buffer it made on the way: the exception
// reaches the caller, but live_buffers has moved.
class KeepsABufferWhenItThrowsAllocator : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  using BasicPoolAllocator::allocate;  // the aligned overload, unchanged
  Buffer allocate(std::size_t n) {
    try {
      return BasicPoolAllocator::allocate(n);
    } catch (...) {
      kept_.push_back(BasicPoolAllocator::allocate(0));
      throw;
    }
  }

 private:
  std::vector<Buffer> kept_;  // destroyed before the allocator: released in time
};

// Reports one cached pool more than it keeps.
class MisreportsTheCacheLimitAllocator : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  std::size_t cache_limit() const { return BasicPoolAllocator::cache_limit() + 1; }
};

// Handles that still report their length once released or moved from.
class StaleHandleAllocator : public BasicPoolAllocator<> {
  using Base = BasicPoolAllocator<>;

 public:
  using Base::Base;
  class Buffer : public Base::Buffer {
   public:
    Buffer() = default;
    explicit Buffer(Base::Buffer&& inner) : Base::Buffer(std::move(inner)), length_(Base::Buffer::size()) {}
    std::size_t size() const { return length_; }

   private:
    std::size_t length_ = 0;  // copied, never cleared
  };
  Buffer allocate(std::size_t n) { return Buffer(Base::allocate(n)); }
  Buffer allocate(std::size_t n, std::size_t alignment) { return Buffer(Base::allocate(n, alignment)); }
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) {
    return Buffer(Base::allocate_slow(n, alignment));
  }
  template <class Writer>
  Buffer allocate_with(std::size_t reserve, Writer&& writer) {
    return Buffer(Base::allocate_with(reserve, std::forward<Writer>(writer)));
  }
};

}  // namespace poolcheck::aimed
