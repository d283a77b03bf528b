// poolcheck_bench_jemalloc: jemalloc as its users get it, through malloc and
// free. Debian builds it without a symbol prefix, so linking it replaces
// malloc in the whole process: that is why it has a binary of its own and
// nothing else runs here. The context line "malloc" names the version that
// answered, which proves the replacement happened.
#include <jemalloc/jemalloc.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>

#include "bench/malloc_adapter.h"
#include "bench/measure.h"

namespace poolcheck::bench {
namespace {

struct Jemalloc {
  static void* malloc(std::size_t n) { return std::malloc(n); }
  static void* realloc(void* p, std::size_t n) { return std::realloc(p, n); }
  static void free(void* p) { std::free(p); }
  // Resident pages jemalloc maps: live data, its metadata, and the dirty
  // pages it keeps for reuse. Statistics are refreshed by bumping "epoch".
  static std::size_t footprint() {
    std::uint64_t epoch = 1;
    std::size_t size = sizeof epoch;
    mallctl("epoch", &epoch, &size, &epoch, size);
    std::size_t resident = 0;
    size = sizeof resident;
    if (mallctl("stats.resident", &resident, &size, nullptr, 0) != 0) return 0;
    return resident;
  }
};

std::string version() {
  const char* text = "unknown";
  std::size_t size = sizeof text;
  if (mallctl("version", &text, &size, nullptr, 0) != 0) return "not in use";
  const std::string version = text;  // "5.3.0-0-g<commit>"
  return version.substr(0, version.find('-'));
}

}  // namespace

void register_benchmarks() {
  benchmark::AddCustomContext("malloc", "jemalloc " + version());
  register_allocator<MallocAdapter<Jemalloc>>("jemalloc");
}

}  // namespace poolcheck::bench
