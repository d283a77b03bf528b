#include "model/ops/ops.h"

#include <gtest/gtest.h>

#include "model/ops/settings.h"
#include "model/ops/spec_limits.h"

namespace poolcheck {
namespace {

ParseError error_of(std::string_view text) {
  ParseResult result = parse_ops(text);
  EXPECT_FALSE(result.file) << text;
  return result.error.value_or(ParseError{0, "parsed"});
}

TEST(Ops, ParsesEveryOpCommentsBlankLinesAndCrlf) {
  ParseResult result = parse_ops("# a scenario\r\npool_size 101\r\n\r\n  alloc 49  # trailing\nfrom 40 5\nrelease 0\n");
  ASSERT_TRUE(result.file) << result.error->message;
  const std::vector<Op> expected = {Op::pool_size(101), Op::alloc(49), Op::from(40, 5), Op::release(0)};
  EXPECT_EQ(result.file->ops, expected);
  EXPECT_EQ(result.file->lines, (std::vector<std::size_t>{2, 4, 5, 6}));
}

TEST(Ops, PrintThenParseIsTheIdentity) {
  const std::vector<Op> ops = {Op::alloc(0), Op::from(7, 7), Op::pool_size(0), Op::release(1), Op::alloc(1u << 31)};
  PoolOptions settings;
  settings.alignment = 16;
  settings.cache_limit = 0;
  settings.pool_size = 101;
  ParseResult result = parse_ops(to_text(ops, settings));
  ASSERT_TRUE(result.file) << result.error->message;
  EXPECT_EQ(result.file->ops, ops);
  EXPECT_EQ(result.file->settings, settings);
}

TEST(Ops, AlignedSlowAndFailureOpsParseAndPrint) {
  ParseResult result = parse_ops(
      "alloc 10 align 64\nalloc 10 align 1\nalloc_slow 5\nalloc_slow 5 align 1073741824\nfail_next\nfail_next 7\n"
      "alloc 0 align 128\nrelease 4\n");
  ASSERT_TRUE(result.file) << result.error->message;
  const std::vector<Op> expected = {Op::alloc(10, 64), Op::alloc(10, 1),         Op::alloc_slow(5),
                                    Op::alloc_slow(5, std::uint64_t{1} << 30), Op::fail_next(1), Op::fail_next(7),
                                    Op::alloc(0, 128), Op::release(4)};
  EXPECT_EQ(result.file->ops, expected);
  // `alloc N align 1` is another call than `alloc N`, and stays so.
  EXPECT_NE(Op::alloc(10, 1), Op::alloc(10));
  EXPECT_EQ(to_text(Op::alloc(10, 64)), "alloc 10 align 64");
  EXPECT_EQ(to_text(Op::alloc_slow(5)), "alloc_slow 5");
  EXPECT_EQ(to_text(Op::fail_next(1)), "fail_next 1");
  ParseResult again = parse_ops(to_text(expected));
  ASSERT_TRUE(again.file);
  EXPECT_EQ(again.file->ops, expected);
  // A failed request is run again (docs/SPEC.md): fail_next changes no buffer number.
  EXPECT_TRUE(parse_ops("fail_next\nalloc 5000\nrelease 0\n").file);
}

TEST(Ops, DirectivesSetTheFixedSettings) {
  ParseResult result = parse_ops("#@ alignment 4096\n#@ cache_limit 3\n#@ pool_size 64\nalloc 1\n");
  ASSERT_TRUE(result.file);
  EXPECT_EQ(result.file->settings.alignment, 4096u);
  EXPECT_EQ(result.file->settings.cache_limit, 3u);
  EXPECT_EQ(result.file->settings.pool_size, 64u);
}

// realloc K N makes the next buffer and ends K; `free` is no op: release K
// is the generic free.
TEST(Ops, ReallocParsesPrintsAndNumbersItsBuffer) {
  ParseResult result = parse_ops("alloc 10\nrealloc 0 20\nrealloc 1 0\nrelease 2\nalloc 1\nrealloc 3 1073741824\n");
  ASSERT_TRUE(result.file) << result.error->message;
  const std::vector<Op> expected = {Op::alloc(10),  Op::realloc(0, 20), Op::realloc(1, 0),
                                    Op::release(2), Op::alloc(1),       Op::realloc(3, std::uint64_t{1} << 30)};
  EXPECT_EQ(result.file->ops, expected);
  EXPECT_EQ(to_text(Op::realloc(3, 7)), "realloc 3 7");
  ParseResult again = parse_ops(to_text(expected));
  ASSERT_TRUE(again.file);
  EXPECT_EQ(again.file->ops, expected);
  EXPECT_TRUE(creates_buffer(Op::realloc(0, 1)));
  EXPECT_FALSE(refused(Op::realloc(std::uint64_t{1} << 31, 1)));  // K is no size
  const auto plain = realloc_as_plain_ops(Op::realloc(3, 7));
  EXPECT_EQ(plain[0], Op::alloc(7));
  EXPECT_EQ(plain[1], Op::release(3));
}

TEST(Ops, RejectsMalformedInputNamingLineAndProblem) {
  struct Case {
    const char* text;
    std::size_t line;
    const char* message;
  };
  const Case cases[] = {
      {"alloc 1\nfree 0\n", 2, "unknown op 'free'"},
      {"alloc\n", 1, "missing number"},
      {"from 5\n", 1, "missing number"},
      {"alloc 1 2\n", 1, "unexpected extra '2'"},
      {"alloc -1\n", 1, "must not be negative"},
      {"alloc 18446744073709551616\n", 1, "does not fit in 64 bits"},
      {"alloc 12abc\n", 1, "is not a number"},
      {"alloc +3\n", 1, "plain number"},
      {"from 4 5\n", 1, "A = 5 > R = 4"},
      {"alloc 1\nrelease 1\n", 2, "no such buffer"},
      {"alloc 1\nrelease 0\nrelease 0\n", 3, "already released"},
      {"alloc 1073741825\nrelease 0\n", 2, "no such buffer"},  // a failed alloc makes no buffer
      {"#@ alignment 3\n", 1, "power of two"},
      {"alloc 1\n#@ alignment 8\n", 2, "before the first op"},
      {"#@ colour blue\n", 1, "unknown directive"},
      {"#@ pool_size 2000000000\n", 1, "beyond 2^30"},
      // Per-request alignment (Node v26.8+) and failure injection.
      {"alloc 8 align 0\n", 1, "align 0: an op without align names no alignment"},
      {"alloc_slow 8 align 0\n", 1, "align 0"},
      {"alloc 8 align 3\nrelease 0\n", 2, "no such buffer"},  // refused: no buffer
      {"alloc 0 align 2147483648\nrelease 0\n", 2, "no such buffer"},
      {"alloc 8 align sixty\n", 1, "alignment is not a number: 'sixty'"},
      {"alloc 8 align -64\n", 1, "alignment must not be negative"},
      {"alloc 8 align\n", 1, "missing number: expected 'alloc N [align A]'"},
      {"alloc 8 align 64 64\n", 1, "unexpected extra '64'"},
      {"alloc 8 aligned 64\n", 1, "unexpected extra 'aligned'"},
      {"alloc_slow\n", 1, "missing number: expected 'alloc_slow N [align A]'"},
      {"fail_next 0\n", 1, "fail_next 0"},
      {"fail_next x\n", 1, "K is not a number"},
      {"fail_next 1 2\n", 1, "unexpected extra '2'"},
      {"alloc_slow 1073741825\nrelease 0\n", 2, "no such buffer"},
      {"#@ cache_limit 1000001\n", 1, "cache_limit 1000001 is beyond 1000000"},
      {"#@ alignment 8 8\n", 1, "expected '#@ alignment N'"},
      // realloc K N: K a live buffer, which it ends; N served (at most kMaxRequest).
      {"alloc 1\nrealloc 1 5\n", 2, "realloc 1: no such buffer"},
      {"alloc 1\nrealloc 0 5\nrelease 0\n", 3, "already released"},
      {"alloc 1\nrealloc 0 1073741825\n", 2, "realloc N = 1073741825: at most 1073741824"},
      {"alloc 1\nrealloc 0\n", 2, "missing number: expected 'realloc K N'"},
  };
  for (const Case& c : cases) {
    ParseError error = error_of(c.text);
    EXPECT_EQ(error.line, c.line) << c.text;
    EXPECT_NE(error.message.find(c.message), std::string::npos) << c.text << " -> " << error.message;
  }
}

// The ops the allocator refuses (refusal_of) parse, print as they were
// written, and create no buffer: the next request gets the number the
// refused one would have had.
TEST(Ops, RefusedOpsParseAndCreateNoBuffer) {
  const std::string text =
      "alloc 8 align 3\nalloc_slow 0 align 2147483648\npool_size 1073741825\npool_size 18446744073709551615\n"
      "alloc 1073741825\nfrom 18446744073709551615 0\nalloc 8 align 1073741824\nrelease 0\n";
  ParseResult result = parse_ops(text);
  ASSERT_TRUE(result.file) << result.error->message;
  EXPECT_EQ(to_text(result.file->ops), text);
  const std::vector<Refusal> expected = {Refusal::kInvalidArgument, Refusal::kInvalidArgument,
                                         Refusal::kInvalidArgument, Refusal::kInvalidArgument,
                                         Refusal::kLengthError,     Refusal::kLengthError,
                                         Refusal::kNone,            Refusal::kNone};
  ASSERT_EQ(result.file->ops.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(refusal_of(result.file->ops[i]), expected[i]) << to_text(result.file->ops[i]);
  // The alignment is checked before the size, as Node does.
  EXPECT_EQ(refusal_of(Op::alloc(spec::kMaxRequest + 1, 3)), Refusal::kInvalidArgument);
  EXPECT_EQ(refusal_of(Op::pool_size(spec::kMaxPoolSize)), Refusal::kNone);
  EXPECT_EQ(refusal_name(Refusal::kInvalidArgument), "invalid_argument");
}

// Every row of the settings table is a directive that takes its bound and
// rejects one more, and survives the text form.
TEST(Ops, EverySettingIsADirectiveWithItsBound) {
  for (const Setting& setting : kSettings) {
    const std::string name(setting.name);
    ParseResult at_max = parse_ops("#@ " + name + " " + std::to_string(setting.max) + "\n");
    ASSERT_TRUE(at_max.file) << at_max.error->message;
    EXPECT_EQ(at_max.file->settings.*setting.field, setting.max);
    EXPECT_EQ(parse_ops(to_text({}, at_max.file->settings)).file->settings, at_max.file->settings);
    ParseResult beyond = parse_ops("#@ " + name + " " + std::to_string(setting.max + 1) + "\n");
    ASSERT_TRUE(beyond.error) << name;
    EXPECT_EQ(beyond.error->message, value_error(setting, setting.max + 1));
    EXPECT_EQ(PoolOptions{}.*setting.field, setting.default_value);
  }
}

// The try_S rows and the settings table name each other: every setting has a
// row `try_` + its name, and every TrySetting row tries a setting
// (setting_tried() would throw for one that names none) but
// try_null_upstream, whose allocator has no upstream and is refused.
TEST(Ops, EverySettingHasATryRowAndEveryTryRowASetting) {
  std::size_t rows = 0;
  for (const OpSpec& spec : kOpSpecs) {
    if (spec.handler != OpHandler::kTrySetting || spec.kind == OpKind::kTryNullUpstream) continue;
    ++rows;
    EXPECT_EQ("try_" + std::string(setting_tried(Op{spec.kind, 0, 0}).name), spec.name);
  }
  EXPECT_EQ(rows, kSettings.size());
  for (const Setting& setting : kSettings) EXPECT_NE(op_named("try_" + std::string(setting.name)), nullptr) << setting.name;
  const Op null_upstream{OpKind::kTryNullUpstream, 0, 0};
  EXPECT_THROW(setting_tried(null_upstream), std::invalid_argument);
  EXPECT_EQ(tried_options(null_upstream, {}).upstream, nullptr);
  EXPECT_EQ(refusal_of(null_upstream), Refusal::kInvalidArgument);
  EXPECT_EQ(refusal_message(null_upstream), "upstream must not be null");
  PoolOptions tried = tried_options(Op{OpKind::kTryCacheLimit, 3, 0}, {});
  EXPECT_EQ(tried.cache_limit, 3u);
  tried.cache_limit = PoolOptions{}.cache_limit;
  EXPECT_EQ(tried, PoolOptions{});
}

}  // namespace
}  // namespace poolcheck
