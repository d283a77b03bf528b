// glibc, mimalloc and jemalloc as the workloads drive them: malloc, free, and
// realloc to give back the unused part of a reservation (the C way to do
// Buffer.from(string) when the encoded length is only known afterwards).
//
// `Malloc` supplies the three functions and `footprint()`, the bytes the
// allocator holds from the system for the whole process. held() counts from
// where the footprint stood when the adapter was made, so that what the
// process held before (the benchmark library, the workload tables) is not
// charged to the workload.
#pragma once

#include <cstddef>
#include <new>
#include <span>

#include "bench/block.h"

namespace poolcheck::bench {

template <class Malloc>
class MallocAdapter {
 public:
  using Handle = Block;

  MallocAdapter() : base_(Malloc::footprint()) {}

  Handle allocate(std::size_t n) { return {checked(Malloc::malloc(n)), n}; }

  template <class Writer>
  Handle allocate_with(std::size_t reserve, Writer&& writer) {
    auto* data = checked(Malloc::malloc(reserve));
    const std::size_t kept = writer(std::span<std::byte>(data, reserve));
    if (kept == reserve) return {data, kept};
    if (kept == 0) {
      Malloc::free(data);
      return {};
    }
    return {checked(Malloc::realloc(data, kept)), kept};
  }

  void release(Handle& block) {
    Malloc::free(block.data);
    block = {};
  }
  static std::byte* data(const Handle& block) { return block.data; }

  std::size_t held() const {
    const std::size_t now = Malloc::footprint();
    return now > base_ ? now - base_ : 0;
  }

 private:
  static std::byte* checked(void* p) {
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<std::byte*>(p);
  }

  std::size_t base_;
};

}  // namespace poolcheck::bench
