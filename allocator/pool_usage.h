// A pool's usage: how many live handles point into the pool, and their
// bytes, as two 32-bit counters side by side, so that a pooled release is a
// subtract of its bytes and a decrement that sets the flags the death test
// reads (no constant to build, no value to shift).
//
// Bytes are at most the pool's capacity (<= kMaxPoolSize = 2^30), and a pool
// holds at most 2^32 - 1 handles. The arithmetic is modulo 2^32 in each
// counter, so a usage may be kept as two parts whose sum is the truth (the
// current pool's: allocator/pool_allocator.h, Pool::usage), each part free to
// wrap.
#pragma once

#include <cstdint>

#include "allocator/pool_types.h"

namespace poolcheck {

struct PoolUsage {
  std::uint32_t handles = 0;
  std::uint32_t bytes = 0;

  constexpr PoolUsage operator+(const PoolUsage& other) const {
    return {static_cast<std::uint32_t>(handles + other.handles), static_cast<std::uint32_t>(bytes + other.bytes)};
  }
  bool operator==(const PoolUsage&) const = default;
};
static_assert(kMaxPoolSize <= UINT32_MAX && kMaxRequest <= UINT32_MAX);

// The usage of the allocator's stand-in pool, which unpooled and empty
// buffers point to: one handle, so that any release through it leaves none
// and reads as the pool's death. Those releases take the rare path through
// the fast path's one test, and the rare path puts this value back.
inline constexpr PoolUsage kStandInUsage{1, 0};

}  // namespace poolcheck
