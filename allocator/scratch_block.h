// An upstream block that goes back unless adopted: keeps the allocator's
// unpooled Buffer.from path exception-safe.
#pragma once

#include <cstddef>
#include <memory_resource>
#include <utility>

namespace poolcheck {

struct ScratchBlock {
  std::pmr::memory_resource* upstream;
  std::size_t size;
  std::size_t alignment;
  std::byte* data;
  ScratchBlock(std::pmr::memory_resource* up, std::size_t n, std::size_t align)
      : upstream(up), size(n), alignment(align), data(static_cast<std::byte*>(up->allocate(n, align))) {}
  ScratchBlock(const ScratchBlock&) = delete;
  ScratchBlock& operator=(const ScratchBlock&) = delete;
  ~ScratchBlock() {
    if (data != nullptr) upstream->deallocate(data, size, alignment);
  }
  std::byte* adopt() { return std::exchange(data, nullptr); }
};

}  // namespace poolcheck
