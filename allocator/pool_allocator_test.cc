#include "allocator/pool_allocator.h"

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <new>
#include <stdexcept>
#include <vector>

namespace poolcheck {
namespace {

Placement pooled(std::uint64_t pool, std::size_t offset, std::size_t length) {
  return {true, pool, offset, length};
}
Placement unpooled(std::size_t length) { return {false, 0, 0, length}; }

// Fails every request after the first `budget` ones; counts what is live.
class LimitedResource : public std::pmr::memory_resource {
 public:
  explicit LimitedResource(int budget) : budget_(budget) {}
  int live = 0;
  int budget_;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    if (budget_-- <= 0) throw std::bad_alloc();
    ++live;
    return std::pmr::new_delete_resource()->allocate(bytes, alignment);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    --live;
    std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
  }
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }
};

TEST(PoolAllocator, TwoAllocations4095ShareTheFirstPool) {
  PoolAllocator allocator;
  Buffer a = allocator.allocate(4095);
  Buffer b = allocator.allocate(4095);
  EXPECT_EQ(a.placement(), pooled(0, 0, 4095));
  EXPECT_EQ(b.placement(), pooled(0, 4096, 4095));  // no 256-byte header
}

TEST(PoolAllocator, EarlierAllocationPushes4095IntoANewPool) {
  PoolAllocator allocator;
  Buffer a = allocator.allocate(256);
  Buffer b = allocator.allocate(4095);
  Buffer c = allocator.allocate(4095);  // 8192 - 4352 = 3840 < 4095
  EXPECT_EQ(a.placement(), pooled(0, 0, 256));
  EXPECT_EQ(b.placement(), pooled(0, 256, 4095));
  EXPECT_EQ(c.placement(), pooled(1, 0, 4095));
}

TEST(PoolAllocator, HalfThePoolSizeIsUnpooled) {
  PoolAllocator allocator;
  EXPECT_EQ(allocator.allocate(4096).placement(), unpooled(4096));
}

TEST(PoolAllocator, ThresholdFollowsThePoolSizeSetting) {
  PoolAllocator allocator;
  allocator.set_pool_size(100);
  Buffer a = allocator.allocate(49);
  Buffer b = allocator.allocate(50);
  EXPECT_TRUE(a.pooled());
  EXPECT_EQ(b.placement(), unpooled(50));
}

// allocate(n) tests the zero length and the threshold with one unsigned
// compare, `n - 1 < largest pooled size`, the size derived from
// Rules::is_unpooled when the pool size is set.
TEST(PoolAllocator, OneCompareTellsPooledFromUnpooledForEveryPoolSize) {
  for (const std::size_t pool_size : {0, 1, 2, 3, 4, 100, 101, 8192, 65536, 1 << 20}) {
    PoolAllocator allocator;
    allocator.set_pool_size(pool_size);
    const std::size_t t = pool_size / 2;
    std::vector<std::size_t> sizes = {0, 1, 2, t, t + 1};
    if (t >= 1) sizes.push_back(t - 1);
    for (const std::size_t n : sizes) {
      const Buffer buffer = allocator.allocate(n);
      EXPECT_EQ(buffer.pooled(), n != 0 && n < t) << "pool_size " << pool_size << ", allocate(" << n << ")";
      EXPECT_EQ(buffer.size(), n);
    }
  }
}

// A wrong rule, here only: pools a request of exactly half the pool size.
// The fast path's compare must follow whatever is_unpooled says.
struct PoolsHalfThePoolSize : NodePoolRules {
  static constexpr bool kAssertInvariants = false;
  static constexpr bool is_unpooled(std::size_t reserve, std::size_t threshold) { return reserve > threshold; }
};

TEST(PoolAllocator, TheOneCompareIsDerivedFromTheRules) {
  BasicPoolAllocator<PoolsHalfThePoolSize> allocator;
  EXPECT_TRUE(allocator.allocate(4096).pooled());
  EXPECT_FALSE(allocator.allocate(4097).pooled());
  EXPECT_FALSE(allocator.allocate(0).pooled());
}

