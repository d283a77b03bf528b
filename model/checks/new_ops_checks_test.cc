// The checkers catch what the aligned, slow and failure ops can break
// (docs/SPEC.md): each deliberately wrong allocator of model/testing/
// broken_alignment.h and broken_failure.h, by the check that should.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "model/checks/checker.h"
#include "model/checks/invariant_checker.h"
#include "model/testing/broken_alignment.h"
#include "model/testing/broken_failure.h"
#include "model/testing/broken_wrappers.h"

namespace poolcheck {
namespace {

template <class Checker>
std::optional<Divergence> run(std::string_view text) {
  ParseResult parsed = parse_ops(text);
  EXPECT_TRUE(parsed.file) << parsed.error->message;
  Checker checker(parsed.file->settings);
  for (const Op& op : parsed.file->ops)
    if (checker.step(op)) break;
  return checker.finish();
}
template <class Allocator>
std::optional<Divergence> diff(std::string_view text) {
  return run<DifferentialChecker<Allocator>>(text);
}
template <class Allocator>
std::optional<Divergence> invariants(std::string_view text) {
  return run<InvariantChecker<Allocator>>(text);
}

std::string summary(const std::optional<Divergence>& d) {
  if (!d) return "(passed)";
  return std::string(name_of(d->check)) + " at op " + std::to_string(d->op_index) + ": " + d->actual;
}

constexpr const char* kSequences[] = {
    "pool_size 100\nalloc 1\nalloc 40 align 64\nalloc 10 align 32\n",
    "pool_size 128\nalloc 56\nalloc 8\nalloc 1\nalloc 56 align 64\nalloc 1 align 128\nalloc_slow 9 align 4096\n",
    "alloc 1\nalloc_slow 1\nalloc_slow 10 align 4096\nalloc 0 align 64\nalloc 4096 align 8\nrelease 1\n",
    "fail_next\nalloc 1 align 128\nfail_next 2\nalloc 5000\nalloc_slow 3\nfail_next\nfrom 5000 10\n",
    "#@ alignment 128\nalloc 3 align 64\nalloc 5\nalloc 7 align 1024\n",
    "fail_next 3\nalloc 10\n",  // never reached: nothing fails
};

TEST(NewOpsChecks, CorrectAllocatorPassesBothCheckers) {
  for (const char* text : kSequences) {
    EXPECT_FALSE(diff<PoolAllocator>(text)) << text << summary(diff<PoolAllocator>(text));
    EXPECT_FALSE(invariants<PoolAllocator>(text)) << text << summary(invariants<PoolAllocator>(text));
  }
}

TEST(NewOpsChecks, PaddingAfterTheRoomCheckIsCaught) {
  const char* text = "pool_size 100\nalloc 1\nalloc 40 align 64\n";  // 64 + 40 > 100: a new pool
  auto d = diff<broken::PadAfterRoomCheckAllocator>(text);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kPlacement) << summary(d);
  EXPECT_EQ(d->op_index, 2u);
  auto i = invariants<broken::PadAfterRoomCheckAllocator>(text);
  ASSERT_TRUE(i);
  EXPECT_EQ(i->check, Check::kBump) << summary(i);  // placed past the end instead of in a new pool
}

TEST(NewOpsChecks, PoolMemoryOnlySixteenByteAlignedIsCaught) {
  auto d = diff<broken::SixteenBytePoolBaseAllocator>("alloc 1\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kAlignment) << summary(d);
  EXPECT_NE(d->expected.find("memory aligned to 64"), std::string::npos) << d->expected;
  auto i = invariants<broken::SixteenBytePoolBaseAllocator>("alloc 1\n");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->check, Check::kAlignment) << summary(i);
}

TEST(NewOpsChecks, AlignmentAbove64PooledIsCaught) {
  auto d = diff<broken::AlignedAbove64PooledAllocator>("alloc 1 align 128\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kPlacement) << summary(d);
  auto i = invariants<broken::AlignedAbove64PooledAllocator>("alloc 1 align 128\n");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->check, Check::kBump) << summary(i);
}

TEST(NewOpsChecks, SlowPooledIsCaught) {
  auto d = diff<broken::SlowPooledAllocator>("alloc_slow 1\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kPlacement) << summary(d);
  auto i = invariants<broken::SlowPooledAllocator>("alloc_slow 1\n");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->check, Check::kBump) << summary(i);
}

TEST(NewOpsChecks, ARequestedAlignmentIsCheckedOnTheAddress) {
  auto d = diff<broken::SlowAlignmentDroppedAllocator>("alloc_slow 1 align 4096\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kAlignment) << summary(d);
  EXPECT_EQ(d->expected, "address aligned to 4096 as requested");
  auto i = invariants<broken::SlowAlignmentDroppedAllocator>("alloc_slow 1 align 4096\n");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->check, Check::kAlignment) << summary(i);
}

// Issue 10, 4.1: a std::bad_alloc that upstream did not throw is a
// divergence (the checker used to retry after any).
TEST(NewOpsChecks, ASpuriousBadAllocIsCaught) {
  auto d = diff<broken::SpuriousBadAllocAllocator>("alloc 5000\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kFailure) << summary(d);
  EXPECT_EQ(d->actual, "std::bad_alloc that upstream did not throw");
  auto i = invariants<broken::SpuriousBadAllocAllocator>("alloc 5000\n");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->check, Check::kFailure) << summary(i);
}

TEST(NewOpsChecks, StateChangedBeforeAFailingRequestIsCaughtOnlyWithFailNext) {
  EXPECT_FALSE(diff<broken::PoolSizeLostOnFailureAllocator>("alloc 1 align 128\nalloc 10\nalloc 5000 align 4096\n"));
  auto d = diff<broken::PoolSizeLostOnFailureAllocator>("fail_next\nalloc 1 align 128\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kFailureAtomicity) << summary(d);
  EXPECT_EQ(d->actual, "pool_size 0");
  auto i = invariants<broken::PoolSizeLostOnFailureAllocator>("fail_next\nalloc 1 align 128\n");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->check, Check::kFailureAtomicity) << summary(i);
}

// Found by fuzz_pool_diff against PoolSizeLostOnFailure: a request above
// 2^30 makes the shim throw std::length_error past its restore, and the
// checkers compared only the statistics after a length_error.
TEST(NewOpsChecks, StateChangedBeforeALengthErrorIsCaught) {
  auto d = diff<broken::PoolSizeLostOnFailureAllocator>("alloc 1073741825 align 128\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kFailureAtomicity) << summary(d);
  auto i = invariants<broken::PoolSizeLostOnFailureAllocator>("alloc 1073741825 align 128\n");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->check, Check::kFailureAtomicity) << summary(i);
}

TEST(NewOpsChecks, ALeakOnUpstreamFailureIsCaughtOnlyWithFailNext) {
  EXPECT_FALSE(diff<broken::LeakOnUpstreamFailureAllocator>("alloc 1\nalloc 5000\n"));
  // Its bookkeeping request comes first, so the second request from now is
  // the pool's own: the note taken before it is lost.
  auto d = diff<broken::LeakOnUpstreamFailureAllocator>("fail_next 2\nalloc 1\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kFailureAtomicity) << summary(d);
  auto i = invariants<broken::LeakOnUpstreamFailureAllocator>("fail_next 2\nalloc 1\n");
  ASSERT_TRUE(i);
  EXPECT_EQ(i->check, Check::kFailureAtomicity) << summary(i);
}

// An allocator that swallows the injected failure and retries itself breaks
// the rule that the failure reaches the caller.
class SwallowsBadAlloc : public PoolAllocator {
 public:
  using PoolAllocator::PoolAllocator;
  using PoolAllocator::allocate;
  Buffer allocate(std::size_t n) {
    try {
      return PoolAllocator::allocate(n);
    } catch (const std::bad_alloc&) {
      return PoolAllocator::allocate(n);
    }
  }
};

TEST(NewOpsChecks, AFailureThatDoesNotReachTheCallerIsCaught) {
  auto d = diff<SwallowsBadAlloc>("fail_next\nalloc 1\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kFailure) << summary(d);
}

}  // namespace
}  // namespace poolcheck
