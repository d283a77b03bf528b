// mimalloc through its own API (mi_malloc_aligned, mi_realloc,
// mi_usable_size, mi_free). Linking mimalloc replaces malloc in the whole
// process, so only a binary of its own includes this
// (model/adapter/CMakeLists.txt: adapter_mimalloc_props_test).
#pragma once

#include <mimalloc.h>

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "model/adapter/adapter.h"

namespace poolcheck::adapters {

struct Mimalloc {
  static constexpr std::string_view kName = "mimalloc";
  static constexpr OnFailure kOnFailure = OnFailure::kReturnsNull;
  Block allocate(std::size_t n, std::size_t alignment) {
    return {static_cast<std::byte*>(mi_malloc_aligned(n, alignment)), n, alignment};
  }
  void release(Block& block) {
    mi_free(block.data);
    block = {};
  }
  bool reallocate(Block& block, std::size_t n) {
    void* p = mi_realloc_aligned(block.data, n, block.alignment);
    if (p == nullptr && n > 0) return false;
    block = {static_cast<std::byte*>(p), n, block.alignment};
    return true;
  }
  std::size_t usable_size(const Block& block) { return mi_usable_size(block.data); }
};

}  // namespace poolcheck::adapters
