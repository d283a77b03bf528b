// The example tables of docs/SPEC.md are tests: every row whose first cell is
// a sequence of ops in backticks and whose second cell lists placements
// ("pool P at O", "unpooled", "empty") runs on the reference model and, through
// the differential checker, on the allocator. `padding N` and `tail waste N`
// in the last cell are the model's statistics after the row.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "model/checks/checker.h"
#include "model/reference/reference_model.h"

#ifndef POOLCHECK_SPEC
#error "POOLCHECK_SPEC must name docs/SPEC.md"
#endif

namespace poolcheck {
namespace {

struct Row {
  std::string ops;                   // one op per line
  std::vector<std::string> expected;  // "pool P at O", "unpooled", "empty"
  std::string statistics;
  std::string source;
};

std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line.substr(1));
  std::string cell;
  while (std::getline(stream, cell, '|')) {
    const auto first = cell.find_first_not_of(' '), last = cell.find_last_not_of(' ');
    cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
  }
  return cells;
}

std::optional<Row> row_of(const std::string& line) {
  static const std::regex ops_cell(R"(`[^`]+`(, `[^`]+`)*)");
  static const std::regex placements_cell(R"((pool \d+ at \d+|unpooled|empty)(, (pool \d+ at \d+|unpooled|empty))*)");
  if (!line.starts_with("| `")) return std::nullopt;
  const std::vector<std::string> cells = cells_of(line);
  if (cells.size() < 2 || !std::regex_match(cells[0], ops_cell) || !std::regex_match(cells[1], placements_cell))
    return std::nullopt;
  Row row{"", {}, cells.size() > 2 ? cells[2] : "", line};
  static const std::regex op(R"(`([^`]+)`)");
  for (std::sregex_iterator it(cells[0].begin(), cells[0].end(), op), end; it != end; ++it) row.ops += (*it)[1].str() + "\n";
  static const std::regex placement(R"(pool \d+ at \d+|unpooled|empty)");
  for (std::sregex_iterator it(cells[1].begin(), cells[1].end(), placement), end; it != end; ++it)
    row.expected.push_back(it->str());
  return row;
}

std::string name_of(const Placement& placement) {
  if (!placement.pooled) return placement.length == 0 ? "empty" : "unpooled";
  return "pool " + std::to_string(placement.pool) + " at " + std::to_string(placement.offset);
}

std::optional<std::uint64_t> statistic(const std::string& text, const std::string& name) {
  const std::regex pattern(name + R"( (\d+))");
  std::smatch match;
  if (!std::regex_search(text, match, pattern)) return std::nullopt;
  return std::stoull(match[1].str());
}

TEST(SpecExamples, EveryRowHoldsOnTheModelAndTheAllocator) {
  std::ifstream spec(POOLCHECK_SPEC);
  ASSERT_TRUE(spec) << POOLCHECK_SPEC;
  std::vector<Row> rows;
  for (std::string line; std::getline(spec, line);)
    if (std::optional<Row> row = row_of(line)) rows.push_back(*row);
  // The placement rules' table and the aligned-request table: a format change
  // that hid them from this test would fail here.
  ASSERT_GE(rows.size(), 14u);
  for (const Row& row : rows) {
    SCOPED_TRACE(row.source);
    ParseResult parsed = parse_ops(row.ops);
    ASSERT_TRUE(parsed.file) << parsed.error->message;
    ReferenceModel model(parsed.file->settings);
    std::vector<std::string> actual;
    for (const Op& op : parsed.file->ops) {
      const Outcome outcome = model.apply(op);
      if (outcome.kind == Outcome::Kind::kBuffer) actual.push_back(name_of(outcome.placement));
    }
    EXPECT_EQ(actual, row.expected);
    if (auto padding = statistic(row.statistics, "padding")) {
      EXPECT_EQ(model.stats().padding_bytes, *padding);
    }
    if (auto waste = statistic(row.statistics, "tail waste")) {
      EXPECT_EQ(model.stats().tail_waste_bytes, *waste);
    }
    const std::optional<Divergence> divergence = check_ops(parsed.file->ops, parsed.file->settings);
    EXPECT_FALSE(divergence) << describe(*divergence, parsed.file->ops, parsed.file->settings);
  }
}

}  // namespace
}  // namespace poolcheck
