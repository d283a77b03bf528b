// Running generated ops through the DifferentialChecker inside a property:
// the first divergence becomes a counterexample file and a failed case.
#pragma once

#include <charconv>
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
  std::uint64_t fail_request = 0;  // make upstream request k (1-based) throw std::bad_alloc; 0: never
  Law<Allocator> law = {};
};

// The comment line that records an injected upstream failure in a
// counterexample file, and reading it back: `poolcheck replay` does not
// inject, so a failure-atomicity counterexample needs it to reproduce.
inline std::string injection_note(std::uint64_t fail_request) {
  return "# injected: upstream request " + std::to_string(fail_request) +
         " fails (TrackingResource::fail_request); plain replay does not inject it\n";
}
inline std::optional<std::uint64_t> injected_request(std::string_view text) {
  constexpr std::string_view kPrefix = "# injected: upstream request ";
  const std::size_t at = text.find(kPrefix);
  if (at == std::string_view::npos) return std::nullopt;
  std::uint64_t k = 0;
  const char* first = text.data() + at + kPrefix.size();
  const auto [end, ec] = std::from_chars(first, text.data() + text.size(), k);
  if (ec != std::errc() || end == first) return std::nullopt;
  return k;
}

struct CheckSummary {
  std::uint64_t upstream_requests = 0;  // made while running the ops, failed ones included
};

// Runs every op, then finish() (every buffer verified and released, the
// allocator torn down, nothing left upstream). Fails the RapidCheck case at
// the first divergence or broken law, after writing the counterexample.
template <class Allocator>
CheckSummary check_or_fail(std::span<const Op> ops, const PoolOptions& settings, const CheckOptions<Allocator>& options = {}) {
  const std::string note = options.fail_request == 0 ? std::string() : injection_note(options.fail_request);
  auto checker = std::make_unique<DifferentialChecker<Allocator>>(settings);
  checker->upstream().fail_request(options.fail_request);
  auto fail = [&](const Divergence& divergence) {
    keep_diverged(std::move(checker));
    fail_with_counterexample(divergence, ops, settings, note);
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

// The first divergence of `ops` (finish() included), with upstream request
// `fail_request` failing (0: none); for replaying a counterexample outside a
// property. A diverged checker is kept, not destroyed (props/diverged.h).
template <class Allocator>
std::optional<Divergence> first_divergence(std::span<const Op> ops, const PoolOptions& settings,
                                           std::uint64_t fail_request = 0) {
  auto checker = std::make_unique<DifferentialChecker<Allocator>>(settings);
  checker->upstream().fail_request(fail_request);
  for (const Op& op : ops)
    if (checker->step(op)) break;
  std::optional<Divergence> divergence = checker->finish();
  if (divergence) keep_diverged(std::move(checker));
  return divergence;
}

}  // namespace poolcheck::props
