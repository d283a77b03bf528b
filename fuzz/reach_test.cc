// The shorthands (model/ops/shorthand.h) and the cache_window setting take a
// fuzz input to deep states in a few bytes: a full cache, its trim at the end
// of a window, hundreds of pool starts at Node's window of 512. Each test
// decodes a short input through the one decode loop, shows the state the
// reference model reaches, and shows that fuzz_pool_diff's check catches an
// allocator that trims at the wrong time on that input (and passes the real
// one).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/pool_diff_check.h"
#include "model/ops/op_codec.h"
#include "model/ops/ops.h"
#include "model/ops/spec_limits.h"
#include "model/reference/decode_ops.h"
#include "model/reference/reference_model.h"
#include "model/testing/aimed_variants.h"
#include "model/testing/broken_refusal.h"

namespace poolcheck::fuzz {
namespace {

// Test code only: the real allocator built with a window one pool start
// longer or shorter than the settings ask for (kCacheWindow +- 1, and the
// trim's own off-by-ones, look like this from outside).
template <int Delta>
class WindowOffBy : public PoolAllocator {
 public:
  explicit WindowOffBy(PoolOptions options) : PoolAllocator(shifted(options)) {}

 private:
  static PoolOptions shifted(PoolOptions options) {
    options.cache_window = static_cast<std::size_t>(static_cast<long long>(options.cache_window) + Delta);
    return options;
  }
};

// Extension tag (tag 3, selector 62) and the shorthands' numbers
// (op_table.def); a varint K - 1 follows, then N's size selector.
constexpr std::uint8_t kExtension = 0xFB;
constexpr std::uint8_t kBurst = 8, kChurn = 9, kDrop = 10, kCycle = 16;
constexpr std::uint8_t kThresholdMinusOne = 3;  // size selector: threshold - 1
constexpr std::uint8_t kPoolSize100 = 0x1F;     // tag 3, selector 7: pool_size 100

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t value) {
  for (; value >= 0x80; value >>= 7) out.push_back(static_cast<std::uint8_t>(value | 0x80));
  out.push_back(static_cast<std::uint8_t>(value));
}
void shorthand(std::vector<std::uint8_t>& out, std::uint8_t number, std::uint64_t k, bool sized = true) {
  out.push_back(kExtension);
  out.push_back(number);
  put_varint(out, k - 1);
  if (sized) out.push_back(kThresholdMinusOne);
}

// pool_size 100, then K pool starts (alloc 49 never fits twice in 100),
// their release (the cache fills), and `churn` pool starts after it.
std::vector<std::uint8_t> fill_then_churn(std::vector<std::uint8_t> header, std::uint64_t burst,
                                          std::uint64_t churn) {
  std::vector<std::uint8_t> bytes = std::move(header);
  bytes.push_back(kPoolSize100);
  shorthand(bytes, kBurst, burst);
  shorthand(bytes, kDrop, burst, /*sized=*/false);
  shorthand(bytes, kChurn, churn);
  return bytes;
}

PoolStats model_stats_after(const DecodedOps& decoded, std::size_t ops) {
  ReferenceModel model(decoded.settings);
  for (std::size_t i = 0; i < ops; ++i) model.apply(decoded.ops[i]);
  return model.stats();
}

// Header 0x4E 0x01: cache_limit 4, alignment 8, cache_window 2.
TEST(Reach, SmallWindowTrimsTheCacheInFourteenBytes) {
  const std::vector<std::uint8_t> bytes = fill_then_churn({0x4E, 0x01}, 5, 3);
  ASSERT_EQ(bytes.size(), 14u);
  const DecodedOps decoded = decode_ops(bytes);
  EXPECT_EQ(decoded.settings.cache_window, 2u);
  EXPECT_EQ(decoded.settings.cache_limit, 4u);
  // pool_size 100, 5 x alloc 49, 5 releases, 3 x (alloc 49, release).
  ASSERT_EQ(decoded.ops.size(), 1u + 5 + 5 + 6);
  EXPECT_EQ(to_text(decoded.ops[1]), "alloc 49");
  EXPECT_EQ(to_text(decoded.ops[6]), "release 4");  // the newest first
  EXPECT_EQ(to_text(decoded.ops[10]), "release 0");
  EXPECT_EQ(to_text(decoded.ops[12]), "release 5");  // churn releases what it made
  // After the burst: five pool starts, every one from upstream.
  EXPECT_EQ(model_stats_after(decoded, 6).pools_created, 5u);
  // After the drop: four dead pools cached (the fifth is current).
  EXPECT_EQ(model_stats_after(decoded, 11).cached_pools, 4u);
  // The window of 2 pool starts ended inside the burst and again in the
  // churn: the cache never went below 3 in the last window, so 3 went back.
  EXPECT_LT(model_stats_after(decoded, decoded.ops.size()).cached_pools, 4u);
  EXPECT_EQ(check_pool_diff<>(bytes), std::nullopt);
  EXPECT_NE(check_pool_diff<WindowOffBy<1>>(bytes), std::nullopt);
  EXPECT_NE(check_pool_diff<WindowOffBy<-1>>(bytes), std::nullopt);
}

// The cache's round trip in seven bytes: header 0x4E 0x01 (cache_limit 4,
// window 2), pool_size 100, `cycle 5 49`. Five pool starts, their buffers
// released (four pools cached, the fifth current), then five starts again:
// the first reuses the current pool in place, the next ones take pools
// back from the cache, so the window that ends there saw the cache go down
// to 2, and the trim gives those 2 back. (`burst`, `drop`, `churn` never
// take from the cache: churn's pool dies current and is reused in place.)
TEST(Reach, CycleTrimsPoolsTakenBackFromTheCacheInSevenBytes) {
  std::vector<std::uint8_t> bytes{0x4E, 0x01, kPoolSize100};
  shorthand(bytes, kCycle, 5);
  ASSERT_EQ(bytes.size(), 7u);
  const DecodedOps decoded = decode_ops(bytes);
  ASSERT_EQ(decoded.ops.size(), 1u + 5 + 5 + 5);
  EXPECT_EQ(to_text(decoded.ops[6]), "release 4");  // the newest first
  EXPECT_EQ(to_text(decoded.ops[10]), "release 0");
  EXPECT_EQ(to_text(decoded.ops[11]), "alloc 49");
  EXPECT_EQ(model_stats_after(decoded, 11).cached_pools, 4u);
  const PoolStats taken_back = model_stats_after(decoded, 13);  // reused in place, one taken
  EXPECT_EQ(taken_back.cached_pools, 3u);
  EXPECT_EQ(model_stats_after(decoded, 14).cached_pools, 0u);  // one more taken (2 left), then the trim
  const PoolStats end = model_stats_after(decoded, decoded.ops.size());
  EXPECT_EQ(end.pools_created, 7u);
  EXPECT_EQ(end.pools_reused, 3u);
  EXPECT_EQ(check_pool_diff<>(bytes), std::nullopt);
  EXPECT_NE(check_pool_diff<WindowOffBy<1>>(bytes), std::nullopt);
  EXPECT_NE(check_pool_diff<WindowOffBy<-1>>(bytes), std::nullopt);
  const ParseResult text = parse_ops("#@ cache_limit 4\n#@ cache_window 2\npool_size 100\ncycle 5 49\n");
  ASSERT_TRUE(text.file) << text.error->message;
  EXPECT_EQ(text.file->ops, decoded.ops);
}

// Node's window of 512 (header 0xF3: the defaults), reached in 16 bytes:
// 300 pool starts fill the cache, 1024 more end two windows. The first
// window began with an empty cache, so it gives nothing back; through the
// second the cache never went below the 299 pools the drop put there.
TEST(Reach, NodesWindowIsReachedInSixteenBytes) {
  const std::vector<std::uint8_t> bytes = fill_then_churn({0xF3}, 300, 1024);
  EXPECT_EQ(bytes.size(), 16u);
  const DecodedOps decoded = decode_ops(bytes);
  EXPECT_EQ(decoded.settings.cache_window, kCacheWindow);
  const PoolStats after_drop = model_stats_after(decoded, 1 + 300 + 300);
  EXPECT_EQ(after_drop.cached_pools, 299u);
  const PoolStats end = model_stats_after(decoded, decoded.ops.size());
  EXPECT_EQ(end.pools_created + end.pools_reused, 1324u);
  EXPECT_EQ(end.cached_pools, 0u);  // the second window ended at the 1024th start: the cache went back
  EXPECT_EQ(check_pool_diff<>(bytes), std::nullopt);
  EXPECT_NE(check_pool_diff<WindowOffBy<1>>(bytes), std::nullopt);
  EXPECT_NE(check_pool_diff<WindowOffBy<-1>>(bytes), std::nullopt);
}

// The shorthands are the text form's too, with the same meaning: the text
// parses to the ops the bytes decode to, and those ops encode back to bytes
// that decode to them (without shorthands: `poolcheck convert` prints plain
// ops).
TEST(Reach, TextAndBinaryShorthandsAgree) {
  const std::vector<std::uint8_t> bytes = fill_then_churn({0x4E, 0x01}, 5, 3);
  const ParseResult text =
      parse_ops("#@ cache_limit 4\n#@ cache_window 2\npool_size 100\nburst 5 49\ndrop 5\nchurn 3 49\n");
  ASSERT_TRUE(text.file) << text.error->message;
  const DecodedOps decoded = decode_ops(bytes);
  EXPECT_EQ(text.file->ops, decoded.ops);
  EXPECT_EQ(text.file->settings, decoded.settings);
  const DecodedOps again = decode_ops(encode_ops(decoded.ops, decoded.settings));
  EXPECT_EQ(again.ops, decoded.ops);
  EXPECT_EQ(again.settings, decoded.settings);
}

// drop of more buffers than are live releases them all; burst N beyond
// kMaxRequest creates none (churn and cycle then release none).
TEST(Reach, DropTakesWhatIsLiveAndRefusedRequestsMakeNoBuffer) {
  const ParseResult text = parse_ops("alloc 1\nalloc 2\nrelease 0\ndrop 5\nchurn 2 1073741825\nburst 1 3\ndrop 1\n");
  ASSERT_TRUE(text.file) << text.error->message;
  EXPECT_EQ(to_text(text.file->ops), "alloc 1\nalloc 2\nrelease 0\nrelease 1\nalloc 1073741825\nalloc 1073741825\n"
                                     "alloc 3\nrelease 2\n");
  const ParseResult cycles = parse_ops("alloc 1\ncycle 2 7\ncycle 2 1073741825\n");
  ASSERT_TRUE(cycles.file) << cycles.error->message;
  EXPECT_EQ(to_text(cycles.file->ops), "alloc 1\nalloc 7\nalloc 7\nrelease 2\nrelease 1\nalloc 7\nalloc 7\n"
                                       "alloc 1073741825\nalloc 1073741825\nalloc 1073741825\nalloc 1073741825\n");
}

// The shorthands of one input stand for at most kMaxShorthandOps plain ops:
// the one that would pass it ends the sequence.
TEST(Reach, ShorthandsHaveABudget) {
  std::vector<std::uint8_t> bytes{0xF3};
  for (int i = 0; i < 5; ++i) shorthand(bytes, kBurst, kMaxRepeat, false), bytes.push_back(1);  // burst 1024 0
  const DecodedOps decoded = decode_ops(bytes);
  EXPECT_EQ(decoded.ops.size(), kMaxShorthandOps);
}

// cache_window in the binary form: 1..256 with alignment 8, or the default.
TEST(Reach, CacheWindowInTheBinaryForm) {
  PoolOptions settings;
  for (const std::size_t window : {std::size_t{1}, std::size_t{2}, std::size_t{256}, kCacheWindow}) {
    settings.cache_window = window;
    EXPECT_EQ(decode_ops(encode_ops({}, settings)).settings.cache_window, window);
  }
  settings.cache_window = 257;
  EXPECT_THROW(encode_ops({}, settings), std::invalid_argument);
  settings.cache_window = 2;
  settings.alignment = 16;
  EXPECT_THROW(encode_ops({}, settings), std::invalid_argument);
  const ParseResult refused = parse_ops("#@ cache_window 0\n");
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->message, "cache_window must be from 1 to 1000000, not 0");
}

