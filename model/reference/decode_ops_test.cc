#include "model/reference/decode_ops.h"

#include <gtest/gtest.h>

#include <random>

#include "model/ops/op_codec.h"
#include "model/ops/spec_limits.h"
#include "model/reference/reference_model.h"

namespace poolcheck {
namespace {

std::vector<Op> decode(std::vector<std::uint8_t> bytes) { return decode_ops(bytes).ops; }

TEST(OpCodec, EmptyInputIsAnEmptySequenceWithDefaults) {
  DecodedOps decoded = decode_ops({});
  EXPECT_TRUE(decoded.ops.empty());
  EXPECT_EQ(decoded.settings, PoolOptions{});
}

TEST(OpCodec, HeaderCarriesAlignmentAndCacheLimit) {
  EXPECT_EQ(decode_ops(std::vector<std::uint8_t>{0x24}).settings.alignment, 16u);
  EXPECT_EQ(decode_ops(std::vector<std::uint8_t>{0x24}).settings.cache_limit, 2u);
  EXPECT_EQ(decode_ops(std::vector<std::uint8_t>{0x0F}).settings.alignment, 8u);
  EXPECT_EQ(decode_ops(std::vector<std::uint8_t>{0xF3}).settings.cache_limit, kDefaultCacheLimit);
}

TEST(OpCodec, SizesLeanTowardTheEdges) {
  // header, then alloc with selectors: tiny 3, threshold - 1, threshold,
  // room, room + 1, alignment - 1 (+ extra 2)
  auto tag = [](unsigned mode, unsigned extra) { return static_cast<std::uint8_t>(((extra << 3 | mode) << 2) | 0); };
  const std::vector<Op> ops = decode({0x03, tag(1, 3), tag(3, 0), tag(4, 0), tag(5, 0), tag(6, 0), tag(2, 2)});
  ASSERT_EQ(ops.size(), 6u);
  EXPECT_EQ(ops[0], Op::alloc(3));
  EXPECT_EQ(ops[1], Op::alloc(4095));
  EXPECT_EQ(ops[2], Op::alloc(4096));
  // after 3 then 4095: offset 8 + 4096 = 4104, room 4088
  EXPECT_EQ(ops[3], Op::alloc(4088));
  EXPECT_EQ(ops[4], Op::alloc(1));  // room is 0 after the exact fit
  EXPECT_EQ(ops[5], Op::alloc(9));
}

// Tag 3 selectors 17..63 are the aligned, slow and failure ops
// (docs/FORMATS.md); their sizes aim at the room left after the offset is
// rounded up to the alignment.
std::uint8_t extended(unsigned selector) { return static_cast<std::uint8_t>(selector << 2 | 3); }
std::uint8_t size_selector(unsigned mode, unsigned extra = 0) { return static_cast<std::uint8_t>(extra << 3 | mode); }
constexpr unsigned kRoomMode = 5, kPastRoomMode = 6, kTinyMode = 1;

TEST(OpCodec, AlignedSizesAimAtTheRoomAfterThePadding) {
  // pool_size 256 (table index 9), alloc 1: room 248.
  const std::vector<Op> ops = decode({0x03, 0x2B /* pool_size 256 (table index 9) */, (1 << 3 | 1) << 2 /* alloc 1 */,
                                      static_cast<std::uint8_t>((kRoomMode) << 2) /* alloc room: 248 */});
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0], Op::pool_size(256));
  EXPECT_EQ(ops[2], Op::alloc(248));
  // pool_size 256, alloc 100 (offset 104, room 152), then alloc align 64
  // (alignment index 6): padded offset 128, padded room 128.
  const std::uint8_t alloc_100[] = {0, 100};  // literal mode, varint 100
  std::vector<std::uint8_t> bytes = {0x03, 0x2B, alloc_100[0], alloc_100[1]};
  bytes.insert(bytes.end(), {extended(17 + 6), size_selector(kRoomMode)});  // exactly fills after padding
  EXPECT_EQ(decode(bytes).back(), Op::alloc(128, 64));
  bytes.resize(4);
  bytes.insert(bytes.end(), {extended(17 + 6), size_selector(kPastRoomMode)});  // 129 > 128: unpooled at threshold
  EXPECT_EQ(decode(bytes).back(), Op::alloc(129, 64));
  bytes.resize(4);
  bytes.insert(bytes.end(), {extended(17 + 6), size_selector(kRoomMode, 7)});  // 121: fits after padding
  EXPECT_EQ(decode(bytes).back(), Op::alloc(121, 64));
  bytes.resize(4);
  bytes.insert(bytes.end(), {extended(17 + 8), size_selector(kTinyMode, 3)});  // A = 128: the first unpooled
  EXPECT_EQ(decode(bytes).back(), Op::alloc(3, 128));
}

