#include "props/edge_census.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "model/reference/reference_model.h"
#include "props/intents.h"

namespace poolcheck::props {

namespace {

constexpr std::string_view kEdgeNames[kEdgeCount] = {
    "size 0",
    "size 1",
    "size alignment - 1",
    "size alignment + 1",
    "size threshold - 1 (largest pooled)",
    "size threshold (smallest unpooled)",
    "exact room: fills the pool to its end",
    "room + 1: one byte too many, new pool",
    "offset rounded past the pool's end",
    "from R 0 (R > 0)",
    "from R R (R > 0)",
    "pool_size tiny (0 1 2 3 7 9 101)",
    "pool_size not a multiple of alignment",
    "pool_size large (>= 65536)",
    "release of the oldest live buffer",
    "release of the newest live buffer",
    "request beyond 2^30 (length_error)",
    "release kills a non-current pool",
    "new pool reuses a dead pool's memory",
    "dead pool sent upstream: cache full",
    "sequence starts >= 16 pools",
};

bool is_tiny_pool_size(std::uint64_t n) {
  return std::find(std::begin(kTinyPoolSizes), std::end(kTinyPoolSizes), n) != std::end(kTinyPoolSizes);
}

// Dead pools this op sent upstream because the cache was full: the cache
// gains the pool that died (unless it was reused in place right away) and
// loses the one a new pool took; what it did not gain went upstream.
std::uint64_t pools_sent_upstream(const ReferenceModel& after_model, const PoolStats& before, const Outcome& outcome) {
  const bool died = outcome.pool_death.has_value();
  const bool reused = outcome.pool_start && outcome.pool_start->reused;
  const bool in_place = died && reused && after_model.pool_block(*outcome.pool_death) == outcome.pool_start->block;
  const std::int64_t gained = died && !in_place ? 1 : 0;
  const std::int64_t taken = reused && !in_place ? 1 : 0;
  const std::int64_t dropped = static_cast<std::int64_t>(before.cached_pools) + gained - taken -
                               static_cast<std::int64_t>(after_model.stats().cached_pools);
  return dropped > 0 ? static_cast<std::uint64_t>(dropped) : 0;
}

}  // namespace

std::string_view edge_name(Edge edge) { return kEdgeNames[static_cast<std::size_t>(edge)]; }

void tally(const PoolOptions& settings, std::span<const Op> ops, EdgeCensus& census) {
  std::array<std::uint64_t, kEdgeCount> hits{};
  auto hit = [&](Edge edge, bool condition) { hits[static_cast<std::size_t>(edge)] += condition ? 1 : 0; };
  GenState state(settings);
  const std::uint64_t alignment = settings.alignment;
  std::uint64_t pools_started = 0;
  for (const Op& op : ops) {
    const ReferenceModel& model = state.model();
    const std::optional<std::int64_t> room = model.room();
    const PoolStats before = model.stats();
    const std::uint64_t threshold = model.pool_size() / 2;
    const auto live = state.live();
    const std::size_t live_count = live.size();
    const std::uint64_t oldest = live_count ? live.front() : 0, newest = live_count ? live.back() : 0;
    const Outcome outcome = state.apply(op);

    const bool creates = creates_buffer(op);
    const std::uint64_t n = op.a;
    const bool pooled = outcome.kind == Outcome::Kind::kBuffer && outcome.placement.pooled;
    const std::optional<std::int64_t> room_after = state.model().room();
    hit(Edge::kSizeZero, creates && n == 0);
    hit(Edge::kSizeOne, creates && n == 1);
    hit(Edge::kAlignmentMinusOne, creates && alignment > 1 && n == alignment - 1);
    hit(Edge::kAlignmentPlusOne, creates && n == alignment + 1);
    hit(Edge::kThresholdMinusOne, creates && threshold >= 2 && n == threshold - 1);
    hit(Edge::kThreshold, creates && n > 0 && n == threshold);
    hit(Edge::kExactRoom, pooled && !outcome.pool_start && room && n > 0 && static_cast<std::int64_t>(n) == *room);
    hit(Edge::kRoomPlusOne,
        pooled && outcome.pool_start && room && *room >= 0 && static_cast<std::int64_t>(n) == *room + 1);
    hit(Edge::kNegativeRoom, pooled && room_after && *room_after < 0);
    hit(Edge::kFromKeepNone, op.kind == OpKind::kFrom && op.a > 0 && op.b == 0);
    hit(Edge::kFromKeepAll, op.kind == OpKind::kFrom && op.a > 0 && op.b == op.a);
    hit(Edge::kPoolSizeTiny, op.kind == OpKind::kPoolSize && is_tiny_pool_size(n));
    hit(Edge::kPoolSizeMisaligned, op.kind == OpKind::kPoolSize && n % alignment != 0);
    hit(Edge::kPoolSizeLarge, op.kind == OpKind::kPoolSize && n >= 65536);
    hit(Edge::kReleaseOldest, op.kind == OpKind::kRelease && live_count >= 2 && n == oldest);
    hit(Edge::kReleaseNewest, op.kind == OpKind::kRelease && live_count >= 2 && n == newest);
    hit(Edge::kLengthError, outcome.kind == Outcome::Kind::kLengthError);
    hit(Edge::kPoolDiesOnRelease, op.kind == OpKind::kRelease && outcome.pool_death.has_value());
    hit(Edge::kPoolReused, outcome.pool_start && outcome.pool_start->reused);
    hits[static_cast<std::size_t>(Edge::kCacheFull)] += pools_sent_upstream(state.model(), before, outcome);
    pools_started += outcome.pool_start ? 1 : 0;
  }
  hit(Edge::kSixteenPools, pools_started >= 16);
  ++census.sequences;
  census.ops += ops.size();
  for (std::size_t e = 0; e < kEdgeCount; ++e) {
    census.hits[e] += hits[e];
    census.sequences_hit[e] += hits[e] > 0 ? 1 : 0;
  }
}

EdgeCensus take_census(const Profile& profile, std::size_t sequences, std::uint64_t seed, int max_size) {
  const rc::Gen<Scenario> scenarios = gen::scenario(profile);
  rc::Random random(seed);
  EdgeCensus census;
  for (std::size_t i = 0; i < sequences; ++i) {
    const int size = static_cast<int>(i % static_cast<std::size_t>(max_size + 1));
    const Scenario scenario = scenarios(random.split(), size).value();
    tally(scenario.settings, scenario.ops, census);
  }
  return census;
}

std::string census_table(const EdgeCensus& census) {
  std::string out = "| edge | sequences hitting it (of " + std::to_string(census.sequences) +
                    ") | hits per 1,000 sequences |\n|---|---:|---:|\n";
  for (std::size_t e = 0; e < kEdgeCount; ++e) {
    const double per_thousand =
        census.sequences ? 1000.0 * static_cast<double>(census.hits[e]) / static_cast<double>(census.sequences) : 0;
    char row[160];
    std::snprintf(row, sizeof row, "| %s | %llu | %.0f |\n", std::string(kEdgeNames[e]).c_str(),
                  static_cast<unsigned long long>(census.sequences_hit[e]), per_thousand);
    out += row;
  }
  return out;
}

}  // namespace poolcheck::props
