// The decisions of the Node.js Buffer pool, in one place.
//
// BasicPoolAllocator asks these questions and nothing else decides placement.
// They are a template parameter so that tests can build deliberately wrong
// allocators (in test code only) and prove that the checker notices.
#pragma once

#include <cstddef>
#include <cstdint>

#include "allocator/pool_types.h"

namespace poolcheck {

struct NodePoolRules {
  // The allocator asserts its invariants under these rules; deliberately
  // wrong rules in tests switch that off so the checker is the one to notice.
  static constexpr bool kAssertInvariants = true;

  // Requests at or above half the pool size get their own block
  // (lib/buffer.js: `size < (Buffer.poolSize >>> 1)` is the pooled case).
  static constexpr bool is_unpooled(std::size_t reserve, std::size_t threshold) {
    return reserve >= threshold;
  }
  // Node compares `reserve > poolSize - poolOffset` on doubles, so a negative
  // room (offset rounded past a capacity that is not a multiple of the
  // alignment) always starts a new pool. `offset + reserve > capacity` is the
  // same comparison without the unsigned underflow.
  static constexpr bool needs_new_pool(std::size_t capacity, std::size_t offset,
                                       std::size_t reserve) {
    return offset + reserve > capacity;
  }
  // After each pooled buffer the offset is rounded up to the alignment.
  // Written as Node writes it: the fast path has offset + kept already (the
  // room check's sum), and `offset + round_up(kept)` (the same value, the
  // offset being aligned) made g++ keep the Buffer's address in a register
  // it must save, three more instructions (docs/BENCHMARKS.md).
  static constexpr std::size_t next_offset(std::size_t offset, std::size_t kept,
                                           std::size_t alignment) {
    return round_up(offset + kept, alignment);
  }
  // Room abandoned when a pool is replaced; the offset may be past the end.
  static constexpr std::size_t tail_waste(std::size_t capacity, std::size_t offset) {
    return offset < capacity ? capacity - offset : 0;
  }
  // A pool that is no longer current may be recycled once nothing refers to it.
  static constexpr bool is_dead(std::uint32_t refs) { return refs == 0; }

  // Per-request alignment (Buffer.allocUnsafe(size, alignment), Node v26.8+).
  // Above kPoolBaseAlignment a pool could not promise the address, so the
  // buffer gets its own block, as at or above the threshold.
  static constexpr bool is_unpooled_aligned(std::size_t n, std::size_t alignment, std::size_t threshold) {
    return alignment > kPoolBaseAlignment || n >= threshold;
  }
  // The offset the room check of an aligned request sees: rounded up to the
  // request's alignment first, so the padding counts against the room.
  static constexpr std::size_t room_check_offset(std::size_t offset, std::size_t alignment) {
    return round_up(offset, alignment);
  }
  // Allocation-time alignment of pool memory: kPoolBaseAlignment, so that a
  // requested alignment up to it holds for the address, not only the offset.
  static constexpr std::size_t pool_alignment(std::size_t alignment) {
    return alignment > kPoolBaseAlignment ? alignment : kPoolBaseAlignment;
  }
};

}  // namespace poolcheck
