// jemalloc through its non-standard API (mallocx with an alignment flag,
// rallocx, sallocx, dallocx), from Debian's libjemalloc.so.2 loaded with
// RTLD_LOCAL (loaded_library.h): the rest of the process keeps glibc's
// malloc, so it is a built-in adapter like the others.
#pragma once

#include <bit>
#include <cstddef>
#include <string_view>

#include "model/adapter/adapter.h"
#include "model/adapter/loaded_library.h"

namespace poolcheck::adapters {

struct Jemalloc {
  static constexpr std::string_view kName = "jemalloc";
  static constexpr OnFailure kOnFailure = OnFailure::kReturnsNull;
  struct Api {
    void* (*mallocx)(std::size_t, int);
    void* (*rallocx)(void*, std::size_t, int);
    std::size_t (*sallocx)(const void*, int);
    void (*dallocx)(void*, int);
  };
  static const Api& api() {
    static const Api loaded = [] {
      void* library = load_allocator_library("libjemalloc.so.2");
      return Api{library_symbol<decltype(Api::mallocx)>(library, "mallocx"),
                 library_symbol<decltype(Api::rallocx)>(library, "rallocx"),
                 library_symbol<decltype(Api::sallocx)>(library, "sallocx"),
                 library_symbol<decltype(Api::dallocx)>(library, "dallocx")};
    }();
    return loaded;
  }
  // MALLOCX_ALIGN(a) of jemalloc.h: log2 of the alignment in the low bits
  // (0, for 1, is the default alignment).
  static int align_flag(std::size_t alignment) { return std::countr_zero(alignment == 0 ? 1 : alignment); }

  // mallocx(0) and rallocx(p, 0) are undefined: a zero-byte request asks
  // for one byte.
  Block allocate(std::size_t n, std::size_t alignment) {
    return {static_cast<std::byte*>(api().mallocx(n == 0 ? 1 : n, align_flag(alignment))), n, alignment};
  }
  void release(Block& block) {
    if (block.data != nullptr) api().dallocx(block.data, align_flag(block.alignment));
    block = {};
  }
  bool reallocate(Block& block, std::size_t n) {
    void* p = api().rallocx(block.data, n == 0 ? 1 : n, align_flag(block.alignment));
    if (p == nullptr) return false;
    block = {static_cast<std::byte*>(p), n, block.alignment};
    return true;
  }
  std::size_t usable_size(const Block& block) { return api().sallocx(block.data, align_flag(block.alignment)); }
};

}  // namespace poolcheck::adapters
