// An upstream that counts the bytes it currently lends out. Every allocator
// built on a memory_resource (poolcheck, pmr_pool, pmr_monotonic, bump) gets
// one, so that "bytes held" is exact for them and costs nothing on their fast
// paths: it is only called when they go upstream.
#pragma once

#include <cstddef>
#include <memory_resource>

namespace poolcheck::bench {

class CountingResource : public std::pmr::memory_resource {
 public:
  explicit CountingResource(std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : upstream_(upstream) {}

  std::size_t held() const { return held_; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    void* p = upstream_->allocate(bytes, alignment);
    held_ += bytes;
    return p;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    upstream_->deallocate(p, bytes, alignment);
    held_ -= bytes;
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }

  std::pmr::memory_resource* upstream_;
  std::size_t held_ = 0;
};

}  // namespace poolcheck::bench
