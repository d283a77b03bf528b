// Every fuzz target's check passes the correct allocator and parser, and
// fails deliberately wrong ones (model/testing/broken_rules.h): a target that cannot
// fail finds nothing.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/ops_text_check.h"
#include "fuzz/pool_diff_check.h"
#include "fuzz/pool_invariants_check.h"
#include "model/checks/check.h"
#include "model/testing/broken_alignment.h"
#include "model/testing/broken_failure.h"
#include "model/testing/broken_rules.h"
#include "model/testing/broken_wrappers.h"

namespace poolcheck::fuzz {
namespace {

// Text ops as the bytes a fuzzer would have to find: the checks run through
// the streaming decoder, as in a fuzzing run.
std::vector<std::uint8_t> bytes_of(std::string_view text) {
  ParseResult parsed = parse_ops(text);
  EXPECT_TRUE(parsed.file) << parsed.error->message;
  return encode_ops(parsed.file->ops, parsed.file->settings);
}

constexpr const char* kScenarios[] = {
    "alloc 4095\nalloc 4095\n",
    "alloc 256\nalloc 4095\nalloc 4095\n",
    "pool_size 101\nalloc 49\nalloc 45\nalloc 1\nfrom 0 0\n",
    "from 40 5\nfrom 16 0\nalloc 8\nfrom 5000 3000\nfrom 4096 0\nrelease 1\n",
    "alloc 4000\nalloc 4000\nrelease 0\nrelease 1\nalloc 4000\nalloc 4000\nalloc 4000\n",
    "#@ alignment 4096\nalloc 1\nalloc 1\nalloc 2049\npool_size 100\nalloc 3\n",
    "#@ alignment 1\nalloc 3\nalloc 3\nfrom 7 2\n",
    "#@ cache_limit 0\nalloc 4000\nalloc 4000\nrelease 0\nalloc 4000\nrelease 1\nalloc 4000\n",
    "#@ cache_limit 1\npool_size 64\nalloc 20\npool_size 128\nalloc 50\nrelease 0\nalloc 60\nrelease 1\nalloc 8\n",
    "alloc 1073741825\nalloc 0\nrelease 0\nfrom 1073741825 3\n",
};

// A report names the check that failed as "# divergence (CHECK) at ...";
// nullopt if it passed (or names no check of model/checks/checks.def).
std::optional<Check> check_of(const Report& report) {
  if (!report) return std::nullopt;
  const auto open = report->find('('), close = report->find(')');
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  return check_named(std::string_view(*report).substr(open + 1, close - open - 1));
}

TEST(FuzzPoolDiff, CorrectAllocatorPasses) {
  for (const char* text : kScenarios) {
    Report report = check_pool_diff(bytes_of(text));
    EXPECT_FALSE(report) << text << *report;
  }
}

TEST(FuzzPoolDiff, EveryBrokenRuleIsReportedWithTheSequence) {
  EXPECT_EQ(check_of(check_pool_diff<broken::NoAlignmentAllocator>(bytes_of("alloc 3\nalloc 3\n"))), Check::kStats);
  EXPECT_EQ(check_of(check_pool_diff<broken::OverRoundingAllocator>(bytes_of("alloc 8\nalloc 8\n"))), Check::kStats);
  EXPECT_EQ(check_of(check_pool_diff<broken::OffByOneRoomAllocator>(
                bytes_of("pool_size 64\nalloc 24\nalloc 24\nalloc 16\n"))),
            Check::kPlacement);
  EXPECT_EQ(check_of(check_pool_diff<broken::ThresholdInclusiveAllocator>(bytes_of("alloc 4096\n"))), Check::kPlacement);
  EXPECT_EQ(check_of(check_pool_diff<broken::UnsignedRoomAllocator>(
                bytes_of("pool_size 101\nalloc 49\nalloc 45\nalloc 1\n"))),
            Check::kPlacement);
  EXPECT_EQ(check_of(check_pool_diff<broken::RecycleTooEarlyAllocator>(
                bytes_of("alloc 4000\nalloc 4000\nrelease 1\nalloc 4000\n"))),
            Check::kLifetime);
  EXPECT_EQ(check_of(check_pool_diff<broken::NoTailWasteAllocator>(bytes_of("alloc 4000\nalloc 4000\nalloc 4000\n"))),
            Check::kStats);
  // The report is a replayable .ops file ending at the op that diverged.
  Report report = check_pool_diff<broken::ThresholdInclusiveAllocator>(bytes_of("alloc 3\nalloc 4096\nalloc 5\n"));
  ASSERT_TRUE(report);
  EXPECT_NE(report->find("at op 1: alloc 4096"), std::string::npos) << *report;
  ParseResult reparsed = parse_ops(*report);
  ASSERT_TRUE(reparsed.file);
  EXPECT_EQ(reparsed.file->ops, (std::vector<Op>{Op::alloc(3), Op::alloc(4096)}));
}

// The aligned, slow and failure ops reach the allocator targets through the
// decoder, and the targets catch what only they expose.
TEST(FuzzPoolDiff, NewOpsAndTheirBrokenVariantsAreReported) {
  const char* correct = "pool_size 128\nalloc 56\nalloc 8\nalloc 1\nalloc 56 align 64\nalloc 1 align 128\n"
                        "alloc_slow 9 align 4096\nfail_next\nalloc 5000\nfail_next 2\nfrom 5000 10\n";
  EXPECT_FALSE(check_pool_diff(bytes_of(correct)));
  EXPECT_FALSE(check_pool_invariants(bytes_of(correct)));
  EXPECT_EQ(check_of(check_pool_diff<broken::PadAfterRoomCheckAllocator>(
                bytes_of("pool_size 100\nalloc 1\nalloc 40 align 64\n"))),
            Check::kPlacement);
  EXPECT_EQ(check_of(check_pool_diff<broken::AlignedAbove64PooledAllocator>(bytes_of("alloc 1 align 128\n"))),
            Check::kPlacement);
  EXPECT_EQ(check_of(check_pool_diff<broken::SlowPooledAllocator>(bytes_of("alloc_slow 1\n"))), Check::kPlacement);
  EXPECT_EQ(check_of(check_pool_diff<broken::SixteenBytePoolBaseAllocator>(bytes_of("alloc 1\n"))), Check::kAlignment);
  EXPECT_EQ(check_of(check_pool_diff<broken::SpuriousBadAllocAllocator>(bytes_of("alloc 4096\n"))), Check::kFailure);
  EXPECT_EQ(check_of(check_pool_invariants<broken::SpuriousBadAllocAllocator>(bytes_of("alloc 4096\n"))), Check::kFailure);
  EXPECT_EQ(check_of(check_pool_diff<broken::PoolSizeLostOnFailureAllocator>(bytes_of("fail_next\nalloc 1 align 128\n"))),
            Check::kFailureAtomicity);
  EXPECT_EQ(check_of(check_pool_diff<broken::LeakOnUpstreamFailureAllocator>(bytes_of("fail_next 2\nalloc 1\n"))),
            Check::kFailureAtomicity);
}

TEST(FuzzPoolDiff, SequenceCheckMatchesTheByteCheck) {
  ParseResult parsed = parse_ops("pool_size 64\nalloc 24\nalloc 24\nalloc 16\n");
  EXPECT_FALSE(check_pool_diff_sequence(parsed.file->ops, parsed.file->settings));
  EXPECT_EQ(check_of(check_pool_diff_sequence<broken::OffByOneRoomAllocator>(parsed.file->ops, parsed.file->settings)),
            Check::kPlacement);
}

TEST(FuzzPoolInvariants, CorrectAllocatorPasses) {
  for (const char* text : kScenarios) {
    Report report = check_pool_invariants(bytes_of(text));
    EXPECT_FALSE(report) << text << *report;
    ParseResult parsed = parse_ops(text);
    report = check_pool_invariants_sequence(parsed.file->ops, parsed.file->settings);
    EXPECT_FALSE(report) << text << *report;
  }
}

// Without a model it cannot know where a buffer belongs (an off-by-one room
// or threshold places buffers consistently, only elsewhere), but whatever
// breaks memory or the statistics' own identities it catches.
TEST(FuzzPoolInvariants, BrokenRulesThatBreakAnInvariantAreReported) {
  EXPECT_EQ(check_of(check_pool_invariants<broken::NoAlignmentAllocator>(bytes_of("alloc 3\nalloc 3\n"))), Check::kBump);
  EXPECT_EQ(check_of(check_pool_invariants<broken::OverRoundingAllocator>(bytes_of("alloc 8\nalloc 8\n"))), Check::kBump);
  EXPECT_EQ(check_of(check_pool_invariants<broken::UnsignedRoomAllocator>(
                bytes_of("pool_size 101\nalloc 49\nalloc 45\nalloc 1\n"))),
            Check::kBounds);
  EXPECT_EQ(check_of(check_pool_invariants<broken::RecycleTooEarlyAllocator>(
                bytes_of("alloc 4000\nalloc 4000\nrelease 1\nalloc 4000\n"))),
            Check::kLifetime);
  EXPECT_EQ(check_of(check_pool_invariants<broken::NoTailWasteAllocator>(
                bytes_of("alloc 4000\nalloc 4000\nalloc 4000\n"))),
            Check::kStats);
}

TEST(FuzzPoolTargets, RandomInputsPassOnTheCorrectAllocator) {
  std::mt19937 rng(99);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::uint8_t> bytes(rng() % 256);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    Report diff = check_pool_diff(bytes);
    ASSERT_FALSE(diff) << *diff;
    Report invariants = check_pool_invariants(bytes);
    ASSERT_FALSE(invariants) << *invariants;
  }
}

TEST(FuzzOpsText, AcceptedTextRoundTripsAndRejectedTextNamesALine) {
  for (const char* text : kScenarios) EXPECT_FALSE(check_ops_text(text)) << text;
  const char* rejected[] = {"alloc\n", "alloc 1\nrelease 1\n", "alloc 1\n#@ alignment 8\n", "from 1 2",
                            "pool_size 99999999999999999999\n", "\xff\xfe", "alloc 1\r\nrelease 0\r\nrelease 0\r\n"};
  for (const char* text : rejected) {
    ASSERT_FALSE(parse_ops(text).file) << text;
    EXPECT_FALSE(check_ops_text(text)) << text;
  }
}

// What the parser must accept (docs/FORMATS.md), with the number of ops in
// each: a parser that rejects any of them is wrong, whatever line it names.
struct AcceptedText {
  const char* text;
  std::size_t ops;
};
constexpr AcceptedText kMustAccept[] = {
    {"", 0},
    {"# a comment only\n\n   \n\t\n", 0},
    {"alloc 0", 1},  // no newline at the end
    {"alloc 1\r\nrelease 0\r\n", 2},
    {"  \talloc   7\t # trailing comment\n", 1},
    {"#@ alignment 4096\n#@ cache_limit 1000000\n#@ pool_size 1073741824\nalloc 1\n", 1},
    {"#@ alignment 1\n#@ cache_limit 0\n#@ pool_size 0\n", 0},
    {"pool_size 0\nalloc 1\npool_size 1073741824\nalloc 1\n", 4},
    {"from 5 5\nfrom 5 0\nfrom 0 0\nrelease 2\nrelease 0\n", 5},
    {"alloc 18446744073709551615\nfrom 1073741825 1073741825\nalloc 00042\n", 3},
};

TEST(FuzzOpsText, TextsThatMustBeAcceptedAreAccepted) {
  for (const AcceptedText& accepted : kMustAccept) {
    const ParseResult parsed = parse_ops(accepted.text);
    ASSERT_TRUE(parsed.file) << accepted.text << "\n" << parsed.error->message;
    EXPECT_EQ(parsed.file->ops.size(), accepted.ops) << accepted.text;
    EXPECT_FALSE(check_ops_text(accepted.text)) << accepted.text;
  }
  for (const char* text : kScenarios) ASSERT_TRUE(parse_ops(text).file) << text;
}

// Two wrong parsers the old check let through, since each rejection names a
// real line after lines that parse: one rejects every text but the empty one
// at line 1, one rejects every `from` line. The fuzz check prints each input
// read as binary ops and requires the parser to accept that text.
ParseResult reject_all_but_empty(std::string_view text) {
  if (text.empty()) return parse_ops(text);
  return {std::nullopt, ParseError{1, "rejected"}};
}
ParseResult reject_from(std::string_view text) {
  ParseResult parsed = parse_ops(text);
  if (!parsed.file) return parsed;
  for (std::size_t i = 0; i < parsed.file->ops.size(); ++i)
    if (parsed.file->ops[i].kind == OpKind::kFrom) return {std::nullopt, ParseError{parsed.file->lines[i], "no"}};
  return parsed;
}

TEST(FuzzOpsText, AParserThatRejectsValidTextIsReported) {
  for (const char* text : kScenarios) {
    Report report = check_ops_text(text, &print_ops, &reject_all_but_empty);
    ASSERT_TRUE(report) << text;
    EXPECT_NE(report->find("the parser rejects printed ops"), std::string::npos) << *report;
  }
  // Bytes that decode to a `from`, as the fuzzer would pass them.
  const std::vector<std::uint8_t> bytes = bytes_of("from 9 4\n");
  const std::string as_text(bytes.begin(), bytes.end());
  Report report = check_ops_text(as_text, &print_ops, &reject_from);
  ASSERT_TRUE(report);
  EXPECT_NE(report->find("the parser rejects printed ops"), std::string::npos) << *report;
  EXPECT_FALSE(check_ops_text(as_text)) << "the real parser accepts it";
}

std::string printer_without_settings(std::span<const Op> ops, const PoolOptions&) { return to_text(ops); }
std::string printer_swapping_from(std::span<const Op> ops, const PoolOptions& settings) {
  std::vector<Op> swapped(ops.begin(), ops.end());
  for (Op& op : swapped)
    if (op.kind == OpKind::kFrom) std::swap(op.a, op.b);
  return to_text(swapped, settings);
}

TEST(FuzzOpsText, AWrongPrinterIsReported) {
  Report dropped = check_ops_text("#@ cache_limit 3\nalloc 1\n", &printer_without_settings);
  ASSERT_TRUE(dropped);
  EXPECT_NE(dropped->find("print then parse changed the sequence"), std::string::npos) << *dropped;
  Report swapped = check_ops_text("from 9 4\n", &printer_swapping_from);
  ASSERT_TRUE(swapped);
  EXPECT_NE(swapped->find("printed ops do not parse"), std::string::npos) << *swapped;
}

}  // namespace
}  // namespace poolcheck::fuzz