// While a pool is current, its allocations count in the allocator and its
// releases in the pool; every statistic must still be exact after each op.
TEST(PoolAllocator, StatisticsStayExactWhileTheCurrentPoolReleases) {
  PoolAllocator allocator;
  std::vector<Buffer> buffers;
  for (int i = 0; i < 10; ++i) buffers.push_back(allocator.allocate(64));
  for (int i = 0; i < 10; i += 2) buffers[i].release();
  EXPECT_EQ(allocator.stats().live_buffers, 5u);
  EXPECT_EQ(allocator.stats().bytes_in_use, 5u * 64);
  buffers.push_back(allocator.allocate(61));  // padding 3
  EXPECT_EQ(allocator.stats().live_buffers, 6u);
  EXPECT_EQ(allocator.stats().bytes_in_use, 5u * 64 + 61);
  EXPECT_EQ(allocator.stats().padding_bytes, 3u);
  // From offset 704, pool 0 takes one 4000 (to 4704), the next starts pool 1.
  buffers.push_back(allocator.allocate(4000));
  buffers.push_back(allocator.allocate(4000));
  EXPECT_EQ(buffers[11].placement(), pooled(0, 704, 4000));
  EXPECT_EQ(buffers[12].placement(), pooled(1, 0, 4000));
  PoolStats expected;
  expected.live_buffers = 8;
  expected.live_pools = 2;
  expected.bytes_in_use = 5 * 64 + 61 + 8000;
  expected.pool_bytes = 2 * 8192;
  expected.padding_bytes = 3;
  expected.tail_waste_bytes = 8192 - 4704;
  expected.pools_created = 2;
  EXPECT_EQ(allocator.stats(), expected);
  // Pool 0 dies with its last buffer and goes to the cache.
  for (int i = 1; i < 11; i += 2) buffers[i].release();
  buffers[10].release();
  buffers[11].release();
  expected.live_buffers = 1;
  expected.live_pools = 1;
  expected.bytes_in_use = 4000;
  expected.pool_bytes = 8192;
  expected.cached_pools = 1;
  EXPECT_EQ(allocator.stats(), expected);
}

// release() writes only the handle's pool; data() and size() read it first.
TEST(PoolAllocator, AReleasedHandleHasNoBytes) {
  PoolAllocator allocator;
  for (const std::size_t n : {std::size_t{10}, std::size_t{5000}, std::size_t{0}}) {
    Buffer buffer = allocator.allocate(n);
    buffer.release();
    EXPECT_FALSE(buffer.live()) << n;
    EXPECT_EQ(buffer.data(), nullptr) << n;
    EXPECT_EQ(buffer.size(), 0u) << n;
    EXPECT_TRUE(buffer.bytes().empty()) << n;
    EXPECT_EQ(buffer.placement(), unpooled(0)) << n;
  }
  EXPECT_EQ(allocator.stats().live_buffers, 0u);
}

TEST(PoolAllocator, OffsetRoundedPastACapacityThatIsNotAMultipleOfTheAlignment) {
  PoolAllocator allocator;
  allocator.set_pool_size(101);
  Buffer a = allocator.allocate(49);
  Buffer b = allocator.allocate(45);
  EXPECT_EQ(a.placement(), pooled(0, 0, 49));
  EXPECT_EQ(b.placement(), pooled(0, 56, 45));
  EXPECT_EQ(allocator.room(), -3);  // offset 104 > capacity 101
  EXPECT_EQ(allocator.allocate(1).placement(), pooled(1, 0, 1));
}

TEST(PoolAllocator, ZeroBytesIsAnEmptyBufferOfNoPool) {
  PoolAllocator allocator;
  Buffer empty = allocator.allocate(0);
  EXPECT_EQ(empty.placement(), unpooled(0));
  EXPECT_EQ(allocator.room(), std::nullopt);
  EXPECT_EQ(allocator.stats().live_buffers, 1u);
}

