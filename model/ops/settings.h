// The allocator's settings as the tools name them: one row each, from which
// the `#@` directives and their errors (ops.cc), the text form's header
// (to_text), and poolcheck's options, errors and usage (model/tool/) are
// made. Defaults are the allocator's (allocator/pool_types.h); bounds,
// which values are accepted and the error for one that is not are the
// spec's as the model states them (model/ops/spec_limits.h): the rows only
// point at them.
// A new setting is a new PoolOptions field and a new row here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/pool_types.h"
#include "model/ops/spec_limits.h"

namespace poolcheck {

struct Setting {
  std::string_view name;            // `#@ NAME N`, and the PoolOptions field
  std::string_view option;          // poolcheck's command-line option
  std::size_t PoolOptions::*field;  // where the value goes
  std::size_t default_value;
  std::size_t max;
  bool power_of_two;                      // besides <= max (for the rule's text)
  bool (*valid)(std::size_t);             // model/ops/spec_limits.h: spec::is_pool_size, ...
  std::string (*error)(std::size_t);      // and why a value it refuses is refused
  std::string_view help;                  // for the usage; "{max}" stands for spec::bound_text(max)
};

// In the order the usage lists them.
inline constexpr std::array<Setting, 4> kSettings = {{
    {"pool_size", "--pool-size", &PoolOptions::pool_size, kDefaultPoolSize, spec::kMaxPoolSize, false,
     &spec::is_pool_size, &spec::pool_size_error, "initial pool size, 0..{max}"},
    {"alignment", "--alignment", &PoolOptions::alignment, kDefaultAlignment, spec::kMaxAlignment, true,
     &spec::is_setting_alignment, &spec::alignment_error, "power of two up to {max}"},
    {"cache_limit", "--cache-limit", &PoolOptions::cache_limit, kDefaultCacheLimit, spec::kMaxCacheLimit, false,
     &spec::is_cache_limit, &spec::cache_limit_error, "dead pools kept for reuse"},
    {"cache_window", "--cache-window", &PoolOptions::cache_window, kCacheWindow, spec::kMaxCacheWindow, false,
     &spec::is_cache_window, &spec::cache_window_error, "pool starts between trims of the cache, 1..{max}"},
}};

// The rows in name order: how the text form writes them and errors list them.
std::vector<const Setting*> settings_by_name();
// The row with this `#@` name or command-line option; nullptr if none.
const Setting* setting_named(std::string_view name);
const Setting* setting_for_option(std::string_view option);

// Whether the spec accepts `value` (model/ops/spec_limits.h decides).
bool accepts(const Setting& setting, std::uint64_t value);
// "a power of two up to 4096", "a number up to 2^30".
std::string rule_of(const Setting& setting);
// The usage text: help with the bound filled in, and the default.
std::string help_of(const Setting& setting);
// Why `value` is not accepted, e.g. "pool_size 2000000000 is beyond 2^30
// (1073741824)": for `#@` lines, and for `pool_size N` ops.
std::string value_error(const Setting& setting, std::uint64_t value);

}  // namespace poolcheck
