// poolcheck_bench: the allocator and the alternatives that live with glibc's
// malloc in one process (glibc itself, the pmr resources, the bump floor).
#include <gnu/libc-version.h>
#include <malloc.h>

#include <cstdlib>
#include <memory_resource>
#include <string>

#include <benchmark/benchmark.h>

#include "bench/bump_adapter.h"
#include "bench/malloc_adapter.h"
#include "bench/measure.h"
#include "bench/pmr_adapters.h"
#include "bench/poolcheck_adapter.h"

namespace poolcheck::bench {
namespace {

struct Glibc {
  static void* malloc(std::size_t n) { return std::malloc(n); }
  static void* realloc(void* p, std::size_t n) { return std::realloc(p, n); }
  static void free(void* p) { std::free(p); }
  // Bytes taken from the system: the heaps (free chunks in them included,
  // since glibc keeps them) and the mmapped blocks.
  static std::size_t footprint() {
    const struct mallinfo2 info = mallinfo2();
    return info.arena + info.hblkhd;
  }
};

// The pool resource's effective defaults, for the record.
std::string pool_options() {
  std::pmr::unsynchronized_pool_resource pool;
  const std::pmr::pool_options o = pool.options();
  return "max_blocks_per_chunk=" + std::to_string(o.max_blocks_per_chunk) +
         " largest_required_pool_block=" + std::to_string(o.largest_required_pool_block);
}

}  // namespace

void register_benchmarks() {
  benchmark::AddCustomContext("malloc", "glibc " + std::string(gnu_get_libc_version()));
  benchmark::AddCustomContext("pmr_pool", pool_options());
  register_allocator<PoolcheckAdapter>("poolcheck");
  register_allocator<MallocAdapter<Glibc>>("glibc");
  register_allocator<PmrPoolAdapter>("pmr_pool");
  register_allocator<PmrMonotonicAdapter>("pmr_monotonic");
  register_allocator<BumpAdapter>("bump");
  // poolcheck and the floor interleaved in one process: what judges
  // "fixed64 within 1.5x of bump" (docs/BENCHMARKS.md, "Interleaved pairs").
  register_pair<PoolcheckAdapter, BumpAdapter>("bump");
}

}  // namespace poolcheck::bench
