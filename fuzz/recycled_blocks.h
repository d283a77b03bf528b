// The upstream the allocator targets run on, so that a run costs what its ops
// cost and not page faults (about 13 us each here).
//
// Why: under AddressSanitizer a block from malloc is fresh memory (freed ones
// wait in the quarantine), and freeing a block writes 1/8 of its size of
// shadow memory: a pool of 2^30 bytes, cheap while untouched, cost 280 ms.
// So blocks up to 1 MiB come from free lists by size class (powers of two)
// and go back to them, and larger blocks are mapped and unmapped directly.
//
// ASan still sees every misuse it saw before: the bytes of a class beyond the
// requested size, kept blocks, and the slack of a mapping are poisoned, and a
// mapping ends at an inaccessible guard page. Once a kept block is handed out
// again, a stale write into it is found by the checkers' content patterns.
#pragma once

#include <cstddef>
#include <map>
#include <memory_resource>
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

  std::size_t kept_ = 0;
  std::map<std::pair<std::size_t, std::size_t>, std::vector<void*>> free_;  // by (class, alignment)
};

// The process-wide instance the allocator targets use.
RecycledBlocks& recycled_blocks();

}  // namespace poolcheck::fuzz
