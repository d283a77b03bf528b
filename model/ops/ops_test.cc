#include "model/ops/ops.h"

#include <gtest/gtest.h>

#include "model/ops/settings.h"

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

TEST(Ops, DirectivesSetTheFixedSettings) {
  ParseResult result = parse_ops("#@ alignment 4096\n#@ cache_limit 3\n#@ pool_size 64\nalloc 1\n");
  ASSERT_TRUE(result.file);
  EXPECT_EQ(result.file->settings.alignment, 4096u);
  EXPECT_EQ(result.file->settings.cache_limit, 3u);
  EXPECT_EQ(result.file->settings.pool_size, 64u);
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
      {"pool_size 1073741825\n", 1, "beyond 2^30"},
      {"alloc 1\nrelease 1\n", 2, "no such buffer"},
      {"alloc 1\nrelease 0\nrelease 0\n", 3, "already released"},
      {"alloc 1073741825\nrelease 0\n", 2, "no such buffer"},  // a failed alloc makes no buffer
      {"#@ alignment 3\n", 1, "power of two"},
      {"alloc 1\n#@ alignment 8\n", 2, "before the first op"},
      {"#@ colour blue\n", 1, "unknown directive"},
      {"#@ pool_size 2000000000\n", 1, "beyond 2^30"},
      {"#@ cache_limit 1000001\n", 1, "cache_limit 1000001 is beyond 1000000"},
      {"#@ alignment 8 8\n", 1, "expected '#@ alignment N'"},
  };
  for (const Case& c : cases) {
    ParseError error = error_of(c.text);
    EXPECT_EQ(error.line, c.line) << c.text;
    EXPECT_NE(error.message.find(c.message), std::string::npos) << c.text << " -> " << error.message;
  }
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

}  // namespace
}  // namespace poolcheck