// The refused ops (refusal_of; docs/SPEC.md, Failure) in a few bytes: an
// aligned alloc takes tag 3 selector 31 (alignment index 14: a literal
// byte b), b, then a size selector; pool_size takes tag 3 selector 0 and
// a varint. They decode in the one decode loop, survive `poolcheck convert`
// (encode, decode), are expected to be refused by the checkers, and catch
// the allocators that forget check_alignment, accept any pool size or
// refuse the largest alignment.
constexpr std::uint8_t kAlignedAllocLiteral = (31u << 2) | 3u;  // 0x7F
constexpr std::uint8_t kTiny0 = 1;                              // size selector: 0

TEST(Reach, RefusedRequestsInAFewBytes) {
  struct Case {
    std::vector<std::uint8_t> bytes;
    std::string text;
  };
  const Case cases[] = {
      {{0xF3, kAlignedAllocLiteral, 64, kTiny0}, "alloc 0 align 3"},
      {{0xF3, kAlignedAllocLiteral, 65, kTiny0}, "alloc 0 align 6"},
      {{0xF3, kAlignedAllocLiteral, 31, kTiny0}, "alloc 0 align 2147483648"},
      {{0xF3, kAlignedAllocLiteral, 63, kTiny0}, "alloc 0 align 9223372036854775808"},
      {{0xF3, kAlignedAllocLiteral, 69, kTiny0}, "alloc 0 align 18446744073709551615"},
      {{0xF3, kAlignedAllocLiteral, 30, kTiny0}, "alloc 0 align 1073741824"},  // the largest accepted: no block
      {{0xF3, kAlignedAllocLiteral, 100, kTiny0}, "alloc 0 align 128"},        // b >= 70: 2^(b mod 31) as before
      {{0xF3, 0x03, 0x81, 0x80, 0x80, 0x80, 0x04}, "pool_size 1073741825"},
  };
  for (const Case& c : cases) {
    const DecodedOps decoded = decode_ops(c.bytes);
    ASSERT_EQ(decoded.ops.size(), 1u) << c.text;
    EXPECT_EQ(to_text(decoded.ops[0]), c.text);
    EXPECT_EQ(decode_ops(encode_ops(decoded.ops, decoded.settings)).ops, decoded.ops) << c.text;
    EXPECT_EQ(check_pool_diff<>(c.bytes), std::nullopt) << c.text;
  }
  // A refused op makes no buffer: the release after it names the one before.
  const DecodedOps numbered = decode_ops(std::vector<std::uint8_t>{0xF3, 0x24, kAlignedAllocLiteral, 64, 0x09, 0x02, 0x00});
  EXPECT_EQ(to_text(numbered.ops), "alloc 1\nalloc 1 align 3\nrelease 0\n");
  // Refused and empty requests cost nothing toward the 1 MiB budget.
  EXPECT_EQ(request_cost(Op::alloc(0, spec::kMaxRequestAlignment)), 0u);
  EXPECT_EQ(request_cost(Op::alloc(spec::kMaxRequest + 1)), 0u);
  EXPECT_EQ(request_cost(Op::alloc(8, 3)), 0u);
  // What the fuzzer finds with them.
  EXPECT_NE(check_pool_diff<broken::ForgetsTheAlignmentCheckAllocator>(cases[0].bytes), std::nullopt);
  EXPECT_NE(check_pool_diff<broken::ForgetsTheAlignmentCheckAllocator>(cases[2].bytes), std::nullopt);
  EXPECT_NE(check_pool_diff<broken::AcceptsAnyPoolSizeAllocator>(cases[std::size(cases) - 1].bytes), std::nullopt);
  EXPECT_EQ(check_pool_diff<broken::AcceptsAnyPoolSizeAllocator>(cases[0].bytes), std::nullopt);
  // The largest alignment, 2^30, is accepted: an allocator that refuses it
  // (the `<` mutant of is_request_alignment) is found in these 4 bytes, as
  // the model states the bound itself (model/ops/spec_limits.h).
  EXPECT_NE(check_pool_diff<broken::RefusesTheLargestAlignmentAllocator>(cases[std::size(cases) - 3].bytes),
            std::nullopt);
  EXPECT_EQ(check_pool_diff<broken::RefusesTheLargestAlignmentAllocator>(cases[0].bytes), std::nullopt);
}