TEST(PoolAllocator, AllocateWithKeepsWhatTheWriterWrote) {
  PoolAllocator allocator;
  Buffer a = allocator.allocate_with(40, [](std::span<std::byte> bytes) {
    EXPECT_EQ(bytes.size(), 40u);
    std::memset(bytes.data(), 'x', 5);
    return std::size_t{5};
  });
  EXPECT_EQ(a.placement(), pooled(0, 0, 5));
  EXPECT_EQ(static_cast<char>(a.data()[4]), 'x');
  Buffer zero = allocator.allocate_with(16, [](std::span<std::byte>) { return std::size_t{0}; });
  EXPECT_EQ(zero.placement(), pooled(0, 8, 0));  // a pooled buffer of length 0
}

TEST(PoolAllocator, AllocateWithAboveTheThresholdGetsExactlyTheKeptBytes) {
  PoolAllocator allocator;
  Buffer a = allocator.allocate_with(5000, [](std::span<std::byte> bytes) {
    std::memset(bytes.data(), 'y', 3000);
    return std::size_t{3000};
  });
  EXPECT_EQ(a.placement(), unpooled(3000));
  EXPECT_EQ(static_cast<char>(a.data()[2999]), 'y');
  EXPECT_EQ(allocator.stats().unpooled_bytes, 3000u);
}

TEST(PoolAllocator, WriterKeepingMoreThanReservedThrows) {
  PoolAllocator allocator;
  auto liar = [](std::span<std::byte> bytes) { return bytes.size() + 1; };
  EXPECT_THROW(allocator.allocate_with(10, liar), std::length_error);
  EXPECT_THROW(allocator.allocate_with(5000, liar), std::length_error);
  EXPECT_EQ(allocator.stats().live_buffers, 0u);
  EXPECT_EQ(allocator.stats().unpooled_bytes, 0u);
}

TEST(PoolAllocator, RequestBeyondTheMaximumThrowsAndChangesNothing) {
  PoolAllocator allocator;
  Buffer a = allocator.allocate(10);
  const PoolStats before = allocator.stats();
  EXPECT_THROW(allocator.allocate(kMaxRequest + 1), std::length_error);
  EXPECT_THROW(allocator.allocate_with(kMaxRequest + 1, [](auto) { return std::size_t{0}; }),
               std::length_error);
  EXPECT_EQ(allocator.stats(), before);
  EXPECT_EQ(allocator.room(), 8192 - 16);
}

TEST(PoolAllocator, UpstreamFailureChangesNothing) {
  LimitedResource upstream(1);
  PoolOptions options;
  options.upstream = &upstream;
  {
    PoolAllocator allocator(options);
    Buffer a = allocator.allocate(4000);  // pool 0: the one request allowed
    Buffer b = allocator.allocate(4000);
    const PoolStats before = allocator.stats();
    EXPECT_THROW(allocator.allocate(4000), std::bad_alloc);  // needs pool 1
    EXPECT_THROW(allocator.allocate(5000), std::bad_alloc);  // unpooled
    EXPECT_THROW(allocator.allocate_with(5000, [](auto) { return std::size_t{1}; }), std::bad_alloc);
    EXPECT_EQ(allocator.stats(), before);
    EXPECT_EQ(allocator.room(), 8192 - 8000);
    Buffer c = allocator.allocate(100);  // the current pool still works
    EXPECT_EQ(c.placement(), pooled(0, 8000, 100));
  }
  EXPECT_EQ(upstream.live, 0);
}

