// The fast paths the gate measures, each behind a small wrapper that is never
// inlined (fast_path_wrappers.cc is compiled like the bench preset: g++ -O3
// -DNDEBUG), so that its instructions are the allocator's compiled fast path
// plus the wrapper's own ret.
#pragma once

#include <cstddef>

#include "allocator/pool_allocator.h"
#include "bench/block.h"
#include "bench/bump_adapter.h"

namespace poolcheck::fast_path {

Buffer pool_allocate(PoolAllocator& allocator, std::size_t n);
// `slot = allocator.allocate(n)` into an empty handle, as the workloads keep
// their buffers: allocate(n) inlined at the assignment, where the result may
// go through a stack temporary or stay in registers (docs/BENCHMARKS.md).
void pool_allocate_into(PoolAllocator& allocator, Buffer& slot, std::size_t n);
void pool_release(Buffer& buffer);
// The floor, for reference: the bench's bump pointer.
bench::Block bump_allocate(bench::BumpAdapter& bump, std::size_t n);
void bump_release(bench::BumpAdapter& bump, bench::Block& block);
// A deliberately slower copy of pool_allocate (one extra load and compare):
// the gate's self-test proves that the count notices it.
Buffer pool_allocate_slower(PoolAllocator& allocator, std::size_t n);

}  // namespace poolcheck::fast_path
