// Node's numbers, pinned as numbers. The allocator and the reference model
// share their defaults (allocator/pool_types.h), so a wrong one moves both
// sides at once and no differential check can see it (the limits were
// shared too; the model now states them itself, model/ops/spec_limits.h); the
// mutation campaign showed it (docs/MUTATION.md: kDefaultPoolSize,
// kDefaultCacheLimit, kMaxRequest and kMaxPoolSize mutants survived every
// other test). Node: Buffer.poolSize 8192, offsets aligned to 8
// (docs/SPEC.md); poolcheck: 16 cached pools, requests and pool sizes up to
// 2^30, alignments up to 4096.
#include <gtest/gtest.h>

#include <cstddef>
#include <new>
#include <stdexcept>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/reference/reference_model.h"

namespace poolcheck {
namespace {

constexpr std::size_t kTwoTo30 = 1073741824;

TEST(NodeDefaults, AllocatorStartsWithNodesSettings) {
  PoolAllocator allocator;
  EXPECT_EQ(allocator.pool_size(), 8192u);
  EXPECT_EQ(allocator.alignment(), 8u);
  EXPECT_EQ(allocator.cache_limit(), 512u);  // poolcheck's own default (docs/SPEC.md)
}

TEST(NodeDefaults, ModelStartsWithNodesSettings) {
  const PoolOptions settings;
  EXPECT_EQ(settings.pool_size, 8192u);
  EXPECT_EQ(settings.alignment, 8u);
  EXPECT_EQ(settings.cache_limit, 512u);
  EXPECT_EQ(ReferenceModel().pool_size(), 8192u);
}

TEST(NodeDefaults, LimitsAreTwoToThe30AndAlignmentsUpTo4096) {
  PoolAllocator allocator;
  EXPECT_THROW(allocator.allocate(kTwoTo30 + 1), std::length_error);
  EXPECT_THROW(allocator.set_pool_size(kTwoTo30 + 1), std::invalid_argument);
  EXPECT_NO_THROW(allocator.set_pool_size(kTwoTo30));
  PoolOptions options;
  options.alignment = 4096;
  EXPECT_NO_THROW(PoolAllocator{options});
  options.alignment = 8192;
  EXPECT_THROW(PoolAllocator{options}, std::invalid_argument);
}

TEST(NodeDefaults, TheLargestRequestIsAccepted) {
  // 1 GiB of address space; no byte of it is touched. A machine (or a
  // `ulimit -v`) without it fails the test, saying so: a skip would count
  // as a pass, and this limit would then be checked nowhere.
  PoolAllocator allocator;
  try {
    Buffer buffer = allocator.allocate(kTwoTo30);
    EXPECT_EQ(buffer.size(), kTwoTo30);
  } catch (const std::bad_alloc&) {
    FAIL() << "allocate(2^30) threw std::bad_alloc: this process could not get 1 GiB of address space "
              "(ulimit -v?), so the largest request Node accepts was not checked";
  }
}

// docs/SPEC.md: pool starts are counted in windows of 512, and at the end
// of a window the cache gives back the pools it never went below. The first
// window starts with an empty cache, so its fewest is 0 and nothing goes
// back; here the second window never takes from the cache (each quiet pool
// start reuses the pool it leaves in place), so every cached pool goes back
// at pool start 2 x 512. kCacheWindow is shared with the model: only a
// number pins it.
TEST(NodeDefaults, TheCacheIsTrimmedAtTheEndOfEach512PoolStarts) {
  PoolOptions options;
  options.pool_size = 256;  // two buffers of 100 bytes fit a pool
  PoolAllocator allocator(options);
  const auto pool_starts = [&] { return allocator.stats().pools_created + allocator.stats().pools_reused; };
  std::vector<Buffer> burst;
  while (pool_starts() < 40) burst.push_back(allocator.allocate(100));
  burst.clear();
  ASSERT_GT(allocator.stats().cached_pools, 30u);
  std::uint64_t emptied_at = 0;
  while (emptied_at == 0 && pool_starts() < 2000) {
    allocator.allocate(100).release();
    if (allocator.stats().cached_pools == 0) emptied_at = pool_starts();
  }
  EXPECT_EQ(emptied_at, 1024u);
}

}  // namespace
}  // namespace poolcheck
