#include "model/reference/decode_ops.h"

#include <gtest/gtest.h>

#include <random>

#include "model/ops/op_codec.h"
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
  const std::vector<Op> ops = {Op::alloc(~0ull), Op::from(~0ull, 12345), Op::pool_size(kMaxPoolSize), Op::alloc(5),
                               Op::release(0), Op::alloc(kMaxDecodedBytes - 5)};
  EXPECT_EQ(decode_ops(encode_ops(ops, {})).ops, ops);
}

TEST(OpCodec, TheRequestBudgetEndsDecodingAndBoundsEncoding) {
  const std::vector<Op> ops = {Op::alloc(kMaxDecodedBytes / 2), Op::alloc(kMaxDecodedBytes / 2)};
  EXPECT_EQ(decode_ops(encode_ops(ops, {})).ops, ops);
  std::vector<std::uint8_t> bytes = encode_ops(ops, {});
  bytes.push_back((1 << 3 | 1) << 2);  // alloc 1 (tiny): past the budget
  bytes.push_back((1 << 3 | 1) << 2);
  EXPECT_EQ(decode_ops(bytes).ops, ops);
  const std::vector<Op> too_much = {Op::alloc(kMaxDecodedBytes + 1)};
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

}  // namespace
}  // namespace poolcheck
