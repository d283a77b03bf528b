// mimalloc through its own API (mi_malloc_aligned, mi_realloc_aligned,
// mi_usable_size, mi_free), from Debian's libmimalloc.so.2 loaded with
// RTLD_LOCAL (loaded_library.h): the rest of the process keeps glibc's
// malloc, so it is a built-in adapter like the others.
#pragma once

#include <cstddef>
#include <string_view>

#include "model/adapter/adapter.h"
#include "model/adapter/loaded_library.h"

namespace poolcheck::adapters {

struct Mimalloc {
  static constexpr std::string_view kName = "mimalloc";
  static constexpr OnFailure kOnFailure = OnFailure::kReturnsNull;
  // mimalloc 2.0.9 (Debian 12's) misaligns mi_malloc_aligned(n, A) for n of
  // 256, 512 or 1024 and A from 256 to n (docs/ADAPTERS.md, "What the real
  // allocators did"; model/adapter/findings/mimalloc_alignment.c), fixed
  // upstream after 2.0.9: asked at most 128, which it keeps for every size,
  // so that its other checks run. AdapterFindings.Mimalloc* asks it as it
  // is and expects the finding: when it fails, the library is fixed.
  static constexpr std::size_t kMaxAlignment = 128;
  struct Api {
    void* (*malloc_aligned)(std::size_t, std::size_t);
    void* (*realloc_aligned)(void*, std::size_t, std::size_t);
    std::size_t (*usable_size)(const void*);
    void (*free)(void*);
  };
  static const Api& api() {
    static const Api loaded = [] {
      void* library = load_allocator_library("libmimalloc.so.2");
      return Api{library_symbol<decltype(Api::malloc_aligned)>(library, "mi_malloc_aligned"),
                 library_symbol<decltype(Api::realloc_aligned)>(library, "mi_realloc_aligned"),
                 library_symbol<decltype(Api::usable_size)>(library, "mi_usable_size"),
                 library_symbol<decltype(Api::free)>(library, "mi_free")};
    }();
    return loaded;
  }

  Block allocate(std::size_t n, std::size_t alignment) {
    return {static_cast<std::byte*>(api().malloc_aligned(n, alignment)), n, alignment};
  }
  void release(Block& block) {
    api().free(block.data);
    block = {};
  }
  bool reallocate(Block& block, std::size_t n) {
    void* p = api().realloc_aligned(block.data, n, block.alignment);
    if (p == nullptr && n > 0) return false;
    block = {static_cast<std::byte*>(p), n, block.alignment};
    return true;
  }
  std::size_t usable_size(const Block& block) { return api().usable_size(block.data); }
};

}  // namespace poolcheck::adapters
