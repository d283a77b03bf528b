// Vocabulary shared by the allocator and the reference model: limits,
// settings, where a buffer was placed, and the statistics both must agree on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>

namespace poolcheck {

// Largest accepted `pool_size` setting (Node accepts any number; we bound it
// so that a typo cannot reserve terabytes).
inline constexpr std::size_t kMaxPoolSize = std::size_t{1} << 30;
// Largest single request (allocate(n) or the reserve of allocate_with).
// Larger requests throw std::length_error and change nothing.
inline constexpr std::size_t kMaxRequest = std::size_t{1} << 30;
// Largest supported alignment; must be a power of two.
inline constexpr std::size_t kMaxAlignment = 4096;

// Largest `cache_limit` setting: the allocator reserves room for that many
// cached pools up front, so that retiring a pool never allocates.
inline constexpr std::size_t kMaxCacheLimit = 1'000'000;

inline constexpr std::size_t kDefaultPoolSize = 8192;  // Node's Buffer.poolSize
inline constexpr std::size_t kDefaultAlignment = 8;    // Node's alignPool()
inline constexpr std::size_t kDefaultCacheLimit = 512;  // dead pools kept for reuse, at most
// Every kCacheWindow pool starts, the dead pools that sat in the cache through
// all of them (the cache's low-water mark) go back upstream: the cache follows
// a burst, and gives back what a quieter program no longer takes.
inline constexpr std::size_t kCacheWindow = 512;

constexpr bool is_power_of_two(std::size_t x) { return x != 0 && (x & (x - 1)) == 0; }
constexpr std::size_t round_up(std::size_t x, std::size_t alignment) {
  return (x + alignment - 1) & ~(alignment - 1);
}

struct PoolOptions {
  std::size_t pool_size = kDefaultPoolSize;
  std::size_t alignment = kDefaultAlignment;
  // How many dead pools are kept for reuse instead of going back upstream.
  std::size_t cache_limit = kDefaultCacheLimit;
  // Where pools and unpooled blocks come from. Tests pass a resource that
  // records blocks or fails on demand.
  std::pmr::memory_resource* upstream = std::pmr::new_delete_resource();
  bool operator==(const PoolOptions&) const = default;
};

// The same options on another upstream (checkers and tests put a recording
// or failing resource in between).
inline PoolOptions on_upstream(PoolOptions options, std::pmr::memory_resource* upstream) {
  options.upstream = upstream;
  return options;
}

// Where a buffer lives. Unpooled and empty buffers have pool == 0 and
// offset == 0; only `pooled` tells them apart from a pooled buffer in pool 0.
struct Placement {
  bool pooled = false;
  std::uint64_t pool = 0;
  std::size_t offset = 0;
  std::size_t length = 0;
  bool operator==(const Placement&) const = default;
};

// Gauges describe the present; counters only ever grow. (The allocator sums
// live_buffers and bytes_in_use over its pools when asked, so that the fast
// paths update one word: allocator/pool_usage.h.)
struct PoolStats {
  // gauges
  std::uint64_t live_buffers = 0;    // handles not yet released, empty ones included
  std::uint64_t live_pools = 0;      // current pool + pools some buffer refers to
  std::uint64_t bytes_in_use = 0;    // sum of their lengths, pooled and unpooled
  std::uint64_t pool_bytes = 0;      // sum of the capacities of live pools
  std::uint64_t unpooled_bytes = 0;  // sum of the lengths of live unpooled buffers
  std::uint64_t cached_pools = 0;    // dead pools waiting for reuse
  // counters
  std::uint64_t padding_bytes = 0;     // bytes skipped by rounding the offset, inside pools
  std::uint64_t tail_waste_bytes = 0;  // room left in pools abandoned for a new one
  std::uint64_t pools_created = 0;     // pools whose memory came from upstream
  std::uint64_t pools_reused = 0;      // pools whose memory came from a dead pool
  bool operator==(const PoolStats&) const = default;
};

}  // namespace poolcheck
