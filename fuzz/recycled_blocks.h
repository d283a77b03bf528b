// The upstream the allocator targets run on, so that a run costs what its ops
// cost and not page faults (about 13 us each here).
//
// Why: under AddressSanitizer a block from malloc is fresh memory (freed ones
// wait in the quarantine), and freeing a block writes 1/8 of its size of
// shadow memory: a pool of 2^30 bytes, cheap while untouched, cost 280 ms.
// So blocks up to 1 MiB come from free lists by size class (powers of two)
// and go back to them, and larger blocks are mapped and unmapped directly.
//
// A block kept for one alignment serves a request for a smaller one, the
// most aligned first, as malloc hands an address out again whatever it was
// asked for before: an allocator that remembers a block's alignment by its
// address past the block's release gives it back with the old one, and the
// checkers' upstream sees that. The block goes back to the list of the
// alignment it was made with.
//
// ASan still sees every misuse it saw before: the bytes of a class beyond the
// requested size, kept blocks, and the slack of a mapping are poisoned, and a
// mapping ends at an inaccessible guard page. Once a kept block is handed out
// again, a stale write into it is found by the checkers' content patterns.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <unordered_map>
#include <utility>
#include <vector>

namespace poolcheck::fuzz {

class RecycledBlocks : public std::pmr::memory_resource {
 public:
  static constexpr std::size_t kMaxClass = std::size_t{1} << 20;  // larger blocks are mapped
  static constexpr std::size_t kMaxKept = std::size_t{64} << 20;  // bytes on the free lists

  RecycledBlocks() = default;
  RecycledBlocks(const RecycledBlocks&) = delete;
  RecycledBlocks& operator=(const RecycledBlocks&) = delete;
  ~RecycledBlocks() override;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  // Size classes 16 .. kMaxClass and alignments 1 .. kMaxKeptAlignment,
  // both powers of two: one free list each, found by index (a map lookup
  // here was a few percent of a fuzz run). Larger alignments are not kept.
  static constexpr std::size_t kMaxKeptAlignment = 4096;
  static constexpr std::size_t kAlignments = std::countr_zero(kMaxKeptAlignment) + 1;
  static constexpr std::size_t kClasses = std::countr_zero(kMaxClass) - 4 + 1;
  static std::size_t class_index(std::size_t size_class) { return std::countr_zero(size_class) - 4; }
  static std::size_t list_index(std::size_t size_class, std::size_t alignment) {
    return class_index(size_class) * kAlignments + std::countr_zero(alignment);
  }

  // The kept block of this size class with the largest alignment of at
  // least `alignment`; nullptr if none.
  void* take_kept(std::size_t size_class, std::size_t alignment);

  std::size_t kept_ = 0;
  std::array<std::vector<void*>, kClasses * kAlignments> free_;
  // Per size class, bit a set when the list of alignment 2^a holds a block.
  std::array<std::uint16_t, kClasses> kept_alignments_{};
  static_assert(kAlignments <= 16);
  // Blocks handed out for a smaller alignment than they were made with,
  // while out: that alignment.
  std::unordered_map<void*, std::size_t> lent_;
};

// The process-wide instance the allocator targets use.
RecycledBlocks& recycled_blocks();

}  // namespace poolcheck::fuzz