// A request of exactly 2^30 bytes must succeed (docs/SPEC.md, Failure). It
// costs the budget a quarter MiB (request_cost: the checkers touch its ends
// and at most 64 short runs, and the upstream maps it lazily), so it is one op of
// 7 bytes, and four fit in an input; the allocator that refuses it (the
// `>=` mutant of check_request) is found there.
TEST(Reach, ARequestOfExactly2p30InSevenBytes) {
  const std::vector<Op> one = {Op::alloc(spec::kMaxRequest)};
  const std::vector<std::uint8_t> bytes = encode_ops(one, {});
  EXPECT_EQ(bytes.size(), 7u);
  EXPECT_EQ(decode_ops(bytes).ops, one);
  EXPECT_EQ(request_cost(one[0]), kLargeRequestCost);
  EXPECT_EQ(request_cost(Op::alloc_slow(kLargeRequest + 1)), kLargeRequestCost);
  EXPECT_EQ(request_cost(Op::alloc(kLargeRequest)), kLargeRequest);  // patterned in full: its size
  EXPECT_EQ(request_cost(Op::from(spec::kMaxRequest, 0)), spec::kMaxRequest);  // the writer may write it all
  // Four fit; the fifth ends the sequence.
  std::vector<std::uint8_t> five = bytes;
  for (int i = 0; i < 4; ++i) five.insert(five.end(), bytes.begin() + 1, bytes.end());
  EXPECT_EQ(decode_ops(five).ops, std::vector<Op>(4, one[0]));
  EXPECT_EQ(check_pool_diff<>(bytes), std::nullopt);
  EXPECT_NE(check_pool_diff<aimed::RejectsTheLargestRequestAllocator>(bytes), std::nullopt);
  const std::vector<Op> smaller = {Op::alloc(kLargeRequest + 1)};
  EXPECT_EQ(check_pool_diff<aimed::RejectsTheLargestRequestAllocator>(encode_ops(smaller, {})), std::nullopt);
}

