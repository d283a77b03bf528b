// Deliberately wrong per-request alignment (Buffer.allocUnsafe(size,
// alignment), allocUnsafeSlow, the 64-byte pool base; docs/SPEC.md). Test
// code only, like broken_rules.h; each variant gets one decision wrong.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <map>
#include <memory_resource>

#include "allocator/pool_allocator.h"
#include "model/testing/on_resource.h"
#include "model/testing/broken_rules.h"

namespace poolcheck::broken {

// Checks the room at the unrounded offset, then rounds: a request that the
// padding pushes over the end is placed past the pool's end.
struct PadAfterRoomCheck : Unchecked {
  static constexpr std::size_t room_check_offset(std::size_t offset, std::size_t) { return offset; }
};

// Pools a request whose alignment is above 64 (only the size decides).
struct AlignedAbove64Pooled : Unchecked {
  static constexpr bool is_unpooled_aligned(std::size_t n, std::size_t, std::size_t threshold) {
    return n >= threshold;
  }
};

// Asks upstream for pool memory aligned to 16 only, as before Node v26.8.
struct SixteenBytePoolBase : Unchecked {
  static constexpr std::size_t pool_alignment(std::size_t alignment) { return alignment > 16 ? alignment : 16; }
};

// An upstream that honours the alignment it is asked for and no more, the
// way a general-purpose malloc may: anything asked below 64 comes back 16
// bytes past a 64-byte boundary. So a wrong pool alignment shows on every
// run, not only when the system allocator happens to return less.
class SixteenPastSixtyFourResource : public std::pmr::memory_resource {
 public:
  explicit SixteenPastSixtyFourResource(std::pmr::memory_resource* upstream) : upstream_(upstream) {}

 private:
  static constexpr std::size_t kSkew = 16, kBoundary = 64;
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    if (alignment >= kBoundary) return upstream_->allocate(bytes, alignment);
    auto* block = static_cast<std::byte*>(upstream_->allocate(bytes + kBoundary, kBoundary));
    skewed_[block + kSkew] = block;
    return block + kSkew;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    if (alignment >= kBoundary) return upstream_->deallocate(p, bytes, alignment);
    auto it = skewed_.find(static_cast<std::byte*>(p));
    upstream_->deallocate(it->second, bytes + kBoundary, kBoundary);
    skewed_.erase(it);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  std::pmr::memory_resource* upstream_;
  std::map<std::byte*, std::byte*> skewed_;
};

// `Allocator` on the skewed upstream.
template <class Allocator>
using OnSkewedUpstream = OnResource<SixteenPastSixtyFourResource, Allocator>;

// Buffer.allocUnsafeSlow served from the pool, like allocUnsafe.
class SlowPooled : public BasicPoolAllocator<Unchecked> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) { return allocate(n, alignment); }
};

// Drops allocUnsafeSlow's alignment argument.
class SlowAlignmentDropped : public BasicPoolAllocator<Unchecked> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  Buffer allocate_slow(std::size_t n, std::size_t = 1) { return BasicPoolAllocator::allocate_slow(n, 1); }
};

// Takes an alignment that is not a power of two (up to 2^30) as the next
// power of two instead of refusing it: Buffer.allocUnsafe(8, 3) would throw.
class BadAlignmentRoundedUp : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  using BasicPoolAllocator::allocate;
  Buffer allocate(std::size_t n, std::size_t alignment) { return BasicPoolAllocator::allocate(n, rounded(alignment)); }
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) {
    return BasicPoolAllocator::allocate_slow(n, rounded(alignment));
  }

 private:
  static std::size_t rounded(std::size_t alignment) {
    return alignment <= (std::size_t{1} << 30) ? std::bit_ceil(alignment | 1) : alignment;
  }
};

using SixteenBytePoolBaseAllocator = OnSkewedUpstream<BasicPoolAllocator<SixteenBytePoolBase>>;

// The same bug, but it reports the pool alignment the spec asks for: the
// settings check cannot see it, only the addresses it hands out can.
class SixteenBytePoolBaseHiddenAllocator : public SixteenBytePoolBaseAllocator {
 public:
  using SixteenBytePoolBaseAllocator::SixteenBytePoolBaseAllocator;
  std::size_t pool_alignment() const { return std::max(kPoolBaseAlignment, alignment()); }
};
using SlowAlignmentDroppedAllocator = OnSkewedUpstream<SlowAlignmentDropped>;
using PadAfterRoomCheckAllocator = BasicPoolAllocator<PadAfterRoomCheck>;
using AlignedAbove64PooledAllocator = BasicPoolAllocator<AlignedAbove64Pooled>;
using SlowPooledAllocator = SlowPooled;
using BadAlignmentRoundedUpAllocator = BadAlignmentRoundedUp;

}  // namespace poolcheck::broken
