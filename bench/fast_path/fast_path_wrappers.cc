// Compiled with -O3 -DNDEBUG whatever the build type (bench/fast_path/
// CMakeLists.txt): these are the instructions the benchmarks run.
#include "bench/fast_path/fast_path_wrappers.h"

namespace poolcheck::fast_path {

[[gnu::noinline]] Buffer pool_allocate(PoolAllocator& allocator, std::size_t n) { return allocator.allocate(n); }

[[gnu::noinline]] void pool_allocate_into(PoolAllocator& allocator, Buffer& slot, std::size_t n) {
  slot = allocator.allocate(n);
}

[[gnu::noinline]] void pool_release(Buffer& buffer) { buffer.release(); }

[[gnu::noinline]] bench::Block bump_allocate(bench::BumpAdapter& bump, std::size_t n) { return bump.allocate(n); }

[[gnu::noinline]] void bump_release(bench::BumpAdapter& bump, bench::Block& block) { bump.release(block); }

namespace {
volatile std::size_t extra_limit = ~std::size_t{0};
}

[[gnu::noinline]] Buffer pool_allocate_slower(PoolAllocator& allocator, std::size_t n) {
  if (n > extra_limit) n = 0;
  return allocator.allocate(n);
}

}  // namespace poolcheck::fast_path
