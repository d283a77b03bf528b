// The evidence for docs/ADAPTERS.md, "What the real allocators did": a
// std::pmr::unsynchronized_pool_resource whose upstream fails its request
// number FAIL. The first allocate must pass std::bad_alloc on, and the next
// one must work. Not built by the project; run it with:
//   g++ -std=c++20 -DFAIL=3 pool_resource_upstream_failure.cc && ./a.out       (libstdc++ 12: SIGSEGV)
//   clang++-19 -std=c++20 -stdlib=libc++ -DFAIL=2 pool_resource_upstream_failure.cc && ./a.out
#include <cstdio>
#include <memory_resource>
#include <new>

#ifndef FAIL
#define FAIL 3
#endif

// Upstream: new/delete, with request number FAIL throwing.
struct FailingUpstream : std::pmr::memory_resource {
  int requests = 0;
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    if (++requests == FAIL) throw std::bad_alloc();
    std::printf("request %d: %zu bytes, alignment %zu\n", requests, bytes, alignment);
    return std::pmr::new_delete_resource()->allocate(bytes, alignment);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
};

int main() {
  FailingUpstream upstream;
  std::pmr::unsynchronized_pool_resource pool(&upstream);
  try {
    pool.deallocate(pool.allocate(8, 1), 8, 1);
  } catch (const std::bad_alloc&) {
    std::printf("first allocate(8): std::bad_alloc\n");
  }
  void* p = pool.allocate(8, 1);
  std::printf("next allocate(8): %p\n", p);
  pool.deallocate(p, 8, 1);
}
