// The checks a checker can report, made from their one definition,
// model/checks/checks.def: `enum class Check`, each check's name as reports
// print it, and the table of rows (what it verifies, which checkers raise
// it, the wrong allocator and the test that show it firing). A Divergence
// names its check by this enum, so every check a checker can raise has a row
// by construction.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string_view>

namespace poolcheck {

enum class Check {
#define POOLCHECK_CHECK(id, name, checkers, verifies, allocator, test) id,
#include "model/checks/checks.def"
#undef POOLCHECK_CHECK
};

// Which checkers raise a check (the `checkers` column of checks.def).
enum class Checkers { kDifferential = 1, kInvariant = 2, kBoth = 3 };
namespace check_runs {  // the words checks.def writes
inline constexpr Checkers differential = Checkers::kDifferential;
inline constexpr Checkers invariant = Checkers::kInvariant;
inline constexpr Checkers both = Checkers::kBoth;
}  // namespace check_runs

constexpr bool runs_differential(Checkers checkers) { return checkers != Checkers::kInvariant; }
constexpr bool runs_invariant(Checkers checkers) { return checkers != Checkers::kDifferential; }

struct CheckRow {
  Check check;
  std::string_view name;  // "# divergence (NAME) at ..."
  Checkers checkers;
  std::string_view verifies;
  std::string_view allocator;  // the deliberately wrong allocator that shows it firing
  std::string_view test;       // "binary: Suite.Test", the test that shows it
};

inline constexpr std::array kCheckRows = {
#define POOLCHECK_CHECK(id, name, checkers, verifies, allocator, test) \
  CheckRow{Check::id, name, check_runs::checkers, verifies, allocator, test},
#include "model/checks/checks.def"
#undef POOLCHECK_CHECK
};

// Row i is the row of Check(i): the table is indexed by the enum.
constexpr bool rows_in_enum_order() {
  for (std::size_t i = 0; i < kCheckRows.size(); ++i)
    if (static_cast<std::size_t>(kCheckRows[i].check) != i) return false;
  return true;
}
static_assert(rows_in_enum_order());

constexpr const CheckRow& row_of(Check check) { return kCheckRows[static_cast<std::size_t>(check)]; }
constexpr std::string_view name_of(Check check) { return row_of(check).name; }

// The check with this name, as a report prints it; nullopt if none.
constexpr std::optional<Check> check_named(std::string_view name) {
  for (const CheckRow& row : kCheckRows)
    if (row.name == name) return row.check;
  return std::nullopt;
}

inline std::ostream& operator<<(std::ostream& out, Check check) { return out << name_of(check); }

}  // namespace poolcheck
