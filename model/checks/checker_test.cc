#include "model/checks/checker.h"

#include <gtest/gtest.h>

#include <random>

#include "model/checks/invariant_checker.h"
#include "model/ops/op_codec.h"
#include "model/reference/decode_ops.h"
#include "model/testing/broken_rules.h"
#include "model/testing/broken_wrappers.h"
#include "model/testing/memory_twists.h"

namespace poolcheck {
namespace {

std::optional<Divergence> check_text(std::string_view text, auto allocator_tag) {
  using Allocator = typename decltype(allocator_tag)::type;
  ParseResult parsed = parse_ops(text);
  EXPECT_TRUE(parsed.file) << parsed.error->message;
  return check_ops<Allocator>(parsed.file->ops, parsed.file->settings);
}
template <class T>
struct Tag {
  using type = T;
};

constexpr const char* kSpecScenarios[] = {
    "alloc 4095\nalloc 4095\n",
    "alloc 256\nalloc 4095\nalloc 4095\n",
    "alloc 4096\nalloc 4095\n",
    "pool_size 100\nalloc 49\nalloc 50\n",
    "pool_size 101\nalloc 49\nalloc 45\nalloc 1\n",
    "from 40 5\nfrom 16 0\nfrom 5000 3000\nfrom 4096 0\nrelease 1\n",
    "alloc 4000\nalloc 4000\nrelease 0\nrelease 1\nalloc 4000\nalloc 4000\nalloc 4000\n",
    "#@ alignment 4096\nalloc 1\nalloc 1\nalloc 2049\n",
    "#@ cache_limit 0\nalloc 4000\nalloc 4000\nrelease 0\nalloc 4000\nrelease 1\nalloc 4000\n",
    "alloc 1073741825\nalloc 0\nrelease 0\n",
};

TEST(Checker, CorrectAllocatorPassesTheSpecScenarios) {
  for (const char* text : kSpecScenarios) {
    std::optional<Divergence> divergence = check_text(text, Tag<PoolAllocator>{});
    EXPECT_FALSE(divergence) << text << describe(*divergence, {}, {});
  }
}

TEST(Checker, CorrectAllocatorPassesRandomDecodedSequences) {
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::uint8_t> bytes(rng() % 200);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    DecodedOps decoded = decode_ops(bytes);
    std::optional<Divergence> divergence = check_ops(decoded.ops, decoded.settings);
    ASSERT_FALSE(divergence) << describe(*divergence, decoded.ops, decoded.settings);
  }
}

// Each deliberately wrong allocator is caught, by the check that should.
TEST(Checker, CatchesSkippedAlignment) {
  // The padding statistic gives it away first; with padding unchanged
  // (kept bytes already aligned) the next placement does.
  auto d = check_text("alloc 3\nalloc 3\n", Tag<broken::NoAlignmentAllocator>{});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kStats);
  EXPECT_EQ(d->op_index, 0u);
  EXPECT_EQ(d->actual, "padding_bytes 0 (expected 5)");
  auto over = check_text("alloc 8\nalloc 8\n", Tag<broken::OverRoundingAllocator>{});
  ASSERT_TRUE(over);
  EXPECT_EQ(over->check, Check::kStats);
}

TEST(Checker, CatchesOffByOneRoomAndInclusiveThresholdAndUnsignedRoom) {
  auto room = check_text("pool_size 64\nalloc 24\nalloc 24\nalloc 16\n", Tag<broken::OffByOneRoomAllocator>{});
  ASSERT_TRUE(room);
  EXPECT_EQ(room->check, Check::kPlacement);
  EXPECT_EQ(room->op_index, 3u);
  auto threshold = check_text("alloc 4096\n", Tag<broken::ThresholdInclusiveAllocator>{});
  ASSERT_TRUE(threshold);
  EXPECT_EQ(threshold->check, Check::kPlacement);
  auto underflow = check_text("pool_size 101\nalloc 49\nalloc 45\nalloc 1\n", Tag<broken::UnsignedRoomAllocator>{});
  ASSERT_TRUE(underflow);
  EXPECT_EQ(underflow->check, Check::kPlacement);
  EXPECT_EQ(underflow->op_index, 3u);
}

TEST(Checker, CatchesAPoolRecycledWhileABufferRefersToIt) {
  auto d = check_text("alloc 4000\nalloc 4000\nrelease 1\nalloc 4000\n", Tag<broken::RecycleTooEarlyAllocator>{});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kLifetime);
  EXPECT_EQ(d->op_index, 3u);
}

TEST(Checker, CatchesStatisticsThatForgetTailWaste) {
  auto d = check_text("alloc 4000\nalloc 4000\nalloc 4000\n", Tag<broken::NoTailWasteAllocator>{});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kStats);
  EXPECT_EQ(d->actual, "tail_waste_bytes 0 (expected 192)");
}

