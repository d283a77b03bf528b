// The example tables of docs/SPEC.md are tests: every row whose first cell is
// a sequence of ops in backticks and whose second cell lists placements
// ("pool P at O", "unpooled", "empty") runs on the reference model and, through
// the differential checker, on the allocator. `padding N` and `tail waste N`
// in the last cell are the model's statistics after the row.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
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

// Splits "a, b, c" at ", ".
std::vector<std::string> items_of(const std::string& cell) {
  std::vector<std::string> items;
  std::size_t at = 0;
  while (at <= cell.size()) {
    const std::size_t comma = cell.find(", ", at);
    items.push_back(cell.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
    if (comma == std::string::npos) break;
    at = comma + 2;
  }
  return items;
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

// "pool P at O", "unpooled" or "empty". (No <regex>: g++ 12 warns inside it
// under ASan at -O1.)
bool is_placement(const std::string& item) {
  if (item == "unpooled" || item == "empty") return true;
  if (!item.starts_with("pool ")) return false;
  const std::size_t at = item.find(" at ");
  return at != std::string::npos && all_digits(item.substr(5, at - 5)) && all_digits(item.substr(at + 4));
}

std::optional<Row> row_of(const std::string& line) {
  if (!line.starts_with("| `")) return std::nullopt;
  const std::vector<std::string> cells = cells_of(line);
  if (cells.size() < 2) return std::nullopt;
  Row row{"", {}, cells.size() > 2 ? cells[2] : "", line};
  for (const std::string& op : items_of(cells[0])) {
    if (op.size() < 3 || op.front() != '`' || op.back() != '`') return std::nullopt;
    row.ops += op.substr(1, op.size() - 2) + "\n";
  }
  for (const std::string& placement : items_of(cells[1])) {
    if (!is_placement(placement)) return std::nullopt;
    row.expected.push_back(placement);
  }
  return row;
}

std::string name_of(const Placement& placement) {
  if (!placement.pooled) return placement.length == 0 ? "empty" : "unpooled";
  return "pool " + std::to_string(placement.pool) + " at " + std::to_string(placement.offset);
}

// N in "NAME N" inside the statistics cell.
std::optional<std::uint64_t> statistic(const std::string& text, const std::string& name) {
  const std::size_t at = text.find(name + " ");
  if (at == std::string::npos) return std::nullopt;
  const std::size_t first = at + name.size() + 1;
  const std::size_t last = text.find_first_not_of("0123456789", first);
  const std::string digits = text.substr(first, last == std::string::npos ? std::string::npos : last - first);
  if (!all_digits(digits)) return std::nullopt;
  return std::stoull(digits);
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
