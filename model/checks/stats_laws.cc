#include "model/checks/stats_laws.h"

#include "model/checks/divergence.h"

namespace poolcheck {

std::optional<LawBreach> counters_never_go_down(const PoolStats& before, const PoolStats& now) {
  if (now.padding_bytes < before.padding_bytes || now.tail_waste_bytes < before.tail_waste_bytes ||
      now.pools_created < before.pools_created || now.pools_reused < before.pools_reused)
    return LawBreach{Check::kStats, "counters never go down", stats_difference(before, now)};
  return std::nullopt;
}

std::optional<LawBreach> cache_within_limit(const PoolStats& now, std::size_t cache_limit) {
  if (now.cached_pools <= cache_limit) return std::nullopt;
  return LawBreach{Check::kStats, "cached_pools at most " + std::to_string(cache_limit), std::to_string(now.cached_pools)};
}

}  // namespace poolcheck