TEST(Checker, CatchesOverlapOfLiveBuffers) {
  auto d = check_text("alloc 5000\nalloc 5000\n", Tag<broken::Twisted<broken::AliasUnpooled>>{});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kOverlap);
}

TEST(Checker, CatchesAStrayWriteInContent) {
  auto d = check_text("alloc 100\nalloc 100\nrelease 0\n", Tag<broken::Twisted<broken::StrayWrite>>{});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kContent);
  EXPECT_EQ(d->op_index, 2u);
}

TEST(Checker, CatchesAnUnpooledBufferOutsideItsExactBlock) {
  auto d = check_text("alloc 5000\n", Tag<broken::Twisted<broken::ShiftedUnpooled>>{});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kBounds);
}

TEST(Checker, CatchesALeakedBlock) {
  auto d = check_text("alloc 1\n", Tag<broken::Twisted<broken::LeakOnce>>{});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->check, Check::kLeak);
}

// `fail_next K` at every place in a sequence whose ops make 6 upstream
// requests between them (pools 0 and 1, alloc 9000, from 9000 10's scratch
// block and its exact copy, alloc_slow 3 align 128): each one fails in turn,
// the checker sees the allocator unchanged and the op run again succeed, and
// the model counts the requests as the upstream does. Each iteration asserts
// that a failure was injected.
constexpr const char* kSixRequests =
    "alloc 4000\nalloc 4000\nalloc 4000\nalloc 9000\nfrom 9000 10\nalloc_slow 3 align 128\nrelease 0\n";

TEST(Checker, InjectedUpstreamFailureLeavesTheAllocatorAsItWas) {
  ParseResult plain = parse_ops(kSixRequests);
  ASSERT_TRUE(plain.file);
  DifferentialChecker<PoolAllocator> without({});
  for (const Op& op : plain.file->ops) ASSERT_FALSE(without.step(op));
  ASSERT_EQ(without.upstream().requests(), 6u);
  for (std::uint64_t k = 1; k <= 6; ++k) {
    ParseResult parsed = parse_ops("fail_next " + std::to_string(k) + "\n" + kSixRequests);
    ASSERT_TRUE(parsed.file);
    DifferentialChecker<PoolAllocator> checker({});
    for (const Op& op : parsed.file->ops) checker.step(op);
    std::optional<Divergence> divergence = checker.finish();
    EXPECT_FALSE(divergence) << "k=" << k << " " << divergence->check << ": " << divergence->actual;
    EXPECT_EQ(checker.upstream().injected_failures(), 1u) << "k=" << k << ": a failure was injected";
    // The op run again repeats the requests it made before the failing one:
    // from 9000 10's scratch block, when its exact copy (request 5) fails.
    EXPECT_EQ(checker.upstream().requests(), k == 5 ? 8u : 7u) << "k=" << k;
    EXPECT_EQ(checker.model().upstream_requests(), checker.upstream().requests()) << "k=" << k;
  }
}

// The failure-atomicity checks live in the shared skeleton, so the
// model-free checker has them too: a correct allocator recovers from every
// injected failure, and one that leaks on that path is caught.
TEST(Checker, InvariantCheckerSharesTheInjectedFailureChecks) {
  for (std::uint64_t k = 1; k <= 6; ++k) {
    ParseResult parsed = parse_ops("fail_next " + std::to_string(k) + "\n" + kSixRequests);
    InvariantChecker<PoolAllocator> checker({});
    for (const Op& op : parsed.file->ops) checker.step(op);
    std::optional<Divergence> divergence = checker.finish();
    EXPECT_FALSE(divergence) << "k=" << k << " " << divergence->check << ": " << divergence->actual;
    EXPECT_EQ(checker.upstream().injected_failures(), 1u) << "k=" << k;
  }
  InvariantChecker<broken::LeakOnUpstreamFailureAllocator> leaky({});
  leaky.step(Op::fail_next(2));  // the block after its bookkeeping note
  leaky.step(Op::alloc(100));
  std::optional<Divergence> caught = leaky.finish();
  ASSERT_TRUE(caught);
  EXPECT_EQ(caught->check, Check::kFailureAtomicity);
}

TEST(Checker, ReportNamesTheOpExpectedActualAndTheSequence) {
  ParseResult parsed = parse_ops("alloc 3\nalloc 4096\nalloc 3\n");
  auto d = check_ops<broken::ThresholdInclusiveAllocator>(parsed.file->ops, {});
  ASSERT_TRUE(d);
  const std::string report = describe(*d, parsed.file->ops, {});
  EXPECT_EQ(report,
            "# divergence (placement) at op 1: alloc 4096\n"
            "#   expected: unpooled, length 4096\n"
            "#   actual:   pool 0 offset 8 length 4096\n"
            "# the sequence up to that op:\n"
            "alloc 3\nalloc 4096\n");
  // The report is itself a replayable op file.
  EXPECT_TRUE(parse_ops(report).file);
}

}  // namespace
}  // namespace poolcheck