TEST(OpCodec, PaddingThatPushesOverOrLandsOnTheEnd) {
  // pool_size 128 (literal), alloc 56, alloc 8, alloc 1: offset 72, room 56.
  std::vector<std::uint8_t> bytes = {0x03, 0x03, 128, 1, 0, 56, 0, 8, (1 << 3 | 1) << 2};
  // The smallest alignment that rounds 72 exactly onto 128 is 64 (index 13).
  bytes.insert(bytes.end(), {extended(17 + 13), size_selector(kTinyMode, 1)});
  std::vector<Op> ops = decode(bytes);
  ASSERT_EQ(ops.size(), 5u);
  EXPECT_EQ(ops[4], Op::alloc(1, 64));
  ReferenceModel model;
  for (const Op& op : ops) model.apply(op);
  EXPECT_EQ(model.placement(3).pool, 1u);  // room after padding 0: a new pool for one byte
  // Past the room after padding to 64: 0 + 1 + 6 = 7 bytes, which would fit
  // unpadded (room 56): the padding pushes the request over the end.
  bytes.resize(9);
  bytes.insert(bytes.end(), {extended(17 + 6), size_selector(kPastRoomMode, 6)});
  ops = decode(bytes);
  EXPECT_EQ(ops.back(), Op::alloc(7, 64));
}

TEST(OpCodec, SlowAndFailureOpsDecodeAndRoundTrip) {
  const std::vector<Op> ops = decode({0x03, extended(32), size_selector(kTinyMode, 5), extended(33 + 11),
                                      size_selector(kTinyMode, 2), extended(49), extended(63), extended(62), 5,
                                      extended(48), 9});
  // Selector 62 is the extension tag: its number (5) names no op yet, so
  // the two bytes decode to nothing (docs/FORMATS.md).
  const std::vector<Op> expected = {Op::alloc_slow(5), Op::alloc_slow(2, 4096), Op::fail_next(1), Op::fail_next(15),
                                    Op::fail_next(10)};
  EXPECT_EQ(ops, expected);
  const std::vector<Op> literal = {Op::alloc(3, 1),         Op::alloc(3, std::uint64_t{1} << 19), Op::alloc_slow(0),
                                   Op::alloc_slow(7, 2),    Op::fail_next(1),                    Op::fail_next(~0ull),
                                   Op::release(1),          Op::alloc(5000, 64)};
  EXPECT_EQ(decode_ops(encode_ops(literal, {})).ops, literal);
  // realloc (extension 11): K by its index among the live buffers, which it
  // ends, N a size; the new buffer is numbered next.
  const std::vector<Op> resized = {Op::alloc(100), Op::alloc(5), Op::realloc(0, 300), Op::realloc(2, 0),
                                   Op::release(1), Op::realloc(3, 4000)};
  EXPECT_EQ(decode_ops(encode_ops(resized, {})).ops, resized);
  // An alignment above 64 counts toward the budget: its block may take N + A.
  const std::vector<Op> huge_alignment = {Op::alloc(1, std::uint64_t{1} << 30)};
  EXPECT_THROW(encode_ops(huge_alignment, {}), std::invalid_argument);
  const std::uint8_t past_the_budget[] = {0x03, (17u + 14u) << 2 | 3u, 30, 0, 1};  // alloc 1 align 2^30
  EXPECT_TRUE(decode_ops(past_the_budget).ops.empty());
}

TEST(OpCodec, ReleaseNeverNamesADeadBufferAndIsSkippedWhenNoneLive) {
  // release (nothing live: skipped), alloc tiny 1, release, release (skipped)
  const std::vector<Op> ops = decode({0x03, 0x02, 0x00, (1 << 3 | 1) << 2, 0x02, 0x05, 0x02, 0x00});
  const std::vector<Op> expected = {Op::alloc(1), Op::release(0)};
  EXPECT_EQ(ops, expected);
}

TEST(OpCodec, RandomBytesAlwaysDecodeToAValidSequence) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::uint8_t> bytes(rng() % 64);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    DecodedOps decoded = decode_ops(bytes);
    ParseResult reparsed = parse_ops(to_text(decoded.ops, decoded.settings));
    ASSERT_TRUE(reparsed.file) << reparsed.error->message;  // valid as text too
    EXPECT_EQ(reparsed.file->ops, decoded.ops);
  }
}

