// Deliberately wrong failure paths that only an upstream failure shows
// (`fail_next` ops; docs/SPEC.md, Failure). Test code only, like
// broken_rules.h. LeakOnUpstreamFailureAllocator (broken_wrappers.h) is the
// third of them.
#pragma once

#include <cstddef>
#include <new>

#include "allocator/pool_allocator.h"
#include "model/testing/broken_rules.h"

namespace poolcheck::broken {

// Throws std::bad_alloc once, on its first unpooled request, without asking
// upstream, then works: a caller that retries sees nothing wrong, and so did
// the checker while it retried after any std::bad_alloc.
class SpuriousBadAllocAllocator : public BasicPoolAllocator<Unchecked> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;

  Buffer allocate(std::size_t n) {
    if (!thrown_ && n >= pool_size() / 2 && n <= kMaxRequest) {
      thrown_ = true;
      throw std::bad_alloc();
    }
    return BasicPoolAllocator::allocate(n);
  }
  using BasicPoolAllocator::allocate;

 private:
  bool thrown_ = false;
};

// An alignment shim that forces a block of its own by setting the pool size
// to 0 around the call and restores it only when the call returns: when
// upstream fails (or the request is above 2^30), the allocator is left with
// pool size 0, and every later request is unpooled.
class PoolSizeLostOnFailureAllocator : public BasicPoolAllocator<Unchecked> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  using BasicPoolAllocator::allocate;

  Buffer allocate(std::size_t n, std::size_t alignment) {
    if (alignment <= kPoolBaseAlignment) return BasicPoolAllocator::allocate(n, alignment);
    const std::size_t saved = pool_size();
    set_pool_size(0);
    Buffer buffer = BasicPoolAllocator::allocate(n, alignment);  // may throw: saved is lost
    set_pool_size(saved);
    return buffer;
  }
};

}  // namespace poolcheck::broken
