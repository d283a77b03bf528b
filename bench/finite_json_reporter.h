// Google Benchmark writes the coefficient of variation of a counter that is 0
// in every repetition (faults, pools_created...) as 0/0 = NaN, and `NaN` is
// not JSON: JSON.parse and every tool that reads the output reject the file.
// This reporter forwards every run to a JSONReporter, minus the counters
// whose value is not finite: an undefined statistic is left out, not made up.
#pragma once

#include <cmath>
#include <vector>

#include <benchmark/benchmark.h>

namespace poolcheck::bench {

class FiniteJsonReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& context) override {
    // RunSpecifiedBenchmarks points this reporter's streams at the output
    // (stdout or the --benchmark_out file) before it reports anything.
    json_.SetOutputStream(&GetOutputStream());
    json_.SetErrorStream(&GetErrorStream());
    return json_.ReportContext(context);
  }
  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> finite = runs;
    for (Run& run : finite) std::erase_if(run.counters, [](const auto& c) { return !std::isfinite(c.second.value); });
    json_.ReportRuns(finite);
  }
  void Finalize() override { json_.Finalize(); }

 private:
  benchmark::JSONReporter json_;
};

}  // namespace poolcheck::bench
