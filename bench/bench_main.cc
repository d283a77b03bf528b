// main() of every benchmark binary: each one registers its own benchmarks.
// JSON output (--benchmark_format=json, --benchmark_out) goes through
// FiniteJsonReporter so that it stays valid JSON.
#include <memory>
#include <string_view>

#include <benchmark/benchmark.h>

#include "bench/finite_json_reporter.h"

namespace poolcheck::bench {
void register_benchmarks();

namespace {
// The value of --NAME=VALUE or --NAME VALUE in argv, or `fallback`.
std::string_view flag(int argc, char** argv, std::string_view name, std::string_view fallback) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--") || !arg.substr(2).starts_with(name)) continue;
    arg = arg.substr(2 + name.size());
    if (arg.starts_with("=")) return arg.substr(1);
    if (arg.empty() && i + 1 < argc) return argv[i + 1];
  }
  return fallback;
}
}  // namespace
}  // namespace poolcheck::bench

int main(int argc, char** argv) {
  using poolcheck::bench::FiniteJsonReporter;
  using poolcheck::bench::flag;
  // Read before Initialize, which removes the flags it knows from argv.
  const bool json_display = flag(argc, argv, "benchmark_format", "console") == "json";
  const bool json_file = !flag(argc, argv, "benchmark_out", "").empty() &&
                         flag(argc, argv, "benchmark_out_format", "json") == "json";
  poolcheck::bench::register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("compiler", __VERSION__);
  std::unique_ptr<benchmark::BenchmarkReporter> display(
      json_display ? new FiniteJsonReporter : benchmark::CreateDefaultDisplayReporter());
  std::unique_ptr<benchmark::BenchmarkReporter> file(json_file ? new FiniteJsonReporter : nullptr);
  benchmark::RunSpecifiedBenchmarks(display.get(), file.get());
  benchmark::Shutdown();
  return 0;
}