TEST(PoolAllocator, DeadPoolIsReusedInsteadOfAllocated) {
  LimitedResource upstream(2);
  PoolOptions options;
  options.upstream = &upstream;
  PoolAllocator allocator(options);
  for (int i = 0; i < 100; ++i) {
    Buffer a = allocator.allocate(4000);
    Buffer b = allocator.allocate(4000);
  }  // from the second round on, each needs a new pool; the old one is dead
  EXPECT_EQ(allocator.stats().pools_created, 1u);
  EXPECT_EQ(allocator.stats().pools_reused, 99u);
  EXPECT_EQ(upstream.live, 1);
}

TEST(PoolAllocator, CacheKeepsAtMostItsLimit) {
  LimitedResource upstream(1000);
  PoolOptions options;
  options.upstream = &upstream;
  options.cache_limit = 2;
  PoolAllocator allocator(options);
  std::vector<Buffer> pins;
  for (int i = 0; i < 6; ++i) pins.push_back(allocator.allocate(4095));  // pools 0..2
  pins.push_back(allocator.allocate(4095));                            // pool 3
  EXPECT_EQ(allocator.stats().live_pools, 4u);
  pins.clear();  // pools 0..2 die; pool 3 is current
  EXPECT_EQ(allocator.stats().cached_pools, 2u);
  EXPECT_EQ(allocator.stats().live_pools, 1u);
  EXPECT_EQ(upstream.live, 3);  // current + two cached
}

// docs/SPEC.md, "Lifetime": the cache keeps a burst's pools while they are
// taken again, and gives back, at the end of a window of kCacheWindow pool
// starts, the ones it never needed during that window. Pool size 4: every
// allocate(1) starts a pool. (Replayed against the model too:
// corpus/scenarios/cache_gives_back_after_a_burst.ops.)
TEST(PoolAllocator, CacheFollowsABurstAndGivesItBackWhenQuiet) {
  LimitedResource upstream(100000);
  PoolOptions options;
  options.upstream = &upstream;
  options.pool_size = 4;
  PoolAllocator allocator(options);
  const auto burst = [&](std::size_t n) {
    std::vector<Buffer> buffers;
    for (std::size_t i = 0; i < n; ++i) buffers.push_back(allocator.allocate(1));
  };
  burst(300);  // pool starts 1..300; 299 pools die into the cache
  EXPECT_EQ(allocator.stats().cached_pools, 299u);
  for (int round = 0; round < 3; ++round) burst(300);  // taken from the cache and given back to it
  EXPECT_EQ(allocator.stats().pools_created, 300u);
  EXPECT_EQ(allocator.stats().cached_pools, 299u);
  // Quiet: one buffer at a time, each new pool reuses the one it replaces.
  // 1,200 starts so far. The window that ends at start 1,536 saw the cache
  // empty (the last burst emptied it at start 1,200): nothing goes back. The
  // next one, to start 2,048, never took from it: all 299 go back.
  for (int i = 0; i < 2 * static_cast<int>(kCacheWindow); ++i) allocator.allocate(1);
  EXPECT_EQ(allocator.stats().cached_pools, 0u);
  EXPECT_EQ(upstream.live, 1);  // the current pool
  burst(20);
  EXPECT_EQ(allocator.stats().pools_created, 319u);  // 19 new pools: the cache gave its pools back
}

TEST(PoolAllocator, LivePoolMemoryIsNeverHandedOutAgain) {
  PoolAllocator allocator;
  Buffer pin = allocator.allocate(4000);
  std::memset(pin.data(), 0x5A, pin.size());
  for (int i = 0; i < 50; ++i) {
    Buffer a = allocator.allocate(4000);
    Buffer b = allocator.allocate(4000);
    std::memset(a.data(), 0, a.size());
    std::memset(b.data(), 0, b.size());
  }
  for (std::byte byte : pin.bytes()) ASSERT_EQ(byte, std::byte{0x5A});
}

