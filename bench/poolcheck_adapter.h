// The system under test, as the workloads drive it: the allocator with its
// own move-only Buffer, over a counting upstream (new/delete, so glibc).
#pragma once

#include <cstddef>
#include <utility>

#include "allocator/pool_allocator.h"
#include "bench/counting_resource.h"

namespace poolcheck::bench {

class PoolcheckAdapter {
 public:
  using Handle = Buffer;

  PoolcheckAdapter() : allocator_(options(&upstream_)) {}

  Handle allocate(std::size_t n) { return allocator_.allocate(n); }
  template <class Writer>
  Handle allocate_with(std::size_t reserve, Writer&& writer) {
    return allocator_.allocate_with(reserve, std::forward<Writer>(writer));
  }
  void release(Handle& buffer) { buffer.release(); }
  static std::byte* data(const Handle& buffer) { return buffer.data(); }

  std::size_t held() const { return upstream_.held(); }
  const PoolStats& stats() const { return allocator_.stats(); }

 private:
  static PoolOptions options(std::pmr::memory_resource* upstream) {
    PoolOptions result;
    result.upstream = upstream;
    return result;
  }

  CountingResource upstream_;  // declared first: outlives the allocator
  PoolAllocator allocator_;
};

}  // namespace poolcheck::bench
