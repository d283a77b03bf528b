// Deliberately wrong pool rules, for proving that the checks can fail.
// Test code only: the real rules live in allocator/pool_rules.h, and each
// variant here changes exactly one decision.
#pragma once

#include <cstddef>
#include <cstdint>

#include "allocator/pool_allocator.h"
#include "allocator/pool_rules.h"

namespace poolcheck::broken {

// The allocator's own assertions would stop a wrong variant first; the point
// here is to show that the checker catches it.
struct Unchecked : NodePoolRules {
  static constexpr bool kAssertInvariants = false;
};

// Starts a new pool when the request would fill the pool exactly.
struct OffByOneRoom : Unchecked {
  static constexpr bool needs_new_pool(std::size_t capacity, std::size_t offset, std::size_t reserve) {
    return offset + reserve >= capacity;
  }
};

// Pools requests of exactly half the pool size.
struct ThresholdInclusive : Unchecked {
  static constexpr bool is_unpooled(std::size_t reserve, std::size_t threshold) { return reserve > threshold; }
};

// Computes capacity - offset unsigned: past the end it wraps to a huge room.
struct UnsignedRoom : Unchecked {
  static constexpr bool needs_new_pool(std::size_t capacity, std::size_t offset, std::size_t reserve) {
    return reserve > capacity - offset;
  }
};

// Forgets to round the offset up.
struct NoAlignment : Unchecked {
  static constexpr std::size_t next_offset(std::size_t offset, std::size_t kept, std::size_t) {
    return offset + kept;
  }
};

// Rounds the offset one alignment unit too far (wastes memory, and puts
// every later buffer somewhere Node would not).
struct OverRounding : Unchecked {
  static constexpr std::size_t next_offset(std::size_t offset, std::size_t kept, std::size_t alignment) {
    return round_up(offset + kept + 1, alignment);
  }
};

// Recycles a pool while one buffer still refers to it.
struct RecycleTooEarly : Unchecked {
  static constexpr bool is_dead(std::uint32_t refs) { return refs <= 1; }
};

// Statistics forget tail waste.
struct NoTailWaste : Unchecked {
  static constexpr std::size_t tail_waste(std::size_t, std::size_t) { return 0; }
};

using OffByOneRoomAllocator = BasicPoolAllocator<OffByOneRoom>;
using ThresholdInclusiveAllocator = BasicPoolAllocator<ThresholdInclusive>;
using UnsignedRoomAllocator = BasicPoolAllocator<UnsignedRoom>;
using NoAlignmentAllocator = BasicPoolAllocator<NoAlignment>;
using OverRoundingAllocator = BasicPoolAllocator<OverRounding>;
using RecycleTooEarlyAllocator = BasicPoolAllocator<RecycleTooEarly>;
using NoTailWasteAllocator = BasicPoolAllocator<NoTailWaste>;

}  // namespace poolcheck::broken
