// Running generated ops through the DifferentialChecker inside a property:
// the first divergence becomes a counterexample file and a failed case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/checks/checker.h"
#include "model/checks/stats_laws.h"
#include "model/ops/ops.h"
#include "props/counterexample.h"
#include "props/diverged.h"

namespace poolcheck::props {

// A law the checker does not state itself, checked after every op that the
// checker accepted. Laws are independent of the model: they look only at
// the allocator and its upstream (LawBreach: model/checks/stats_laws.h).
template <class Allocator>
using Law = std::function<std::optional<LawBreach>(DifferentialChecker<Allocator>& checker, std::size_t op_index)>;

template <class Allocator>
struct CheckOptions {
  Law<Allocator> law = {};
};

struct CheckSummary {
  std::uint64_t upstream_requests = 0;  // made while running the ops, failed ones included
};

// Runs every op, then finish() (every buffer verified and released, the
// allocator torn down, nothing left upstream). Fails the RapidCheck case at
// the first divergence or broken law, after writing the counterexample.
template <class Allocator>
CheckSummary check_or_fail(std::span<const Op> ops, const PoolOptions& settings, const CheckOptions<Allocator>& options = {}) {
  auto checker = std::make_unique<DifferentialChecker<Allocator>>(settings);
  auto fail = [&](const Divergence& divergence) {
    keep_diverged(std::move(checker));
    fail_with_counterexample(divergence, ops, settings);
  };
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (std::optional<Divergence> divergence = checker->step(ops[i])) fail(*divergence);
    if (!options.law) continue;
    if (std::optional<LawBreach> breach = options.law(*checker, i))
      fail(Divergence{i, ops[i], breach->check, breach->expected, breach->actual});
  }
  const CheckSummary summary{checker->upstream().requests()};
  if (std::optional<Divergence> divergence = checker->finish()) fail(*divergence);
  return summary;
}

// The first divergence of `ops` (finish() included); for replaying a
// counterexample outside a property. Injected failures are `fail_next` ops
// in the sequence. A diverged checker is kept, not destroyed
// (props/diverged.h).
template <class Allocator>
std::optional<Divergence> first_divergence(std::span<const Op> ops, const PoolOptions& settings) {
  auto checker = std::make_unique<DifferentialChecker<Allocator>>(settings);
  for (const Op& op : ops)
    if (checker->step(op)) break;
  std::optional<Divergence> divergence = checker->finish();
  if (divergence) keep_diverged(std::move(checker));
  return divergence;
}

}  // namespace poolcheck::props
