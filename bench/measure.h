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
#include <time.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

// POOLCHECK_BENCH_ITERATIONS (see with_spread), or 0 when it is not set.
inline std::int64_t fixed_iterations() {
  const char* text = std::getenv("POOLCHECK_BENCH_ITERATIONS");
  if (text == nullptr) return 0;
  char* end = nullptr;
  const long long n = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || n <= 0) {
    std::fprintf(stderr, "POOLCHECK_BENCH_ITERATIONS=%s: want a positive number of iterations\n", text);
    std::exit(2);
  }
  return n;
}

// Adds min and max to the mean, median, stddev and cv that
// --benchmark_repetitions reports. With POOLCHECK_BENCH_ITERATIONS=N in the
// environment every benchmark runs exactly N iterations, with no calibration
// runs before them (Google Benchmark 1.7 has no flag for it): what callgrind
// needs to count the instructions of the timed loop itself
// (docs/BENCHMARKS.md, "Instructions per buffer").
inline benchmark::internal::Benchmark* with_spread(benchmark::internal::Benchmark* b) {
  b->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
  b->ComputeStatistics("max", [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); });
  if (const std::int64_t n = fixed_iterations()) b->Iterations(n);
  return b;
}

// Calls f(workload) for every workload, in the tables' order.
template <class F>
void for_each_workload(F&& f) {
  const Workloads& w = workloads();
  f(w.fixed64);
  f(w.random4k);
  f(w.node_stream);
  f(w.from_string);
}

// Two allocators on one workload in one process, interleaved (issue 24's
// second method): the median of many per-slice ratios, instead of the ratio
// of two processes' times taken seconds apart. In the idle runs of
// docs/bench/ the same benchmark took 2.8 to 4.6 ns per buffer (poolcheck,
// fixed64) and 1.7 to 2.6 (bump) in processes seconds apart, the ratio of a
// pair of processes from 1.06 to 2.51; two slices a few hundred microseconds
// apart see the same machine (docs/BENCHMARKS.md, "Interleaved pairs").
//
// One iteration is a pair of slices of kPairSliceRounds rounds each, one per
// allocator, timed with the thread's CPU clock: A then B, then B then A, so
// that neither side always runs first after the clock call. Each allocator
// is a WorkloadRun of its own: its own handles, the same variants in the
// same order, the same untimed warm-up as run_timed().
//
//   ratio          median over the pairs of A's slice time / B's
//   ratio_low      first quartile of those ratios, ratio_high the third
//   a_ns, b_ns     median ns per buffer of each side's slices
//   pairs          pairs of slices timed
//   slice_rounds   rounds per slice (kPairSliceRounds)
inline constexpr std::size_t kPairSliceRounds = 64;

inline double thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// The value below which a fraction `q` of `values` lies (nearest rank).
inline double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
  return values[at];
}

// One allocator running a workload round after round, for run_pair(): its
// handles, the round number (round r uses variant r % kVariants), and first
// an untimed warm-up through every variant, as in run_timed(). (run_timed()
// keeps its own loop: the timed loops of the published runs were compiled
// from it, and in WorkloadRun g++ gave the bump floor's fixed64 loop one
// instruction more per buffer: bench/instructions.sh.)
template <class Adapter, class Workload>
class WorkloadRun {
 public:
  explicit WorkloadRun(const Workload& workload) : workload_(workload), live_(workload.slots()) {
    while (round_ < kVariants) run_round();
  }
  void run_round() { workload_.run(adapter_, round_++, std::span(live_), none_); }
  // kPairSliceRounds rounds: their CPU time in ns per buffer.
  double slice() {
    const double start = thread_cpu_ns();
    for (std::size_t i = 0; i < kPairSliceRounds; ++i) run_round();
    return (thread_cpu_ns() - start) / static_cast<double>(kPairSliceRounds * kBuffersPerRound);
  }

 private:
  const Workload& workload_;
  Adapter adapter_;
  std::vector<typename Adapter::Handle> live_;
  NoProbe none_;
  std::size_t round_ = 0;
};

template <class A, class B, class Workload>
void run_pair(benchmark::State& state, const Workload& workload) {
  WorkloadRun<A, Workload> a(workload);
  WorkloadRun<B, Workload> b(workload);
  std::vector<double> a_ns, b_ns;
  for (auto _ : state) {
    if (a_ns.size() % 2 == 0) {
      a_ns.push_back(a.slice());
      b_ns.push_back(b.slice());
    } else {
      b_ns.push_back(b.slice());
      a_ns.push_back(a.slice());
    }
  }
  if (a_ns.empty()) {
    state.SkipWithError("no pair of slices ran");
    return;
  }
  std::vector<double> ratios(a_ns.size());
  for (std::size_t i = 0; i < ratios.size(); ++i) ratios[i] = a_ns[i] / b_ns[i];
  state.counters["ratio"] = quantile(ratios, 0.5);
  state.counters["ratio_low"] = quantile(ratios, 0.25);
  state.counters["ratio_high"] = quantile(ratios, 0.75);
  state.counters["a_ns"] = quantile(a_ns, 0.5);
  state.counters["b_ns"] = quantile(b_ns, 0.5);
  state.counters["pairs"] = static_cast<double>(ratios.size());
  state.counters["slice_rounds"] = static_cast<double>(kPairSliceRounds);
  state.counters["ops"] = static_cast<double>(2 * kPairSliceRounds * kBuffersPerRound);
}

// BM_<workload>/pair_<b>: `a` (poolcheck) and `b` interleaved in this process.
template <class A, class B>
void register_pair(const std::string& b) {
  for_each_workload([&b](const auto& workload) {
    with_spread(benchmark::RegisterBenchmark(("BM_" + workload.name() + "/pair_" + b).c_str(),
                                             [&workload](benchmark::State& state) {
                                               run_pair<A, B>(state, workload);
                                             }));
  });
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
  for_each_workload([&allocator](const auto& workload) { register_workload<Adapter>(workload, allocator); });
}

}  // namespace poolcheck::bench
