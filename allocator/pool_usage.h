// A pool's usage word: how many live handles point into the pool, and their
// bytes, in one 64-bit counter, so that a pooled allocate or release updates
// both with one add or subtract on a word the fast path touches anyway.
//
//   usage = live handles * kRefUnit + their bytes
//
// Bytes are at most the pool's capacity (<= kMaxPoolSize = 2^30), so they
// never carry into the count; a pool holds at most 2^32 - 1 handles.
#pragma once

#include <cstdint>

#include "allocator/pool_types.h"

namespace poolcheck {

inline constexpr std::uint64_t kRefUnit = std::uint64_t{1} << 32;
inline constexpr std::uint64_t kUsageBytesMask = kRefUnit - 1;

constexpr std::uint32_t refs_of(std::uint64_t usage) { return static_cast<std::uint32_t>(usage >> 32); }
constexpr std::uint64_t bytes_of(std::uint64_t usage) { return usage & kUsageBytesMask; }

// The usage of the allocator's stand-in pool, which unpooled and empty
// buffers point to. Any release subtracts kRefUnit and at most 2^30 bytes,
// which leaves 0 handles: it reads as the pool's death, so those releases
// take the rare path through the fast path's one branch, and the rare path
// puts this value back.
inline constexpr std::uint64_t kStandInUsage = kRefUnit + (kRefUnit >> 1);
static_assert(kMaxRequest < (kRefUnit >> 1) && kMaxPoolSize < kRefUnit);
static_assert(refs_of(kStandInUsage - kRefUnit - kMaxRequest) == 0 && refs_of(kStandInUsage - kRefUnit) == 0);

}  // namespace poolcheck
