// Deliberately wrong request and settings validation (docs/SPEC.md,
// Failure; refusal_of in model/ops/ops.h): what the mutants that delete
// check_alignment or move the 2^30 bounds make of the allocator, written by
// hand. Test code only, like broken_rules.h.
#pragma once

#include <algorithm>
#include <cstddef>

#include "allocator/pool_allocator.h"

namespace poolcheck::broken {

// Forgets check_alignment: an alignment it should refuse (not a power of
// two, or above 2^30) is taken as no alignment, so `alloc 0 align 3` is an
// empty buffer and `alloc 5 align 6` a pooled one.
class ForgetsTheAlignmentCheckAllocator : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  Buffer allocate(std::size_t n) { return BasicPoolAllocator::allocate(n); }
  Buffer allocate(std::size_t n, std::size_t alignment) {
    return BasicPoolAllocator::allocate(n, is_request_alignment(alignment) ? alignment : 1);
  }
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) {
    return BasicPoolAllocator::allocate_slow(n, is_request_alignment(alignment) ? alignment : 1);
  }
};

// Accepts any pool size, keeping at most 2^30 (the bound moved, or its
// check deleted, with a clamp left behind): `pool_size 1073741825` does not
// throw.
class AcceptsAnyPoolSizeAllocator : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  void set_pool_size(std::size_t n) { BasicPoolAllocator::set_pool_size(std::min(n, kMaxPoolSize)); }
};

}  // namespace poolcheck::broken
