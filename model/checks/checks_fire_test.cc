// Every check of both checkers fires on its own: for each check, a
// deliberately wrong allocator (model/testing/) and a short sequence that
// the check, and no other, reports first, asserted by the check's name.
// docs/MUTATION.md ("Every check shown to fire") lists them with the
// checks that checker_test.cc already shows this way.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "model/checks/checker.h"
#include "model/checks/invariant_checker.h"
#include "model/ops/ops.h"
#include "model/testing/aimed_variants.h"
#include "model/testing/broken_rules.h"

namespace poolcheck {
namespace {

OpFile parsed(std::string_view text) {
  ParseResult result = parse_ops(text);
  EXPECT_TRUE(result.file) << result.error->message;
  return *result.file;
}

// The check the differential checker reports first ("(passed)" if none),
// with upstream request `fail_request` failing (0: none).
template <class Allocator>
std::string differential(std::string_view text, std::uint64_t fail_request = 0) {
  const OpFile file = parsed(text);
  DifferentialChecker<Allocator> checker(file.settings);
  checker.upstream().fail_request(fail_request);
  for (const Op& op : file.ops)
    if (checker.step(op)) break;
  const std::optional<Divergence> divergence = checker.finish();
  return divergence ? divergence->check : "(passed)";
}

template <class Allocator>
std::string invariants(std::string_view text) {
  const OpFile file = parsed(text);
  InvariantChecker<Allocator> checker(file.settings);
  for (const Op& op : file.ops)
    if (checker.step(op)) break;
  const std::optional<Divergence> divergence = checker.finish();
  return divergence ? divergence->check : "(passed)";
}

constexpr std::string_view kMisaligned = "#@ alignment 64\nalloc 8\n";
constexpr std::string_view kLargest = "alloc 1073741824\n";
constexpr std::string_view kBeyondLargest = "alloc 1073741825\n";
constexpr std::string_view kSeveral = "alloc 5\nalloc 6\nalloc 7\nrelease 0\nrelease 1\nrelease 2\nalloc 8\n";

TEST(ChecksFire, TheCorrectAllocatorPassesEverySequenceHere) {
  for (std::string_view text : {kMisaligned, kLargest, kBeyondLargest, kSeveral}) {
    EXPECT_EQ(differential<PoolAllocator>(text), "(passed)") << text;
    EXPECT_EQ(invariants<PoolAllocator>(text), "(passed)") << text;
  }
  EXPECT_EQ(differential<PoolAllocator>("fail_next\nalloc 8\n"), "(passed)");  // an injected failure, predicted
}

TEST(ChecksFire, Alignment) {
  EXPECT_EQ(differential<aimed::MisalignedMemoryAllocator>(kMisaligned), "alignment");
  EXPECT_EQ(invariants<aimed::MisalignedMemoryAllocator>(kMisaligned), "alignment");
}

TEST(ChecksFire, Failure) {
  EXPECT_EQ(differential<aimed::RejectsTheLargestRequestAllocator>(kLargest), "failure");
  EXPECT_EQ(invariants<aimed::RejectsTheLargestRequestAllocator>(kLargest), "failure");
}

TEST(ChecksFire, FailureAtomicity) {
  EXPECT_EQ(differential<aimed::KeepsABufferWhenItThrowsAllocator>(kBeyondLargest), "failure atomicity");
  EXPECT_EQ(differential<aimed::KeepsABufferWhenItThrowsAllocator>("alloc 8\n", 1), "failure atomicity");
  EXPECT_EQ(invariants<aimed::KeepsABufferWhenItThrowsAllocator>(kBeyondLargest), "failure atomicity");
}

TEST(ChecksFire, Settings) {
  EXPECT_EQ(differential<aimed::MisreportsTheCacheLimitAllocator>("alloc 8\n"), "settings");
}

TEST(ChecksFire, Handle) {
  EXPECT_EQ(differential<aimed::StaleHandleAllocator>(kSeveral), "handle");
}

TEST(ChecksFire, ContentOfWhatTheWriterWrote) {
  EXPECT_EQ(differential<PoolAllocator>("from 100 40\nfrom 5000 4000\n"), "(passed)");
  EXPECT_EQ(differential<aimed::DropsTheWrittenBytesAllocator>("from 100 40\n"), "content");
  EXPECT_EQ(invariants<aimed::DropsTheWrittenBytesAllocator>("from 5000 4000\n"), "content");
}

TEST(ChecksFire, Upstream) {
  // The first block goes back when its buffer is released (unpooled).
  EXPECT_EQ(differential<aimed::WrongReturnAlignmentAllocator>("alloc 5000\nrelease 0\n"), "upstream");
  EXPECT_EQ(invariants<aimed::WrongReturnAlignmentAllocator>("alloc 5000\nrelease 0\n"), "upstream");
  // A pool goes back only when the allocator is destroyed: finish() sees it.
  EXPECT_EQ(differential<aimed::WrongReturnAlignmentAllocator>("alloc 8\n"), "upstream");
}

TEST(ChecksFire, InvariantCheckerBumpStatsAndLifetime) {
  EXPECT_EQ(invariants<broken::NoAlignmentAllocator>("alloc 3\nalloc 3\n"), "bump");
  EXPECT_EQ(invariants<broken::NoTailWasteAllocator>("alloc 4000\nalloc 4000\nalloc 4000\n"), "stats");
  EXPECT_EQ(invariants<broken::RecycleTooEarlyAllocator>("alloc 4000\nalloc 4000\nrelease 1\nalloc 4000\n"),
            "lifetime");
}

}  // namespace
}  // namespace poolcheck
