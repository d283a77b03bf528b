// The limits of docs/SPEC.md (Settings, Per-request alignment, Failure) as
// the model states them: which settings are valid and which requests are
// refused. This is the model's one statement of them; everything on the
// model's side that decides a refusal or a setting's validity asks these
// (refusal_of and the op parser, the settings rows, the reference model,
// the codec's field limits, props/ and the generated dictionaries).
//
// The allocator states the same numbers for itself (allocator/pool_types.h)
// and this header does not use them: the model is the oracle the allocator
// is checked against, and an oracle that shared the allocator's constants
// would move with them. A wrong bound in the allocator (2^30 - 1, `<` for
// `<=`) would then be the bound of the model too, and no differential check
// (props/, fuzz_pool_diff) could ever see it. The numbers are written here
// from docs/SPEC.md, not from the allocator; spec_limits_test.cc checks at
// run time that the allocator agrees at each boundary.
#pragma once

#include <bit>
#include <cstddef>
#include <optional>
#include <string>

#include "allocator/pool_types.h"  // PoolOptions, SettingError

namespace poolcheck::spec {

// `pool_size`: any whole number 0 .. 2^30.
inline constexpr std::size_t kMaxPoolSize = std::size_t{1} << 30;
// A request (allocate(n), or the reserve of allocate_with): 0 .. 2^30 bytes;
// a larger one is std::length_error.
inline constexpr std::size_t kMaxRequest = std::size_t{1} << 30;
// `alignment` (the setting): a power of two 1 .. 4096.
inline constexpr std::size_t kMaxAlignment = 4096;
// A per-request alignment: a power of two 1 .. 2^30; any other is
// std::invalid_argument.
inline constexpr std::size_t kMaxRequestAlignment = std::size_t{1} << 30;
// `cache_limit`: 0 .. 1,000,000.
inline constexpr std::size_t kMaxCacheLimit = 1'000'000;
// `cache_window`: 1 .. 1,000,000.
inline constexpr std::size_t kMaxCacheWindow = 1'000'000;

constexpr bool is_power_of_two(std::size_t x) { return x != 0 && (x & (x - 1)) == 0; }

constexpr bool is_pool_size(std::size_t n) { return n <= kMaxPoolSize; }
constexpr bool is_request_size(std::size_t n) { return n <= kMaxRequest; }
constexpr bool is_setting_alignment(std::size_t alignment) {
  return is_power_of_two(alignment) && alignment <= kMaxAlignment;
}
constexpr bool is_cache_limit(std::size_t n) { return n <= kMaxCacheLimit; }
constexpr bool is_cache_window(std::size_t n) { return n >= 1 && n <= kMaxCacheWindow; }
constexpr bool is_request_alignment(std::size_t alignment) {
  return is_power_of_two(alignment) && alignment <= kMaxRequestAlignment;
}

// A bound as the spec's messages write it: a power of two above 2^16 as
// "2^N", any other number in decimal ("2^30", "4096", "1000000"); with its
// value beside a "2^N" ("2^30 (1073741824)"). Written here, not taken from
// allocator/pool_types.h, for the reason above: the refusal check compares
// the allocator's message with these, so a wrong bound_text in the
// allocator must not be the model's too.
inline std::string bound_text(std::size_t bound) {
  const bool large_power_of_two = is_power_of_two(bound) && bound > 65536;
  return large_power_of_two ? "2^" + std::to_string(std::bit_width(bound) - 1) : std::to_string(bound);
}
inline std::string bound_with_value(std::size_t bound) {
  const bool written_as_power = bound_text(bound) != std::to_string(bound);
  return written_as_power ? bound_text(bound) + " (" + std::to_string(bound) + ")" : bound_text(bound);
}

// Why a value is refused, in docs/SPEC.md's words (Failure: the messages):
// the op language and poolcheck's options say it so, and the allocator's
// exceptions must say it so too (the refusal check compares them):
// "pool_size 2000000000 is beyond 2^30 (1073741824)", "alignment must be a
// power of two up to 4096, not 3", "cache_limit 1000001 is beyond 1000000",
// "cache_window must be from 1 to 1000000, not 0", "alignment must be a
// power of two from 1 to 2^30 (1073741824), not 96", "request 1073741825 is
// beyond 2^30 (1073741824)".
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
inline std::string null_upstream_error() { return "upstream must not be null"; }
inline std::string request_alignment_error(std::size_t alignment) {
  return "alignment must be a power of two from 1 to " + bound_with_value(kMaxRequestAlignment) + ", not " +
         std::to_string(alignment);
}
inline std::string request_size_error(std::size_t n) {
  return "request " + std::to_string(n) + " is beyond " + bound_with_value(kMaxRequest);
}

// The first setting of `options` the spec refuses, in the allocator's order
// (alignment, upstream, pool_size, cache_limit, cache_window).
inline std::optional<SettingError> validate(const PoolOptions& options) {
  if (!is_setting_alignment(options.alignment)) return SettingError{"alignment", alignment_error(options.alignment)};
  if (options.upstream == nullptr) return SettingError{"upstream", null_upstream_error()};
  if (!is_pool_size(options.pool_size)) return SettingError{"pool_size", pool_size_error(options.pool_size)};
  if (!is_cache_limit(options.cache_limit)) return SettingError{"cache_limit", cache_limit_error(options.cache_limit)};
  if (!is_cache_window(options.cache_window))
    return SettingError{"cache_window", cache_window_error(options.cache_window)};
  return std::nullopt;
}

}  // namespace poolcheck::spec
