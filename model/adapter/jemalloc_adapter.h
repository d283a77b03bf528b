// jemalloc through its non-standard API (mallocx with MALLOCX_ALIGN,
// rallocx, sallocx, dallocx). Debian builds it without a symbol prefix, so
// linking it replaces malloc in the whole process: only a binary of its own
// includes this (model/adapter/CMakeLists.txt: adapter_jemalloc_props_test).
#pragma once

#include <jemalloc/jemalloc.h>

#include <cstddef>
#include <string_view>

#include "model/adapter/adapter.h"

namespace poolcheck::adapters {

struct Jemalloc {
  static constexpr std::string_view kName = "jemalloc";
  static constexpr OnFailure kOnFailure = OnFailure::kReturnsNull;
  // mallocx(0) is undefined: a zero-byte request asks for one byte.
  Block allocate(std::size_t n, std::size_t alignment) {
    return {static_cast<std::byte*>(mallocx(n == 0 ? 1 : n, MALLOCX_ALIGN(alignment))), n, alignment};
  }
  void release(Block& block) {
    if (block.data != nullptr) dallocx(block.data, MALLOCX_ALIGN(block.alignment));
    block = {};
  }
  bool reallocate(Block& block, std::size_t n) {
    void* p = rallocx(block.data, n == 0 ? 1 : n, MALLOCX_ALIGN(block.alignment));
    if (p == nullptr) return false;
    block = {static_cast<std::byte*>(p), n, block.alignment};
    return true;
  }
  std::size_t usable_size(const Block& block) { return sallocx(block.data, MALLOCX_ALIGN(block.alignment)); }
};

}  // namespace poolcheck::adapters
