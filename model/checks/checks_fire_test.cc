// Every check of the registry (model/checks/checks.def) fires on its own:
// for each row, a TEST named in the row's `test` column, in which the
// row's deliberately wrong allocator (model/testing/) makes that check,
// and no other, fire first, with every checker the row says raises it
// (expect_fires reads the `checkers` column). The registry's own tests are
// here too: every row is complete and names a test of this binary.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "model/checks/check.h"
#include "model/checks/checker.h"
#include "model/checks/invariant_checker.h"
#include "model/ops/ops.h"
#include "model/testing/aimed_variants.h"
#include "model/testing/broken_refusal.h"
#include "model/testing/broken_rules.h"
#include "model/testing/memory_twists.h"
#include "model/testing/misaligned_blocks.h"

namespace poolcheck {
namespace {

OpFile parsed(std::string_view text) {
  ParseResult result = parse_ops(text);
  EXPECT_TRUE(result.file) << result.error->message;
  return *result.file;
}

// The check a checker reports first; nullopt if it passes.
template <class Checker>
std::optional<Check> first_check(std::string_view text) {
  const OpFile file = parsed(text);
  Checker checker(file.settings);
  for (const Op& op : file.ops)
    if (checker.step(op)) break;
  const std::optional<Divergence> divergence = checker.finish();
  if (!divergence) return std::nullopt;
  return divergence->check;
}
template <class Allocator>
std::optional<Check> differential(std::string_view text) {
  return first_check<DifferentialChecker<Allocator>>(text);
}
template <class Allocator>
std::optional<Check> invariants(std::string_view text) {
  return first_check<InvariantChecker<Allocator>>(text);
}

// `check` fires first on `text`, with each checker its row names.
template <class Allocator>
void expect_fires(Check check, std::string_view text) {
  const Checkers checkers = row_of(check).checkers;
  if (runs_differential(checkers)) {
    EXPECT_EQ(differential<Allocator>(text), check) << "differential checker on\n" << text;
  }
  if (runs_invariant(checkers)) {
    EXPECT_EQ(invariants<Allocator>(text), check) << "invariant checker on\n" << text;
  }
}

constexpr std::string_view kMisaligned = "#@ alignment 64\nalloc 8\n";
constexpr std::string_view kLargest = "alloc 1073741824\n";
constexpr std::string_view kBeyondLargest = "alloc 1073741825\n";
constexpr std::string_view kSeveral = "alloc 5\nalloc 6\nalloc 7\nrelease 0\nrelease 1\nrelease 2\nalloc 8\n";
constexpr std::string_view kThreePools = "alloc 4000\nalloc 4000\nalloc 4000\n";
constexpr std::string_view kRecycled = "alloc 4000\nalloc 4000\nrelease 1\nalloc 4000\n";

TEST(ChecksFire, TheCorrectAllocatorPassesEverySequenceHere) {
  for (std::string_view text : {kMisaligned, kLargest, kBeyondLargest, kSeveral, kThreePools, kRecycled}) {
    EXPECT_EQ(differential<PoolAllocator>(text), std::nullopt) << text;
    EXPECT_EQ(invariants<PoolAllocator>(text), std::nullopt) << text;
  }
  EXPECT_EQ(differential<PoolAllocator>("fail_next\nalloc 8\n"), std::nullopt);  // an injected failure, predicted
  EXPECT_EQ(differential<PoolAllocator>("from 100 40\nfrom 5000 4000\n"), std::nullopt);
}

TEST(ChecksFire, Placement) {
  expect_fires<broken::ThresholdInclusiveAllocator>(Check::kPlacement, "alloc 4096\n");
  expect_fires<broken::OffByOneRoomAllocator>(Check::kPlacement, "pool_size 64\nalloc 24\nalloc 24\nalloc 16\n");
}

TEST(ChecksFire, Bounds) { expect_fires<broken::Twisted<broken::ShiftedUnpooled>>(Check::kBounds, "alloc 5000\n"); }

TEST(ChecksFire, Alignment) {
  POOLCHECK_SKIP_MISALIGNED_BLOCKS();
  expect_fires<aimed::MisalignedMemoryAllocator>(Check::kAlignment, kMisaligned);
}

TEST(ChecksFire, Overlap) {
  expect_fires<broken::Twisted<broken::AliasUnpooled>>(Check::kOverlap, "alloc 5000\nalloc 5000\n");
}

TEST(ChecksFire, Lifetime) { expect_fires<broken::RecycleTooEarlyAllocator>(Check::kLifetime, kRecycled); }

TEST(ChecksFire, Content) {
  expect_fires<broken::Twisted<broken::StrayWrite>>(Check::kContent, "alloc 100\nalloc 100\nrelease 0\n");
  // What allocate_with's writer wrote: pooled and unpooled.
  expect_fires<aimed::DropsTheWrittenBytesAllocator>(Check::kContent, "from 100 40\n");
  expect_fires<aimed::DropsTheWrittenBytesAllocator>(Check::kContent, "from 5000 4000\n");
}

TEST(ChecksFire, Leak) { expect_fires<broken::Twisted<broken::LeakOnce>>(Check::kLeak, "alloc 1\n"); }

TEST(ChecksFire, Upstream) {
  // The first block goes back when its buffer is released (unpooled).
  expect_fires<aimed::WrongReturnAlignmentAllocator>(Check::kUpstream, "alloc 5000\nrelease 0\n");
  // A pool goes back only when the allocator is destroyed: finish() sees it.
  expect_fires<aimed::WrongReturnAlignmentAllocator>(Check::kUpstream, "alloc 8\n");
}

TEST(ChecksFire, Stats) { expect_fires<broken::NoTailWasteAllocator>(Check::kStats, kThreePools); }

TEST(ChecksFire, Handle) { expect_fires<aimed::StaleHandleAllocator>(Check::kHandle, kSeveral); }

TEST(ChecksFire, Settings) { expect_fires<aimed::MisreportsTheCacheLimitAllocator>(Check::kSettings, "alloc 8\n"); }

TEST(ChecksFire, Failure) { expect_fires<aimed::RejectsTheLargestRequestAllocator>(Check::kFailure, kLargest); }

TEST(ChecksFire, FailureAtomicity) {
  expect_fires<aimed::KeepsABufferWhenItThrowsAllocator>(Check::kFailureAtomicity, kBeyondLargest);
  expect_fires<aimed::KeepsABufferWhenItThrowsAllocator>(Check::kFailureAtomicity, "fail_next\nalloc 5000\n");
}

TEST(ChecksFire, Refusal) {
  expect_fires<broken::ForgetsTheAlignmentCheckAllocator>(Check::kRefusal, "alloc 0 align 3\n");
  expect_fires<broken::ForgetsTheAlignmentCheckAllocator>(Check::kRefusal, "alloc 16 align 2147483648\n");
  expect_fires<broken::ForgetsTheAlignmentCheckAllocator>(Check::kRefusal, "alloc_slow 0 align 6\n");
  expect_fires<broken::AcceptsAnyPoolSizeAllocator>(Check::kRefusal, "pool_size 1073741825\n");
  expect_fires<broken::AcceptsAnyPoolSizeAllocator>(Check::kRefusal, "alloc 5\npool_size 18446744073709551615\n");
  expect_fires<broken::RefusesTheLargestAlignmentAllocator>(Check::kRefusal, "alloc 0 align 1073741824\n");
  expect_fires<broken::RefusesTheLargestAlignmentAllocator>(Check::kRefusal, "alloc_slow 0 align 1073741824\n");
  // The right exception in other words than docs/SPEC.md's (Failure).
  expect_fires<broken::MiswordsItsRefusalsAllocator>(Check::kRefusal, "alloc 0 align 3\n");
  expect_fires<broken::MiswordsItsRefusalsAllocator>(Check::kRefusal, "alloc 1073741825\n");
  expect_fires<broken::MiswordsItsRefusalsAllocator>(Check::kRefusal, "from 1073741825 0\n");
  expect_fires<broken::MiswordsItsRefusalsAllocator>(Check::kRefusal, "pool_size 1073741825\n");
  // Settings (try_S V): an allocator built where the spec refuses one.
  expect_fires<broken::AcceptsAnySettingsAllocator>(Check::kRefusal, "try_alignment 3\n");
  expect_fires<broken::AcceptsAnySettingsAllocator>(Check::kRefusal, "alloc 5\ntry_alignment 8192\n");
  expect_fires<broken::AcceptsAnySettingsAllocator>(Check::kRefusal, "try_pool_size 1073741825\n");
  expect_fires<broken::AcceptsAnySettingsAllocator>(Check::kRefusal, "try_cache_limit 1000001\n");
  expect_fires<broken::AcceptsAnySettingsAllocator>(Check::kRefusal, "try_cache_window 0\n");
  expect_fires<broken::MiswordsItsRefusalsAllocator>(Check::kRefusal, "try_pool_size 1073741825\n");
}

TEST(ChecksFire, Bump) { expect_fires<broken::NoAlignmentAllocator>(Check::kBump, "alloc 3\nalloc 3\n"); }

// Every value of `enum class Check` has a row (the enum is made from the
// rows, and the table is indexed by it: check.h's static_assert), with
// every field filled in and a name no other row has. Every check a fail()
// can raise is in the registry by construction: fail() takes the enum.
TEST(CheckRegistry, EveryRowIsCompleteAndItsNameIsItsOwn) {
  std::set<std::string_view> names;
  for (const CheckRow& row : kCheckRows) {
    SCOPED_TRACE(std::string(row.name));
    EXPECT_FALSE(row.name.empty());
    EXPECT_FALSE(row.verifies.empty());
    EXPECT_FALSE(row.allocator.empty());
    EXPECT_FALSE(row.test.empty());
    EXPECT_TRUE(names.insert(row.name).second) << "two rows named " << row.name;
    EXPECT_EQ(check_named(row.name), row.check);
    EXPECT_EQ(&row_of(row.check), &row);
  }
  EXPECT_EQ(check_named("no such check"), std::nullopt);
}

// Each row names a test of this binary, "checks_fire_test: Suite.Name",
// and that test exists: a check whose test is missing fails here.
TEST(CheckRegistry, EveryRowNamesATestThatExists) {
  std::set<std::string> tests;
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j)
      tests.insert(std::string(suite.name()) + "." + suite.GetTestInfo(j)->name());
  }
  constexpr std::string_view kBinary = "checks_fire_test: ";
  for (const CheckRow& row : kCheckRows) {
    ASSERT_TRUE(row.test.starts_with(kBinary)) << row.name << ": " << row.test;
    EXPECT_TRUE(tests.contains(std::string(row.test.substr(kBinary.size()))))
        << row.name << " names " << row.test << ", which this binary does not have";
  }
}

}  // namespace
}  // namespace poolcheck