TEST(PoolAllocator, StatisticsAddUp) {
  PoolAllocator allocator;
  allocator.set_pool_size(101);
  Buffer a = allocator.allocate(49);  // padding 7
  Buffer b = allocator.allocate(45);  // end 101, offset 104: padding 0 inside the pool
  Buffer c = allocator.allocate(1);   // pool 1; tail waste 0
  Buffer d = allocator.allocate(60);  // unpooled
  const PoolStats& s = allocator.stats();
  EXPECT_EQ(s.live_buffers, 4u);
  EXPECT_EQ(s.bytes_in_use, 49u + 45 + 1 + 60);
  EXPECT_EQ(s.unpooled_bytes, 60u);
  EXPECT_EQ(s.live_pools, 2u);
  EXPECT_EQ(s.pool_bytes, 202u);
  EXPECT_EQ(s.padding_bytes, 7u + 7);  // 49 -> 56, then 57 -> 64 in pool 1
  EXPECT_EQ(s.tail_waste_bytes, 0u);
  EXPECT_EQ(s.pools_created, 2u);
}

TEST(PoolAllocator, MovedBufferReleasesOnce) {
  PoolAllocator allocator;
  Buffer a = allocator.allocate(10);
  Buffer b = std::move(a);
  EXPECT_FALSE(a.live());
  EXPECT_TRUE(b.live());
  a = std::move(b);
  EXPECT_EQ(allocator.stats().live_buffers, 1u);
  a.release();
  a.release();
  EXPECT_EQ(allocator.stats().live_buffers, 0u);
}

TEST(PoolAllocator, PoolMemoryIsAlignedForEverySetting) {
  for (std::size_t alignment = 1; alignment <= kMaxAlignment; alignment *= 2) {
    PoolOptions options;
    options.alignment = alignment;
    PoolAllocator allocator(options);
    Buffer a = allocator.allocate(3);
    Buffer b = allocator.allocate(3);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.data()) % std::max(alignment, alignof(std::max_align_t)), 0u);
    EXPECT_EQ(b.placement().offset % alignment, 0u);
  }
}

