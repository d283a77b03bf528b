// What a checker reports: the first op at which the allocator broke a
// promise, the check, what was expected and what was seen; and the text
// helpers every checker builds its reports with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "allocator/pool_types.h"
#include "model/checks/check.h"
#include "model/ops/ops.h"

namespace poolcheck {

struct Divergence {
  std::size_t op_index = 0;  // ops run before it; == ops.size() at the end
  std::optional<Op> op;      // none when found at the end of the sequence
  Check check{};             // its name: name_of(check) (model/checks/checks.def)
  std::string expected;
  std::string actual;
};

std::string describe(const Placement& placement);
std::string describe(const PoolStats& stats);
// Only the fields that differ, as "name expected != actual".
std::string stats_difference(const PoolStats& expected, const PoolStats& actual);
std::string hex(std::uintptr_t address);
// "[begin, end)" in hex.
std::string range(std::uintptr_t begin, std::uintptr_t end);
// The report: what diverged, expected against actual, then the sequence up
// to and including that op as a replayable .ops text.
std::string describe(const Divergence& divergence, std::span<const Op> ops, const PoolOptions& settings);

}  // namespace poolcheck
