// The allocator under test, counting the std::bad_alloc it lets through to
// its caller. The checker retries an op that threw and cannot tell a thrown
// failure from one the allocator swallowed and retried itself; this count
// lets the failure-atomicity property assert that an injected upstream
// failure reached the caller as an exception, as the rules require.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace poolcheck::props {

template <class Allocator>
class BadAllocCounting : public Allocator {
 public:
  using Allocator::Allocator;
  using Buffer = typename Allocator::Buffer;

  Buffer allocate(std::size_t n) {
    return counted([&] { return Allocator::allocate(n); });
  }
  Buffer allocate(std::size_t n, std::size_t alignment) {
    return counted([&] { return Allocator::allocate(n, alignment); });
  }
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) {
    return counted([&] { return Allocator::allocate_slow(n, alignment); });
  }
  template <class Writer>
  Buffer allocate_with(std::size_t reserve, Writer&& writer) {
    return counted([&] { return Allocator::allocate_with(reserve, std::forward<Writer>(writer)); });
  }
  std::uint64_t bad_allocs() const { return bad_allocs_; }

 private:
  template <class Call>
  Buffer counted(Call call) {
    try {
      return call();
    } catch (const std::bad_alloc&) {
      ++bad_allocs_;
      throw;
    }
  }

  std::uint64_t bad_allocs_ = 0;
};

}  // namespace poolcheck::props