// The message std::invalid_argument carries; "(no exception)" if none.
std::string refusal(const PoolOptions& options) {
  try {
    PoolAllocator allocator(options);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(no exception)";
}

// Every setting is validated once (validate(), allocator/pool_types.h), and
// the allocator refuses what it refuses, cache_limit included (it used to
// reserve room for any number of cached pools), with the message users
// read; the bounds themselves are accepted.
TEST(PoolAllocator, RefusesEachBadSettingWithItsMessage) {
  struct Case {
    PoolOptions options;
    std::string_view setting;
    std::string message;
  };
  const auto with = [](std::size_t PoolOptions::*field, std::size_t value) {
    PoolOptions options;
    options.*field = value;
    return options;
  };
  PoolOptions no_upstream;
  no_upstream.upstream = nullptr;
  const Case cases[] = {
      {with(&PoolOptions::alignment, 0), "alignment", "alignment must be a power of two up to 4096, not 0"},
      {with(&PoolOptions::alignment, 3), "alignment", "alignment must be a power of two up to 4096, not 3"},
      {with(&PoolOptions::alignment, 8192), "alignment", "alignment must be a power of two up to 4096, not 8192"},
      {with(&PoolOptions::pool_size, kMaxPoolSize + 1), "pool_size",
       "pool_size 1073741825 is beyond 2^30 (1073741824)"},
      {with(&PoolOptions::cache_limit, 1'000'001), "cache_limit", "cache_limit 1000001 is beyond 1000000"},
      {with(&PoolOptions::cache_limit, std::size_t{1} << 40), "cache_limit",
       "cache_limit 1099511627776 is beyond 1000000"},
      {with(&PoolOptions::cache_window, 0), "cache_window", "cache_window must be from 1 to 1000000, not 0"},
      {with(&PoolOptions::cache_window, 1'000'001), "cache_window",
       "cache_window must be from 1 to 1000000, not 1000001"},
      {no_upstream, "upstream", "upstream must not be null"},
  };
  for (const Case& c : cases) {
    const std::optional<SettingError> error = validate(c.options);
    ASSERT_TRUE(error) << c.message;
    EXPECT_EQ(error->setting, c.setting);
    EXPECT_EQ(error->message, c.message);
    EXPECT_EQ(refusal(c.options), c.message);
  }
  for (const PoolOptions& options : {with(&PoolOptions::alignment, kMaxAlignment),
                                     with(&PoolOptions::pool_size, kMaxPoolSize),
                                     with(&PoolOptions::cache_limit, kMaxCacheLimit),
                                     with(&PoolOptions::cache_window, 1),
                                     with(&PoolOptions::cache_window, kMaxCacheWindow), PoolOptions{}}) {
    EXPECT_FALSE(validate(options));
    PoolAllocator allocator(options);
    Buffer buffer = allocator.allocate(100);
    EXPECT_EQ(buffer.size(), 100u);
    EXPECT_EQ(allocator.cache_limit(), options.cache_limit);
  }
}

// A refused pool_size or request alignment leaves the allocator as it was,
// and it goes on working.
TEST(PoolAllocator, RefusedSettingsLeaveTheAllocatorUnchangedAndUsable) {
  PoolAllocator allocator;
  Buffer first = allocator.allocate(10);
  const PoolStats before = allocator.stats();
  const auto room = allocator.room();
  try {
    allocator.set_pool_size(kMaxPoolSize + 1);
    ADD_FAILURE() << "pool_size 2^30 + 1 accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "pool_size 1073741825 is beyond 2^30 (1073741824)");
  }
  try {
    Buffer aligned = allocator.allocate(8, 96);
    ADD_FAILURE() << "alignment 96 accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "alignment must be a power of two from 1 to 2^30 (1073741824), not 96");
  }
  EXPECT_THROW(allocator.allocate_slow(8, std::size_t{1} << 31), std::invalid_argument);
  EXPECT_EQ(allocator.pool_size(), kDefaultPoolSize);
  EXPECT_EQ(allocator.stats(), before);
  EXPECT_EQ(allocator.room(), room);
  allocator.set_pool_size(kMaxPoolSize);  // the bound itself is accepted
  EXPECT_EQ(allocator.pool_size(), kMaxPoolSize);
  allocator.set_pool_size(kDefaultPoolSize);
  Buffer second = allocator.allocate(10);
  EXPECT_EQ(second.placement(), pooled(0, 16, 10));
}

TEST(PoolTypes, BoundsAreWrittenFromTheirConstants) {
  EXPECT_EQ(bound_text(kMaxPoolSize), "2^30");
  EXPECT_EQ(bound_text(kMaxRequestAlignment), "2^30");
  EXPECT_EQ(bound_text(kMaxAlignment), "4096");
  EXPECT_EQ(bound_text(kMaxCacheLimit), "1000000");
  EXPECT_EQ(bound_with_value(kMaxPoolSize), "2^30 (1073741824)");
  EXPECT_EQ(bound_with_value(kMaxCacheLimit), "1000000");
  // The rule itself: powers of two above 2^16 as 2^N.
  EXPECT_EQ(bound_text(std::size_t{1} << 16), "65536");
  EXPECT_EQ(bound_text(std::size_t{1} << 17), "2^17");
  EXPECT_EQ(bound_text((std::size_t{1} << 17) + 1), "131073");
  EXPECT_TRUE(is_pool_size(kMaxPoolSize) && !is_pool_size(kMaxPoolSize + 1));
  EXPECT_TRUE(is_setting_alignment(1) && is_setting_alignment(kMaxAlignment) && !is_setting_alignment(0) &&
              !is_setting_alignment(2 * kMaxAlignment) && !is_setting_alignment(12));
  EXPECT_TRUE(is_cache_limit(kMaxCacheLimit) && !is_cache_limit(kMaxCacheLimit + 1));
  EXPECT_TRUE(is_request_alignment(kMaxRequestAlignment) && !is_request_alignment(2 * kMaxRequestAlignment));
}

}  // namespace
}  // namespace poolcheck
