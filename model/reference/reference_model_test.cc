#include "model/reference/reference_model.h"

#include <gtest/gtest.h>

#include "model/ops/spec_limits.h"

namespace poolcheck {
namespace {

Placement pooled(std::uint64_t pool, std::size_t offset, std::size_t length) {
  return {true, pool, offset, length};
}
Placement unpooled(std::size_t length) { return {false, 0, 0, length}; }

std::vector<Placement> placements(const std::vector<Op>& ops, const PoolOptions& settings = {}) {
  ReferenceModel model(settings);
  std::vector<Placement> out;
  for (const Op& op : ops) {
    Outcome outcome = model.apply(op);
    if (outcome.kind == Outcome::Kind::kBuffer) out.push_back(outcome.placement);
  }
  return out;
}

TEST(ReferenceModel, TwoAllocations4095ShareTheFirstPool) {
  EXPECT_EQ(placements({Op::alloc(4095), Op::alloc(4095)}),
            (std::vector<Placement>{pooled(0, 0, 4095), pooled(0, 4096, 4095)}));
}

TEST(ReferenceModel, EarlierAllocationPushes4095IntoANewPool) {
  EXPECT_EQ(placements({Op::alloc(256), Op::alloc(4095), Op::alloc(4095)}),
            (std::vector<Placement>{pooled(0, 0, 256), pooled(0, 256, 4095), pooled(1, 0, 4095)}));
}

TEST(ReferenceModel, ThresholdEdges) {
  EXPECT_EQ(placements({Op::alloc(4096)}), std::vector<Placement>{unpooled(4096)});
  EXPECT_EQ(placements({Op::pool_size(100), Op::alloc(49), Op::alloc(50)}),
            (std::vector<Placement>{pooled(0, 0, 49), unpooled(50)}));
}

TEST(ReferenceModel, OffsetPastACapacityThatIsNotAMultipleOfTheAlignment) {
  ReferenceModel model;
  model.apply(Op::pool_size(101));
  EXPECT_EQ(model.apply(Op::alloc(49)).placement, pooled(0, 0, 49));
  EXPECT_EQ(model.apply(Op::alloc(45)).placement, pooled(0, 56, 45));
  EXPECT_EQ(model.room(), -3);
  EXPECT_EQ(model.apply(Op::alloc(1)).placement, pooled(1, 0, 1));
}

TEST(ReferenceModel, FromReservesROrKeepsA) {
  EXPECT_EQ(placements({Op::from(40, 5), Op::from(16, 0), Op::from(5000, 3000), Op::from(4096, 0)}),
            (std::vector<Placement>{pooled(0, 0, 5), pooled(0, 8, 0), unpooled(3000), unpooled(0)}));
  // The reservation, not the bytes kept, decides whether a new pool starts.
  EXPECT_EQ(placements({Op::alloc(4000), Op::alloc(4000), Op::from(200, 1)}).back(), pooled(1, 0, 1));
}

TEST(ReferenceModel, ZeroBytesIsEmptyAndStartsNoPool) {
  ReferenceModel model;
  EXPECT_EQ(model.apply(Op::alloc(0)).placement, unpooled(0));
  EXPECT_EQ(model.room(), std::nullopt);
}

TEST(ReferenceModel, ThresholdIsReadAtEachAllocationAndCapacityAtPoolCreation) {
  ReferenceModel model;
  model.apply(Op::alloc(8));               // pool 0, capacity 8192
  model.apply(Op::pool_size(64));          // threshold 32 from now on
  EXPECT_FALSE(model.apply(Op::alloc(32)).placement.pooled);
  EXPECT_EQ(model.apply(Op::alloc(31)).placement, pooled(0, 8, 31));  // still pool 0
  EXPECT_EQ(model.room(), 8192 - 40);
}

TEST(ReferenceModel, TooLargeRequestsFailWithoutABuffer) {
  ReferenceModel model;
  EXPECT_EQ(model.apply(Op::alloc(spec::kMaxRequest + 1)).kind, Outcome::Kind::kLengthError);
  EXPECT_EQ(model.apply(Op::from(spec::kMaxRequest + 1, 0)).kind, Outcome::Kind::kLengthError);
  EXPECT_EQ(model.apply(Op::alloc(1)).buffer, 0u);
  EXPECT_EQ(model.stats().live_buffers, 1u);
}

// Refused ops (refusal_of; docs/SPEC.md, Failure) throw in the allocator,
// and the model says so: no buffer number, no state, no upstream request,
// and an armed fail_next waits for the next op that asks upstream.
TEST(ReferenceModel, RefusedOpsChangeNothing) {
  ReferenceModel model;
  EXPECT_EQ(model.apply(Op::alloc(100)).buffer, 0u);
  const PoolStats stats = model.stats();
  const auto room = model.room();
  model.apply(Op::fail_next(1));
  for (const Op& op : {Op::alloc(0, 3), Op::alloc(5000, 6), Op::alloc_slow(16, std::uint64_t{1} << 31),
                       Op::alloc(spec::kMaxRequest + 1, 3), Op::pool_size(spec::kMaxPoolSize + 1),
                       Op::pool_size(~std::uint64_t{0})}) {
    EXPECT_EQ(model.apply(op).kind, Outcome::Kind::kInvalidArgument) << to_text(op);
    EXPECT_EQ(model.stats(), stats) << to_text(op);
    EXPECT_EQ(model.room(), room) << to_text(op);
    EXPECT_EQ(model.pool_size(), kDefaultPoolSize) << to_text(op);
    EXPECT_EQ(model.upstream_requests(), 1u) << to_text(op);
  }
  EXPECT_EQ(model.apply(Op::alloc(spec::kMaxRequest + 1)).kind, Outcome::Kind::kLengthError);
  // The largest alignment.
  EXPECT_EQ(model.apply(Op::alloc(0, spec::kMaxRequestAlignment)).kind, Outcome::Kind::kBuffer);
  const Outcome slow = model.apply(Op::alloc_slow(10));
  EXPECT_EQ(slow.buffer, 2u);
  EXPECT_EQ(slow.failed_request, std::optional<std::uint64_t>{2});  // the armed failure lands here
  model.apply(Op::pool_size(spec::kMaxPoolSize));
  EXPECT_EQ(model.pool_size(), spec::kMaxPoolSize);
}

TEST(ReferenceModel, DeadPoolMemoryIsReusedAndNamed) {
  ReferenceModel model;
  model.apply(Op::alloc(4000));  // buffer 0, pool 0 (block 0)
  model.apply(Op::alloc(4000));  // buffer 1
  model.apply(Op::release(0));
  model.apply(Op::release(1));   // pool 0 is current: still alive
  EXPECT_EQ(model.stats().live_pools, 1u);
  Outcome outcome = model.apply(Op::alloc(4000));  // no room: pool 1 replaces pool 0, which dies
  ASSERT_TRUE(outcome.pool_start);
  EXPECT_EQ(outcome.pool_start->pool, 1u);
  EXPECT_EQ(outcome.pool_start->block, 0u);
  EXPECT_TRUE(outcome.pool_start->reused);
  EXPECT_EQ(outcome.pool_death, 0u);
  EXPECT_EQ(model.stats().pools_created, 1u);
  EXPECT_EQ(model.stats().pools_reused, 1u);
  EXPECT_EQ(model.stats().tail_waste_bytes, 192u);
}

TEST(ReferenceModel, APinnedPoolStaysAliveAndItsMemoryIsNotReused) {
  ReferenceModel model;
  model.apply(Op::alloc(4000));  // buffer 0 pins pool 0
  model.apply(Op::alloc(4000));
  model.apply(Op::release(1));
  Outcome outcome = model.apply(Op::alloc(4000));  // pool 1
  EXPECT_FALSE(outcome.pool_start->reused);
  EXPECT_FALSE(outcome.pool_death);
  EXPECT_EQ(model.stats().live_pools, 2u);
  Outcome death = model.apply(Op::release(0));
  EXPECT_EQ(death.pool_death, 0u);
  EXPECT_EQ(model.stats().cached_pools, 1u);
}

TEST(ReferenceModel, FullCacheSendsTheNewlyDeadBlockUpstreamAndReusesByCapacity) {
  PoolOptions settings;
  settings.cache_limit = 1;
  ReferenceModel model(settings);
  model.apply(Op::alloc(4095));                        // 0: pool 0, block 0
  model.apply(Op::alloc(4095));                        // 1: pool 0
  model.apply(Op::alloc(4095));                        // 2: pool 1, block 1
  model.apply(Op::alloc(4095));                        // 3: pool 1
  model.apply(Op::alloc(4095));                        // 4: pool 2, block 2
  model.apply(Op::release(0));
  model.apply(Op::release(1));                         // pool 0 dies: cache {0}
  model.apply(Op::release(2));
  model.apply(Op::release(3));                         // pool 1 dies: cache full, block 1 freed
  EXPECT_EQ(model.stats().cached_pools, 1u);
  model.apply(Op::pool_size(4096));
  model.apply(Op::alloc(2047));                        // 5: pool 2 at 4096
  model.apply(Op::alloc(2047));                        // 6: pool 2 at 6144, now full
  Outcome other = model.apply(Op::alloc(2047));        // 7: capacity 4096: nothing cached fits
  ASSERT_TRUE(other.pool_start);
  EXPECT_FALSE(other.pool_start->reused);
  EXPECT_EQ(other.pool_start->block, 3u);
  EXPECT_EQ(model.stats().cached_pools, 1u);           // block 0 still cached
  model.apply(Op::pool_size(8192));
  Outcome back = model.apply(Op::alloc(4000));         // 8: capacity 8192 again: block 0
  ASSERT_TRUE(back.pool_start);
  EXPECT_TRUE(back.pool_start->reused);
  EXPECT_EQ(back.pool_start->block, 0u);
  EXPECT_EQ(model.stats().cached_pools, 0u);
}

TEST(ReferenceModel, InitialPoolSizeComesFromTheSettings) {
  PoolOptions settings;
  settings.pool_size = 100;
  EXPECT_EQ(placements({Op::alloc(49), Op::alloc(50)}, settings),
            (std::vector<Placement>{pooled(0, 0, 49), unpooled(50)}));
}

TEST(ReferenceModel, ReleaseOfADeadBufferIsRejected) {
  ReferenceModel model;
  model.apply(Op::alloc(1));
  model.apply(Op::release(0));
  EXPECT_THROW(model.apply(Op::release(0)), std::invalid_argument);
  EXPECT_THROW(model.apply(Op::release(7)), std::invalid_argument);
}

}  // namespace
}  // namespace poolcheck
