// How a workload becomes a benchmark: a memory probe (untimed, once per
// process), then the timed rounds with the page faults they cause.
//
// Counters (see docs/BENCHMARKS.md):
//   ops            buffers allocated and released per iteration (ns/op =
//                  time per iteration / buffers)
//   faults         minor page faults per iteration, in steady state
//   pools_created  poolcheck only: pools taken from upstream per iteration
//   pools_reused   poolcheck only: pools recycled from dead ones per iteration
//   peak_held      most bytes the allocator held at once (from its upstream,
//                  or for malloc its system footprint above where it began)
//   peak_in_use    most bytes the workload held at once
//   held_per_use   peak_held / peak_in_use: the fragmentation ratio
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/workloads.h"

namespace poolcheck::bench {

struct MemoryReport {
  std::size_t peak_held = 0;
  std::size_t peak_in_use = 0;
};

// Samples what the allocator holds after every allocation (held never grows
// on a release). Too slow for timed runs: the malloc footprints ask the
// allocator for statistics.
template <class Adapter>
class MemoryProbe {
 public:
  explicit MemoryProbe(const Adapter& adapter) : adapter_(adapter) {}

  void allocated(std::size_t n) {
    in_use_ += n;
    report_.peak_in_use = std::max(report_.peak_in_use, in_use_);
    report_.peak_held = std::max(report_.peak_held, adapter_.held());
  }
  void released(std::size_t n) { in_use_ -= n; }
  const MemoryReport& report() const { return report_; }

 private:
  const Adapter& adapter_;
  std::size_t in_use_ = 0;
  MemoryReport report_;
};

// Every variant once, then once more: the peak of a cold start and of the
// steady state, whichever is higher.
inline constexpr std::size_t kProbeRounds = 2 * kVariants;

template <class Adapter, class Workload>
MemoryReport probe_memory(const Workload& workload) {
  // The handles first, so that a malloc adapter's footprint starts after
  // them; every handle is released by the end of a round, so they may
  // outlive the allocator.
  std::vector<typename Adapter::Handle> live(workload.slots());
  Adapter adapter;
  MemoryProbe<Adapter> probe(adapter);
  for (std::size_t round = 0; round < kProbeRounds; ++round) workload.run(adapter, round, std::span(live), probe);
  return probe.report();
}

inline std::int64_t minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

template <class Adapter>
concept HasPoolStats = requires(const Adapter& adapter) { adapter.stats().pools_created; };

template <class Adapter, class Workload>
void run_timed(benchmark::State& state, const Workload& workload, const MemoryReport& memory) {
  using benchmark::Counter;
  Adapter adapter;
  std::vector<typename Adapter::Handle> live(workload.slots());
  NoProbe none;
  std::size_t round = 0;
  // Warm-up through every variant: the counters describe the steady state,
  // not the first pools or the first pages.
  while (round < kVariants) workload.run(adapter, round++, std::span(live), none);

  std::uint64_t created = 0, reused = 0;
  if constexpr (HasPoolStats<Adapter>) {
    created = adapter.stats().pools_created;
    reused = adapter.stats().pools_reused;
  }
  const std::int64_t faults = minor_faults();
  for (auto _ : state) workload.run(adapter, round++, std::span(live), none);
  state.counters["faults"] = Counter(static_cast<double>(minor_faults() - faults), Counter::kAvgIterations);
  if constexpr (HasPoolStats<Adapter>) {
    state.counters["pools_created"] =
        Counter(static_cast<double>(adapter.stats().pools_created - created), Counter::kAvgIterations);
    state.counters["pools_reused"] =
        Counter(static_cast<double>(adapter.stats().pools_reused - reused), Counter::kAvgIterations);
  }
  state.counters["ops"] = static_cast<double>(kBuffersPerRound);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBuffersPerRound));
  state.counters["peak_held"] = static_cast<double>(memory.peak_held);
  state.counters["peak_in_use"] = static_cast<double>(memory.peak_in_use);
  state.counters["held_per_use"] =
      static_cast<double>(memory.peak_held) / static_cast<double>(std::max<std::size_t>(memory.peak_in_use, 1));
}

// Adds min and max to the mean, median, stddev and cv that
// --benchmark_repetitions reports.
inline benchmark::internal::Benchmark* with_spread(benchmark::internal::Benchmark* b) {
  b->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
  b->ComputeStatistics("max", [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); });
  return b;
}

// BM_<workload>/<allocator>. The memory probe runs when the benchmark first
// runs in this process, before any timed round: run one benchmark per process
// (scripts/bench.sh does) and the malloc footprint starts from a fresh heap.
template <class Adapter, class Workload>
void register_workload(const Workload& workload, const std::string& allocator) {
  auto memory = std::make_shared<std::optional<MemoryReport>>();
  with_spread(benchmark::RegisterBenchmark(("BM_" + workload.name() + "/" + allocator).c_str(),
                                           [&workload, memory](benchmark::State& state) {
                                             if (!*memory) *memory = probe_memory<Adapter>(workload);
                                             run_timed<Adapter>(state, workload, **memory);
                                           }));
}

template <class Adapter>
void register_allocator(const std::string& allocator) {
  const Workloads& w = workloads();
  register_workload<Adapter>(w.fixed64, allocator);
  register_workload<Adapter>(w.random4k, allocator);
  register_workload<Adapter>(w.node_stream, allocator);
  register_workload<Adapter>(w.from_string, allocator);
}

}  // namespace poolcheck::bench
