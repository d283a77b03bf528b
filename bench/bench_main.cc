// main() of every benchmark binary: each one registers its own benchmarks.
#include <benchmark/benchmark.h>

namespace poolcheck::bench {
void register_benchmarks();
}

int main(int argc, char** argv) {
  poolcheck::bench::register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("compiler", __VERSION__);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
