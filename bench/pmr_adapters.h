// The standard library's answers: a pool resource, and a monotonic arena over
// an upstream buffer. Both sit on a counting upstream (new/delete, so glibc).
//
// A memory_resource cannot shrink a block, so Buffer.from(string) keeps its
// whole reservation here; the fragmentation ratio shows what that costs.
#pragma once

#include <cstddef>
#include <memory_resource>
#include <span>
#include <vector>

#include "bench/block.h"
#include "bench/counting_resource.h"

namespace poolcheck::bench {

// Shared by both: allocate, hand the reservation to the writer, keep it all.
template <class Derived>
class ResourceAdapter {
 public:
  using Handle = Block;

  Handle allocate(std::size_t n) { return {self().take(n), n}; }
  template <class Writer>
  Handle allocate_with(std::size_t reserve, Writer&& writer) {
    std::byte* data = self().take(reserve);
    writer(std::span<std::byte>(data, reserve));
    return {data, reserve};
  }
  static std::byte* data(const Handle& block) { return block.data; }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

// std::pmr::unsynchronized_pool_resource with its default options.
class PmrPoolAdapter : public ResourceAdapter<PmrPoolAdapter> {
 public:
  std::byte* take(std::size_t n) {
    return static_cast<std::byte*>(pool_.allocate(n, kBufferAlignment));
  }
  void release(Handle& block) {
    pool_.deallocate(block.data, block.size, kBufferAlignment);
    block = {};
  }
  std::size_t held() const { return upstream_.held(); }

 private:
  CountingResource upstream_;
  std::pmr::unsynchronized_pool_resource pool_{&upstream_};
};

// std::pmr::monotonic_buffer_resource over a 64 KiB upstream buffer (one
// fixed64 batch fits), growing from the counting upstream beyond it.
// Deallocation is a no-op for a monotonic arena, so the adapter counts live
// buffers and calls release() when the last one goes, as a server does at the
// end of a request.
class PmrMonotonicAdapter : public ResourceAdapter<PmrMonotonicAdapter> {
 public:
  static constexpr std::size_t kInitialBytes = 64 * 1024;

  std::byte* take(std::size_t n) {
    ++live_;
    return static_cast<std::byte*>(arena_.allocate(n, kBufferAlignment));
  }
  void release(Handle& block) {
    block = {};
    if (--live_ == 0) arena_.release();
  }
  std::size_t held() const { return upstream_.held(); }

 private:
  CountingResource upstream_;
  std::pmr::vector<std::byte> initial_{kInitialBytes, &upstream_};  // touched once, here
  std::pmr::monotonic_buffer_resource arena_{initial_.data(), initial_.size(), &upstream_};
  std::size_t live_ = 0;
};

}  // namespace poolcheck::bench
