// poolcheck_bench_mimalloc: mimalloc through its own API (mi_malloc, mi_free,
// mi_realloc). Debian's libmimalloc.so also exports malloc and free, so
// linking it replaces malloc in the whole process: that is why it has a
// binary of its own and nothing else runs here.
#include <fcntl.h>
#include <mimalloc.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <benchmark/benchmark.h>

#include "bench/malloc_adapter.h"
#include "bench/measure.h"

namespace poolcheck::bench {
namespace {

struct Mimalloc {
  static void* malloc(std::size_t n) { return mi_malloc(n); }
  static void* realloc(void* p, std::size_t n) { return mi_realloc(p, n); }
  static void free(void* p) { mi_free(p); }
  // The process's resident bytes: Debian builds mimalloc without
  // statistics, so mi_process_info has no current commit or RSS to give.
  // Only the workload allocates while the probe runs, so the growth is
  // mimalloc's.
  static std::size_t footprint() {
    static const int statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    char text[128];
    const ssize_t n = pread(statm, text, sizeof text - 1, 0);
    if (n <= 0) return 0;
    text[n] = '\0';
    unsigned long size = 0, resident = 0;
    if (std::sscanf(text, "%lu %lu", &size, &resident) != 2) return 0;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  }
};

}  // namespace

void register_benchmarks() {
  const int v = mi_version();  // 209 for 2.0.9
  benchmark::AddCustomContext("malloc", "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) +
                                            "." + std::to_string(v % 10));
  register_allocator<MallocAdapter<Mimalloc>>("mimalloc");
}

}  // namespace poolcheck::bench
