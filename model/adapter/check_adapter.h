// One op sequence, or one fuzzer input, checked on an adapter: the adapter's
// own model checker first where it brings one (the Node pool's differential
// checker, unchanged), then the generic checker (adapter_checker.h). Every
// tool that checks an adapter goes through here: the properties
// (properties.h), the fuzz target (fuzz_target.h), `poolcheck replay
// --allocator` and `--fail-each`.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/adapter/adapter.h"
#include "model/adapter/adapter_checker.h"
#include "model/checks/divergence.h"
#include "model/ops/ops.h"
#include "model/reference/decode_ops.h"

namespace poolcheck {

// The first divergence a checker finds on the ops; nullopt if none.
template <class Checker>
std::optional<Divergence> run_checker(std::span<const Op> ops, const PoolOptions& settings,
                                      std::pmr::memory_resource* upstream = std::pmr::new_delete_resource()) {
  Checker checker(settings, upstream);
  for (const Op& op : ops)
    if (checker.step(op)) break;
  return checker.finish();
}

// The report of the first divergence (divergence.h's form, the adapter
// named), or nullopt when every check passed.
template <Adapter A>
std::optional<std::string> check_adapter(std::span<const Op> ops, const PoolOptions& settings,
                                         std::pmr::memory_resource* upstream = std::pmr::new_delete_resource()) {
  if constexpr (HasModel<A>) {
    if (auto divergence = run_checker<typename A::ModelChecker>(ops, settings, upstream))
      return "# allocator " + std::string(A::kName) + ", its model's checker\n" + describe(*divergence, ops, settings);
  }
  if (auto divergence = run_checker<AdapterChecker<A>>(ops, settings, upstream))
    return "# allocator " + std::string(A::kName) + ", the generic checks\n" + describe(*divergence, ops, settings);
  return std::nullopt;
}

// A fuzzer input: its ops as `poolcheck convert` prints them.
template <Adapter A>
std::optional<std::string> check_adapter_bytes(std::span<const std::uint8_t> bytes) {
  const DecodedOps decoded = decode_ops(bytes);
  return check_adapter<A>(decoded.ops, decoded.settings);
}

// Exhaustive failure injection (Zig's checkAllAllocationFailures): the
// sequence runs once on the generic checker to count its N upstream
// requests, then N times, run i with `fail_next i` before its first op, so
// that upstream request i fails; every run must pass every check. The
// sequence's own fail_next ops are left out. For an adapter that takes no
// injected failures (adapter.h, injects_failures), only the plain run.
struct FailEachResult {
  std::uint64_t requests = 0;                  // N
  std::optional<std::uint64_t> failed_request;  // the i of the first run that failed
  std::optional<std::string> report;            // its report, or the plain run's
};

template <Adapter A>
FailEachResult fail_each(std::span<const Op> ops, const PoolOptions& settings) {
  std::vector<Op> plain;
  for (const Op& op : ops)
    if (op.kind != OpKind::kFailNext) plain.push_back(op);
  FailEachResult result;
  {
    AdapterChecker<A> counter(settings);
    for (const Op& op : plain)
      if (counter.step(op)) break;
    result.requests = counter.upstream_requests();
  }
  if ((result.report = check_adapter<A>(plain, settings)) || !injects_failures<A>()) return result;
  std::vector<Op> injected;
  for (std::uint64_t i = 1; i <= result.requests; ++i) {
    injected.assign(1, Op::fail_next(i));
    injected.insert(injected.end(), plain.begin(), plain.end());
    if ((result.report = check_adapter<A>(injected, settings))) {
      result.failed_request = i;
      return result;
    }
  }
  return result;
}

}  // namespace poolcheck
