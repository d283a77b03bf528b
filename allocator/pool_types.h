// Vocabulary shared by the allocator and the reference model: settings, where a
// buffer was placed, the statistics; and the allocator's own limits (not the model's).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>

namespace poolcheck {

// Largest accepted `pool_size` setting (Node accepts any number; we bound it
// so that a typo cannot reserve terabytes).
inline constexpr std::size_t kMaxPoolSize = std::size_t{1} << 30;
// Largest single request (allocate(n) or the reserve of allocate_with).
// Larger requests throw std::length_error and change nothing.
inline constexpr std::size_t kMaxRequest = std::size_t{1} << 30;
// Largest supported alignment; must be a power of two.
inline constexpr std::size_t kMaxAlignment = 4096;
// Node v26.8+ (lib/buffer.js kPoolAlignment): pool memory starts on a 64-byte
// boundary, and a per-request alignment above it gets a block of its own.
inline constexpr std::size_t kPoolBaseAlignment = 64;
// Largest per-request alignment of allocate(n, alignment) and allocate_slow
// (Node: 2^30; larger is ERR_OUT_OF_RANGE).
inline constexpr std::size_t kMaxRequestAlignment = std::size_t{1} << 30;

// Largest `cache_limit` setting: the allocator reserves room for that many
// cached pools up front, so that retiring a pool never allocates, and
// refuses a larger one (validate() below).
inline constexpr std::size_t kMaxCacheLimit = 1'000'000;

inline constexpr std::size_t kDefaultPoolSize = 8192;  // Node's Buffer.poolSize
inline constexpr std::size_t kDefaultAlignment = 8;    // Node's alignPool()
inline constexpr std::size_t kDefaultCacheLimit = 512;  // dead pools kept for reuse, at most
// Every kCacheWindow pool starts, the dead pools that sat in the cache through
// all of them (the cache's low-water mark) go back upstream: the cache follows
// a burst, and gives back what a quieter program no longer takes. It is the
// default of the `cache_window` setting; tests and fuzzers may ask for a
// smaller window, 1 .. kMaxCacheWindow (docs/SPEC.md).
inline constexpr std::size_t kCacheWindow = 512;
inline constexpr std::size_t kMaxCacheWindow = 1'000'000;

constexpr bool is_power_of_two(std::size_t x) { return x != 0 && (x & (x - 1)) == 0; }
constexpr std::size_t round_up(std::size_t x, std::size_t alignment) {
  return (x + alignment - 1) & ~(alignment - 1);
}

// The settings and request alignments the allocator accepts: its own bounds. The model and the
// op language restate docs/SPEC.md's independently (model/ops/spec_limits.h) and never ask
// these: a bound shared with the oracle would make a wrong one invisible to every differential
// check, the model moving with the allocator and agreeing with it by construction.
constexpr bool is_pool_size(std::size_t n) { return n <= kMaxPoolSize; }
constexpr bool is_setting_alignment(std::size_t alignment) {
  return is_power_of_two(alignment) && alignment <= kMaxAlignment;
}
constexpr bool is_cache_limit(std::size_t n) { return n <= kMaxCacheLimit; }
constexpr bool is_cache_window(std::size_t n) { return n >= 1 && n <= kMaxCacheWindow; }
// A per-request alignment Node accepts: a power of two, 1 .. 2^30.
constexpr bool is_request_alignment(std::size_t alignment) {
  return is_power_of_two(alignment) && alignment <= kMaxRequestAlignment;
}

// A bound as messages write it: a power of two above 2^16 as "2^N", any
// other number in decimal ("2^30", "4096", "1000000").
inline std::string bound_text(std::size_t bound) {
  if (is_power_of_two(bound) && bound > (std::size_t{1} << 16)) return "2^" + std::to_string(std::countr_zero(bound));
  return std::to_string(bound);
}
// "2^30 (1073741824)"; a decimal bound as it is.
inline std::string bound_with_value(std::size_t bound) {
  const std::string text = bound_text(bound);
  return text == std::to_string(bound) ? text : text + " (" + std::to_string(bound) + ")";
}

// Why a value is refused, as users read it (call them for a value the predicate
// above refuses; the model words its own, with its bounds: model/ops/spec_limits.h):
// "pool_size 2000000000 is beyond 2^30 (1073741824)", "alignment must be a power
// of two up to 4096, not 3", "cache_limit 1000001 is beyond 1000000",
// "alignment must be a power of two from 1 to 2^30 (1073741824), not 96",
// "request 1073741825 is beyond 2^30 (1073741824)". docs/SPEC.md (Failure)
// gives the words, and the checkers compare them with the model's.
inline std::string pool_size_error(std::size_t n) {
  return "pool_size " + std::to_string(n) + " is beyond " + bound_with_value(kMaxPoolSize);
}
inline std::string alignment_error(std::size_t alignment) {
  return "alignment must be a power of two up to " + bound_text(kMaxAlignment) + ", not " + std::to_string(alignment);
}
inline std::string cache_limit_error(std::size_t n) {
  return "cache_limit " + std::to_string(n) + " is beyond " + bound_with_value(kMaxCacheLimit);
}
inline std::string cache_window_error(std::size_t n) {
  return "cache_window must be from 1 to " + bound_with_value(kMaxCacheWindow) + ", not " + std::to_string(n);
}
inline std::string request_alignment_error(std::size_t alignment) {
  return "alignment must be a power of two from 1 to " + bound_with_value(kMaxRequestAlignment) + ", not " +
         std::to_string(alignment);
}
inline std::string request_size_error(std::size_t n) {
  return "request " + std::to_string(n) + " is beyond " + bound_with_value(kMaxRequest);
}

struct PoolOptions {
  std::size_t pool_size = kDefaultPoolSize;
  std::size_t alignment = kDefaultAlignment;
  // How many dead pools are kept for reuse instead of going back upstream.
  std::size_t cache_limit = kDefaultCacheLimit;
  // Pool starts per window of the cache's trim (kCacheWindow, Node-sized by
  // default; smaller only to reach the trim in fewer operations).
  std::size_t cache_window = kCacheWindow;
  // Where pools and unpooled blocks come from. Tests pass a resource that
  // records blocks or fails on demand.
  std::pmr::memory_resource* upstream = std::pmr::new_delete_resource();
  bool operator==(const PoolOptions&) const = default;
};

// The first setting of `options` that is refused: its name and why.
struct SettingError {
  std::string_view setting;  // "alignment", "upstream", "pool_size", "cache_limit" or "cache_window"
  std::string message;
};
inline std::optional<SettingError> validate(const PoolOptions& options) {
  if (!is_setting_alignment(options.alignment)) return SettingError{"alignment", alignment_error(options.alignment)};
  if (options.upstream == nullptr) return SettingError{"upstream", "upstream must not be null"};
  if (!is_pool_size(options.pool_size)) return SettingError{"pool_size", pool_size_error(options.pool_size)};
  if (!is_cache_limit(options.cache_limit)) return SettingError{"cache_limit", cache_limit_error(options.cache_limit)};
  if (!is_cache_window(options.cache_window))
    return SettingError{"cache_window", cache_window_error(options.cache_window)};
  return std::nullopt;
}

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
// paths update only two counters: allocator/pool_usage.h.)
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
