// Laws of the statistics that hold for any pool allocator, whatever its
// placement rules: written once, checked after every op by InvariantChecker
// and by the property tests (props/properties.h) on top of the differential
// checker.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "allocator/pool_types.h"
#include "model/checks/check.h"

namespace poolcheck {

// A broken law: the check, what the law wants, what was seen.
struct LawBreach {
  Check check;
  std::string expected, actual;
};

// Counters only ever grow (allocator/pool_types.h): padding_bytes,
// tail_waste_bytes, pools_created, pools_reused.
std::optional<LawBreach> counters_never_go_down(const PoolStats& before, const PoolStats& now);

// The cache keeps at most cache_limit dead pools.
std::optional<LawBreach> cache_within_limit(const PoolStats& now, std::size_t cache_limit);

}  // namespace poolcheck
