// The handle the workloads keep for a buffer from an allocator that has no
// handle type of its own (everything but poolcheck): where it is and the size
// to give back.
#pragma once

#include <cstddef>

namespace poolcheck::bench {

struct Block {
  std::byte* data = nullptr;
  std::size_t size = 0;  // what was allocated, so what deallocate wants
};

// Buffers from the pmr resources and the bump floor get the alignment of the
// Node pool, like poolcheck's.
inline constexpr std::size_t kBufferAlignment = 8;

}  // namespace poolcheck::bench