TEST(OpCodec, TextToBinaryToTextIsTheIdentity) {
  std::mt19937 rng(99);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::uint8_t> bytes(rng() % 96);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    DecodedOps decoded = decode_ops(bytes);
    std::vector<std::uint8_t> encoded = encode_ops(decoded.ops, decoded.settings);
    DecodedOps again = decode_ops(encoded);
    ASSERT_EQ(again.ops, decoded.ops);
    ASSERT_EQ(again.settings, decoded.settings);
  }
}

TEST(OpCodec, EncodesHugeLiterals) {
  const std::vector<Op> ops = {Op::alloc(~0ull), Op::from(~0ull, 12345), Op::pool_size(spec::kMaxPoolSize),
                               Op::alloc(5), Op::release(0), Op::alloc(kMaxDecodedBytes - 5)};
  EXPECT_EQ(decode_ops(encode_ops(ops, {})).ops, ops);
}

TEST(OpCodec, TheRequestBudgetEndsDecodingAndBoundsEncoding) {
  const std::vector<Op> ops = {Op::alloc(kMaxDecodedBytes / 2), Op::alloc(kMaxDecodedBytes / 2)};
  EXPECT_EQ(decode_ops(encode_ops(ops, {})).ops, ops);
  std::vector<std::uint8_t> bytes = encode_ops(ops, {});
  bytes.push_back((1 << 3 | 1) << 2);  // alloc 1 (tiny): past the budget
  bytes.push_back((1 << 3 | 1) << 2);
  EXPECT_EQ(decode_ops(bytes).ops, ops);
  const std::vector<Op> too_much = {Op::alloc(kMaxDecodedBytes), Op::alloc(1)};
  EXPECT_THROW(encode_ops(too_much, {}), std::invalid_argument);
}

TEST(OpCodec, RejectsCacheLimitsTheHeaderCannotCarry) {
  PoolOptions settings;
  settings.cache_limit = 15;
  EXPECT_THROW(encode_ops({}, settings), std::invalid_argument);
  settings.cache_limit = 16;  // the default before the cache followed bursts
  EXPECT_THROW(encode_ops({}, settings), std::invalid_argument);
  settings.cache_limit = kDefaultCacheLimit;
  EXPECT_EQ(decode_ops(encode_ops({}, settings)).settings.cache_limit, kDefaultCacheLimit);
}

// The extension form, shown on real ops: in a table where alloc_slow,
// release and fail_next also have extension numbers, their ops encode after
// the extension tag (every field rule but the kept part and the pool size)
// and decode back to themselves, and random bytes still decode to valid
// sequences under that table.
TEST(OpCodec, ExtensionFormRoundTripsEveryFieldRule) {
  std::vector<OpSpec> specs(std::begin(kOpSpecs), std::end(kOpSpecs));
  specs[static_cast<std::size_t>(OpKind::kAllocSlow)].extension = 1;
  specs[static_cast<std::size_t>(OpKind::kRelease)].extension = 2;
  specs[static_cast<std::size_t>(OpKind::kFailNext)].extension = 3;
  specs[static_cast<std::size_t>(OpKind::kFrom)].extension = 4;
  specs[static_cast<std::size_t>(OpKind::kPoolSize)].extension = 5;
  const std::vector<Op> ops = {Op::alloc_slow(10, 16), Op::alloc(3),   Op::from(40, 7),  Op::release(0),
                               Op::fail_next(2),       Op::pool_size(100), Op::alloc_slow(0), Op::release(2)};
  const std::vector<std::uint8_t> bytes = encode_ops(ops, {}, specs);
  EXPECT_NE(bytes, encode_ops(ops, {})) << "the extension form is another encoding";
  OpDecoder decoder(bytes, specs);
  ReferenceModel model(decoder.settings());
  std::vector<Op> decoded;
  while (std::optional<Op> op = decoder.next(model.view())) {
    model.apply(*op);
    decoded.push_back(*op);
  }
  EXPECT_EQ(decoded, ops);
  // An extension number no row has decodes to nothing.
  const std::vector<std::uint8_t> unknown_bytes = {0x03, (62u << 2) | 3u, 99, (1u << 3 | 1u) << 2};
  OpDecoder unknown(unknown_bytes, specs);
  EXPECT_EQ(unknown.next({}), std::optional<Op>(Op::alloc(1)));
}

}  // namespace
}  // namespace poolcheck
