// The generators keep reaching the edges: with the census's own fixed seed,
// every edge is hit in at least kFloor of 1,000 general-profile sequences.
// A change to the generator that starves an edge fails here, not silently.
#include <gtest/gtest.h>

#include <cstdio>

#include "props/edge_census.h"
#include "props/generators.h"
#include "props/intents.h"

namespace poolcheck::props {
namespace {

constexpr std::uint64_t kFloor = 20;  // sequences of 1,000

TEST(EdgeCensus, GeneralProfileHitsEveryEdge) {
  const EdgeCensus census = take_census(profiles::kGeneral, 1000, 1, 100);
  std::printf("%s", census_table(census).c_str());
  for (std::size_t e = 0; e < kEdgeCount; ++e)
    EXPECT_GE(census.sequences_hit[e], kFloor) << edge_name(static_cast<Edge>(e));
}

TEST(EdgeCensus, TallyCountsWhatTheModelDid) {
  // pool_size 101: 49 at 0, 45 at 56 (the offset rounds to 104, past the
  // end), so 1 byte needs a new pool; then two releases, an unpooled alloc
  // (50 is the threshold) and a from that keeps nothing.
  const std::vector<Op> ops = {Op::pool_size(101), Op::alloc(49), Op::alloc(45), Op::alloc(1),
                               Op::release(0),     Op::release(2), Op::alloc(50), Op::from(16, 0)};
  EdgeCensus census;
  tally(PoolOptions{}, ops, census);
  auto hits = [&](Edge e) { return census.hits[static_cast<std::size_t>(e)]; };
  EXPECT_EQ(hits(Edge::kPoolSizeTiny), 1u);
  EXPECT_EQ(hits(Edge::kPoolSizeMisaligned), 1u);
  EXPECT_EQ(hits(Edge::kNegativeRoom), 1u);     // alloc 45
  EXPECT_EQ(hits(Edge::kSizeOne), 1u);
  EXPECT_EQ(hits(Edge::kReleaseOldest), 1u);    // release 0 of {0, 1, 2}
  EXPECT_EQ(hits(Edge::kReleaseNewest), 1u);    // release 2 of {1, 2}
  EXPECT_EQ(hits(Edge::kThreshold), 1u);        // alloc 50, unpooled
  EXPECT_EQ(hits(Edge::kFromKeepNone), 1u);
  EXPECT_EQ(hits(Edge::kPoolDiesOnRelease), 0u);  // pool 0 still holds buffer 1
  EXPECT_EQ(census.sequences, 1u);
}

TEST(EdgeCensus, TallyCountsDeathsReuseAndAFullCache) {
  // Pool 0 holds buffers 0 and 1; buffer 2 starts pool 1; releasing 0 and 1
  // kills pool 0, which goes to the cache, or upstream when the cache holds
  // nothing. Two more allocations start pool 2, from the cache if it can.
  const std::vector<Op> ops = {Op::alloc(4095), Op::alloc(4095), Op::alloc(4095), Op::release(0),
                               Op::release(1),  Op::alloc(4095), Op::alloc(4095)};
  auto count = [&](std::size_t cache_limit, Edge e) {
    EdgeCensus census;
    tally(PoolOptions{.cache_limit = cache_limit}, ops, census);
    return census.hits[static_cast<std::size_t>(e)];
  };
  EXPECT_EQ(count(0, Edge::kPoolDiesOnRelease), 1u);
  EXPECT_EQ(count(0, Edge::kCacheFull), 1u);
  EXPECT_EQ(count(0, Edge::kPoolReused), 0u);
  EXPECT_EQ(count(1, Edge::kCacheFull), 0u);
  EXPECT_EQ(count(1, Edge::kPoolReused), 1u);
}

// An op with an extension number is generated from its row alone: in a
// table where alloc_slow and release have extension numbers, an
// ExtensionIntent names an aimed alloc_slow and a live buffer to release.
TEST(ExtensionIntent, MakesAnOpFromItsRowAlone) {
  std::vector<OpSpec> specs(std::begin(kOpSpecs), std::end(kOpSpecs));
  specs[static_cast<std::size_t>(OpKind::kAllocSlow)].extension = 1;
  specs[static_cast<std::size_t>(OpKind::kRelease)].extension = 2;
  GenState state;
  state.apply(Op::alloc(100));
  state.apply(Op::alloc(20));
  ExtensionIntent slow;  // the rows in table order: release, then alloc_slow
  slow.which = 1;
  slow.size = {SizeEdge::kRoom, 0};
  slow.align = AlignEdge::kPoolBase;
  // The room after 100 and 20 (offset 128) aimed past the padding to 64.
  EXPECT_EQ(resolve(slow, state, specs), std::optional<Op>(Op::alloc_slow(8192 - 128, 64)));
  ExtensionIntent release;
  release.which = 0;
  release.pick = ReleasePick::kNewest;
  EXPECT_EQ(resolve(release, state, specs), std::optional<Op>(Op::release(1)));
  EXPECT_EQ(resolve(release, GenState(), specs), std::nullopt) << "no live buffer: no op";
  EXPECT_EQ(resolve(slow, state), std::nullopt) << "op_table.def has no extension op yet";
}

}  // namespace
}  // namespace poolcheck::props
