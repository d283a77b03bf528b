// The fuzz targets' upstream: blocks come back from its free lists, and a
// block kept for a larger alignment serves a smaller one (malloc reuses an
// address whatever alignment it was asked for before), then goes back to the
// list of the alignment it was made with.
#include "fuzz/recycled_blocks.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace poolcheck::fuzz {
namespace {

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

TEST(RecycledBlocks, AKeptBlockComesBackForItsSizeClass) {
  RecycledBlocks blocks;
  void* first = blocks.allocate(100, 16);
  blocks.deallocate(first, 100, 16);
  EXPECT_EQ(blocks.allocate(120, 16), first);  // the same class of 128 bytes
  blocks.deallocate(first, 120, 16);
}

TEST(RecycledBlocks, ABlockKeptForALargerAlignmentServesASmallerOne) {
  RecycledBlocks blocks;
  void* small = blocks.allocate(100, 16);
  void* over_aligned = blocks.allocate(100, 4096);
  EXPECT_EQ(address(over_aligned) % 4096, 0u);
  blocks.deallocate(small, 100, 16);
  blocks.deallocate(over_aligned, 100, 4096);
  // The most aligned first: the address an over-aligned block had is handed
  // out again for alignment 16, and the one kept for 16 after it.
  EXPECT_EQ(blocks.allocate(100, 16), over_aligned);
  EXPECT_EQ(blocks.allocate(100, 16), small);
  blocks.deallocate(small, 100, 16);
  // Given back as asked (alignment 16), it is kept for 4096 again.
  blocks.deallocate(over_aligned, 100, 16);
  EXPECT_EQ(blocks.allocate(100, 4096), over_aligned);
  // A block kept for 16 never serves 64.
  void* fresh = blocks.allocate(100, 64);
  EXPECT_NE(fresh, small);
  EXPECT_EQ(address(fresh) % 64, 0u);
  EXPECT_EQ(blocks.allocate(100, 8), small);
  blocks.deallocate(small, 100, 8);
  blocks.deallocate(fresh, 100, 64);
  blocks.deallocate(over_aligned, 100, 4096);
}

// Above 1 MiB a block is its own mapping, for any alignment a request may
// ask (a request's own alignment may pass a page: `alloc_slow N align
// 8192`), writable from end to end, and unmapped when it comes back.
TEST(RecycledBlocks, ALargeBlockHasItsAlignmentEvenAboveAPage) {
  RecycledBlocks blocks;
  for (const std::size_t alignment : {std::size_t{16}, std::size_t{4096}, std::size_t{8192}, std::size_t{1} << 20}) {
    for (const std::size_t bytes : {(std::size_t{1} << 20) + 1, std::size_t{3} << 20}) {
      auto* block = static_cast<unsigned char*>(blocks.allocate(bytes, alignment));
      EXPECT_EQ(address(block) % alignment, 0u) << bytes << " bytes, alignment " << alignment;
      block[0] = 1;
      block[bytes - 1] = 2;
      blocks.deallocate(block, bytes, alignment);
    }
  }
}

}  // namespace
}  // namespace poolcheck::fuzz