// The settings tried (try_S V, handler TrySetting: extension numbers 12-15,
// and 17 for try_null_upstream) in 3 to 7 bytes: the extension tag, the
// number, a varint V (none for a null upstream). A refused
// value must be refused in the spec's words; the allocator that takes any
// settings (what a deleted return of validate() makes) is found by each,
// the words of the allocator that words its bounds otherwise by the one
// whose message has a "2^30".
TEST(Reach, SettingsTriedInAFewBytes) {
  struct Case {
    std::vector<std::uint8_t> bytes;
    std::string text;
    bool refused;
  };
  const Case cases[] = {
      {{0xF3, 0xFB, 0x0D, 0x03}, "try_alignment 3", true},
      {{0xF3, 0xFB, 0x0D, 0x80, 0x20}, "try_alignment 4096", false},
      {{0xF3, 0xFB, 0x0E, 0xC1, 0x84, 0x3D}, "try_cache_limit 1000001", true},
      {{0xF3, 0xFB, 0x0F, 0x00}, "try_cache_window 0", true},
      {{0xF3, 0xFB, 0x0F, 0xC0, 0x84, 0x3D}, "try_cache_window 1000000", false},
      {{0xF3, 0xFB, 0x11}, "try_null_upstream", true},
      {{0xF3, 0xFB, 0x0C, 0x81, 0x80, 0x80, 0x80, 0x04}, "try_pool_size 1073741825", true},
  };
  for (const Case& c : cases) {
    const DecodedOps decoded = decode_ops(c.bytes);
    ASSERT_EQ(decoded.ops.size(), 1u) << c.text;
    EXPECT_EQ(to_text(decoded.ops[0]), c.text);
    EXPECT_EQ(refused(decoded.ops[0]), c.refused) << c.text;
    EXPECT_EQ(decode_ops(encode_ops(decoded.ops, decoded.settings)).ops, decoded.ops) << c.text;
    EXPECT_EQ(check_pool_diff<>(c.bytes), std::nullopt) << c.text;
    EXPECT_EQ(check_pool_diff<broken::AcceptsAnySettingsAllocator>(c.bytes) != std::nullopt, c.refused) << c.text;
  }
  EXPECT_NE(check_pool_diff<broken::MiswordsItsRefusalsAllocator>(cases[std::size(cases) - 1].bytes), std::nullopt);
  EXPECT_EQ(check_pool_diff<broken::MiswordsItsRefusalsAllocator>(cases[0].bytes), std::nullopt);
}

}  // namespace
}  // namespace poolcheck::fuzz
