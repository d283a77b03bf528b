// The allocator agrees with the spec's limits as the model states them
// (model/ops/spec_limits.h), at each boundary, at run time. The model does
// not use the allocator's constants, so a mutant of one of them (2^30 - 1,
// `<` for `<=`) is no longer the model's bound too: these tests, and every
// differential check, see it. Run-time EXPECTs, not static_asserts: a
// static_assert would make such a mutant fail to compile (stillborn), not
// fail a test. No test here allocates near a bound (a request of 2^30
// itself would take 1 GiB): accepted values are asked at size 0, or are
// settings that allocate nothing up front.
#include "model/ops/spec_limits.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "allocator/pool_allocator.h"
#include "allocator/pool_types.h"
#include "model/ops/ops.h"

namespace poolcheck {
namespace {

constexpr std::size_t k2p30 = std::size_t{1} << 30;

TEST(SpecLimits, AreDocsSpecMdsNumbers) {
  EXPECT_EQ(spec::kMaxPoolSize, k2p30);
  EXPECT_EQ(spec::kMaxRequest, k2p30);
  EXPECT_EQ(spec::kMaxAlignment, 4096u);
  EXPECT_EQ(spec::kMaxRequestAlignment, k2p30);
  EXPECT_EQ(spec::kMaxCacheLimit, 1'000'000u);
  EXPECT_EQ(spec::kMaxCacheWindow, 1'000'000u);
}

TEST(SpecLimits, TheAllocatorsConstantsAreTheSpecs) {
  EXPECT_EQ(kMaxPoolSize, spec::kMaxPoolSize);
  EXPECT_EQ(kMaxRequest, spec::kMaxRequest);
  EXPECT_EQ(kMaxAlignment, spec::kMaxAlignment);
  EXPECT_EQ(kMaxRequestAlignment, spec::kMaxRequestAlignment);
  EXPECT_EQ(kMaxCacheLimit, spec::kMaxCacheLimit);
  EXPECT_EQ(kMaxCacheWindow, spec::kMaxCacheWindow);
}

// The values around every bound, and a few that are not powers of two.
std::vector<std::size_t> boundary_values() {
  std::vector<std::size_t> values = {0, 1, 2, 3, 4, 6, 8, 64, 96, 128, 4095, 4096, 4097, 8192, ~std::size_t{0}};
  for (const std::size_t bound : {k2p30, std::size_t{1'000'000}, std::size_t{1} << 29, std::size_t{1} << 31})
    for (const std::size_t value : {bound - 1, bound, bound + 1}) values.push_back(value);
  return values;
}

TEST(SpecLimits, TheAllocatorsPredicatesAgreeAtEveryBoundary) {
  for (const std::size_t value : boundary_values()) {
    SCOPED_TRACE(value);
    EXPECT_EQ(is_power_of_two(value), spec::is_power_of_two(value));
    EXPECT_EQ(is_pool_size(value), spec::is_pool_size(value));
    EXPECT_EQ(is_setting_alignment(value), spec::is_setting_alignment(value));
    EXPECT_EQ(is_cache_limit(value), spec::is_cache_limit(value));
    EXPECT_EQ(is_cache_window(value), spec::is_cache_window(value));
    EXPECT_EQ(is_request_alignment(value), spec::is_request_alignment(value));
  }
}

TEST(SpecLimits, TheSpecsPredicatesAtTheirBoundaries) {
  EXPECT_TRUE(spec::is_pool_size(k2p30));
  EXPECT_FALSE(spec::is_pool_size(k2p30 + 1));
  EXPECT_TRUE(spec::is_request_size(k2p30));
  EXPECT_FALSE(spec::is_request_size(k2p30 + 1));
  EXPECT_TRUE(spec::is_request_alignment(1));
  EXPECT_TRUE(spec::is_request_alignment(k2p30));
  EXPECT_FALSE(spec::is_request_alignment(k2p30 * 2));
  EXPECT_FALSE(spec::is_request_alignment(0));
  EXPECT_FALSE(spec::is_request_alignment(96));
  EXPECT_TRUE(spec::is_setting_alignment(4096));
  EXPECT_FALSE(spec::is_setting_alignment(8192));
  EXPECT_FALSE(spec::is_setting_alignment(0));
  EXPECT_TRUE(spec::is_cache_limit(0));
  EXPECT_TRUE(spec::is_cache_limit(1'000'000));
  EXPECT_FALSE(spec::is_cache_limit(1'000'001));
  EXPECT_FALSE(spec::is_cache_window(0));
  EXPECT_TRUE(spec::is_cache_window(1));
  EXPECT_TRUE(spec::is_cache_window(1'000'000));
  EXPECT_FALSE(spec::is_cache_window(1'000'001));
}

// The allocator itself, not its predicates: the largest request alignment
// is accepted (an empty buffer, no block), the next power of two is
// refused and changes nothing.
TEST(SpecLimits, TheAllocatorAcceptsAndRefusesRequestAlignmentsAsTheSpecSays) {
  PoolAllocator allocator;
  for (const std::size_t alignment : {std::size_t{1}, spec::kMaxRequestAlignment / 2, spec::kMaxRequestAlignment}) {
    SCOPED_TRACE(alignment);
    EXPECT_NO_THROW(allocator.allocate(0, alignment));
    EXPECT_NO_THROW(allocator.allocate_slow(0, alignment));
  }
  const PoolStats before = allocator.stats();
  for (const std::size_t alignment : {spec::kMaxRequestAlignment * 2, std::size_t{0}, std::size_t{3}}) {
    SCOPED_TRACE(alignment);
    EXPECT_THROW(allocator.allocate(0, alignment), std::invalid_argument);
    EXPECT_THROW(allocator.allocate(16, alignment), std::invalid_argument);
    EXPECT_THROW(allocator.allocate_slow(0, alignment), std::invalid_argument);
  }
  EXPECT_EQ(allocator.stats(), before);
}

TEST(SpecLimits, TheAllocatorRefusesARequestBeyondTheSpecsBound) {
  PoolAllocator allocator;
  const PoolStats before = allocator.stats();
  EXPECT_THROW(allocator.allocate(spec::kMaxRequest + 1), std::length_error);
  EXPECT_THROW(allocator.allocate(spec::kMaxRequest + 1, 8), std::length_error);
  EXPECT_THROW(allocator.allocate_slow(spec::kMaxRequest + 1), std::length_error);
  EXPECT_THROW(allocator.allocate_with(spec::kMaxRequest + 1, [](auto) { return std::size_t{0}; }), std::length_error);
  EXPECT_EQ(allocator.stats(), before);
}

TEST(SpecLimits, TheAllocatorTakesThePoolSizesTheSpecTakes) {
  PoolAllocator allocator;
  EXPECT_NO_THROW(allocator.set_pool_size(spec::kMaxPoolSize));  // takes effect at the next allocation
  EXPECT_EQ(allocator.pool_size(), spec::kMaxPoolSize);
  EXPECT_THROW(allocator.set_pool_size(spec::kMaxPoolSize + 1), std::invalid_argument);
  EXPECT_EQ(allocator.pool_size(), spec::kMaxPoolSize);
  EXPECT_NO_THROW(allocator.set_pool_size(0));
  EXPECT_EQ(allocator.pool_size(), 0u);
}

// Every setting at its bound and one past it: the allocator and the spec
// (spec::validate, which the reference model asks) agree.
TEST(SpecLimits, TheAllocatorTakesTheSettingsTheSpecTakes) {
  struct Case {
    PoolOptions options;
    bool valid;
  };
  const auto with = [](std::size_t PoolOptions::*field, std::size_t value) {
    PoolOptions options;
    options.*field = value;
    return options;
  };
  const Case cases[] = {
      {with(&PoolOptions::pool_size, spec::kMaxPoolSize), true},
      {with(&PoolOptions::pool_size, spec::kMaxPoolSize + 1), false},
      {with(&PoolOptions::alignment, spec::kMaxAlignment), true},
      {with(&PoolOptions::alignment, spec::kMaxAlignment * 2), false},
      {with(&PoolOptions::alignment, 12), false},
      {with(&PoolOptions::cache_limit, spec::kMaxCacheLimit), true},
      {with(&PoolOptions::cache_limit, spec::kMaxCacheLimit + 1), false},
      {with(&PoolOptions::cache_window, 1), true},
      {with(&PoolOptions::cache_window, 0), false},
      {with(&PoolOptions::cache_window, spec::kMaxCacheWindow), true},
      {with(&PoolOptions::cache_window, spec::kMaxCacheWindow + 1), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "pool_size " << c.options.pool_size << ", alignment " << c.options.alignment
                                      << ", cache_limit " << c.options.cache_limit << ", cache_window "
                                      << c.options.cache_window);
    EXPECT_EQ(!spec::validate(c.options).has_value(), c.valid);
    if (c.valid)
      EXPECT_NO_THROW(PoolAllocator{c.options});
    else
      EXPECT_THROW(PoolAllocator{c.options}, std::invalid_argument);
  }
}

// docs/SPEC.md's words (Failure: the table of messages), written out: the
// model's, and what the allocator's exceptions say.
TEST(SpecLimits, TheRefusalsSayWhatTheSpecSays) {
  EXPECT_EQ(spec::bound_text(k2p30), "2^30");
  EXPECT_EQ(spec::bound_text(std::size_t{1} << 17), "2^17");
  EXPECT_EQ(spec::bound_text(std::size_t{1} << 16), "65536");
  EXPECT_EQ(spec::bound_with_value(k2p30), "2^30 (1073741824)");
  EXPECT_EQ(spec::bound_with_value(1'000'000), "1000000");
  const auto op = [](const char* text) { return parse_ops(text).file->ops.at(0); };
  EXPECT_EQ(refusal_message(op("alloc 0 align 96")), "alignment must be a power of two from 1 to 2^30 (1073741824), not 96");
  EXPECT_EQ(refusal_message(op("alloc_slow 5 align 2147483648")),
            "alignment must be a power of two from 1 to 2^30 (1073741824), not 2147483648");
  EXPECT_EQ(refusal_message(op("alloc 1073741825")), "request 1073741825 is beyond 2^30 (1073741824)");
  EXPECT_EQ(refusal_message(op("from 1073741825 3")), "request 1073741825 is beyond 2^30 (1073741824)");
  EXPECT_EQ(refusal_message(op("pool_size 1073741825")), "pool_size 1073741825 is beyond 2^30 (1073741824)");
  EXPECT_EQ(refusal_message(op("alloc 1073741824")), "");
  EXPECT_EQ(spec::alignment_error(3), "alignment must be a power of two up to 4096, not 3");
  EXPECT_EQ(spec::cache_limit_error(1'000'001), "cache_limit 1000001 is beyond 1000000");
  EXPECT_EQ(spec::cache_window_error(0), "cache_window must be from 1 to 1000000, not 0");

  PoolAllocator allocator;
  const auto said = [](auto&& call) -> std::string {
    try {
      call();
    } catch (const std::exception& refused) {
      return refused.what();
    }
    return "(nothing thrown)";
  };
  EXPECT_EQ(said([&] { allocator.allocate(0, 96); }), refusal_message(op("alloc 0 align 96")));
  EXPECT_EQ(said([&] { allocator.allocate(k2p30 + 1); }), refusal_message(op("alloc 1073741825")));
  EXPECT_EQ(said([&] { allocator.set_pool_size(k2p30 + 1); }), refusal_message(op("pool_size 1073741825")));
  PoolOptions options;
  options.alignment = 3;
  EXPECT_EQ(said([&] { PoolAllocator{options}; }), spec::alignment_error(3));
}

}  // namespace
}  // namespace poolcheck
