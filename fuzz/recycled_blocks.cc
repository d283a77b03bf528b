#include "fuzz/recycled_blocks.h"

#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <cstdint>
#include <new>

#if defined(__has_include) && __has_include(<sanitizer/asan_interface.h>)
#include <sanitizer/asan_interface.h>  // the macros do nothing without ASan
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#endif

namespace poolcheck::fuzz {

namespace {

std::size_t size_class(std::size_t bytes) { return std::bit_ceil(bytes < 16 ? std::size_t{16} : bytes); }
std::uint16_t kept_alignment_bit(std::size_t alignment) {
  return static_cast<std::uint16_t>(1u << std::countr_zero(alignment));
}

// A large block: its own mapping, the block placed so that it ends as close
// to the guard page after it as its alignment allows (one above a page
// puts it at the start of the mapping: map_block).
struct Mapping {
  std::size_t length;  // guard page included
  std::size_t offset;  // of the block in it
};

std::size_t page_size() {
  static const std::size_t size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

Mapping mapping_for(std::size_t bytes, std::size_t alignment) {
  const std::size_t page = page_size();
  const std::size_t usable = (bytes + page - 1) / page * page;
  return {usable + page, (usable - bytes) / alignment * alignment};
}

void* map_block(std::size_t bytes, std::size_t alignment) {
  const Mapping m = mapping_for(bytes, alignment);
  // Above a page (a request's own alignment, up to 2^30) the block starts
  // the mapping (offset 0): map alignment - page bytes more, and unmap what
  // lies before and after the aligned part, so unmap_block finds it again.
  const std::size_t slack = alignment > page_size() ? alignment - page_size() : 0;
  void* mapped = mmap(nullptr, m.length + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  auto* base = static_cast<std::byte*>(mapped);
  if (slack != 0) {
    const auto at = reinterpret_cast<std::uintptr_t>(mapped);
    const std::size_t before = (alignment - at % alignment) % alignment;
    if (before != 0) munmap(base, before);
    if (slack - before != 0) munmap(base + before + m.length, slack - before);
    base += before;
  }
  const std::size_t usable = m.length - page_size();
  mprotect(base + usable, page_size(), PROT_NONE);
  ASAN_POISON_MEMORY_REGION(base, m.offset);
  ASAN_POISON_MEMORY_REGION(base + m.offset + bytes, usable - m.offset - bytes);
  return base + m.offset;
}

void unmap_block(void* block, std::size_t bytes, std::size_t alignment) {
  const Mapping m = mapping_for(bytes, alignment);
  std::byte* base = static_cast<std::byte*>(block) - m.offset;
  // Shadow left poisoned would fail the next user of these addresses; only
  // the slack was poisoned (unpoisoning all of a 2^30-byte block would write
  // 128 MiB of shadow).
  const std::size_t usable = m.length - page_size();
  ASAN_UNPOISON_MEMORY_REGION(base, m.offset);
  ASAN_UNPOISON_MEMORY_REGION(base + m.offset + bytes, usable - m.offset - bytes);
  munmap(base, m.length);
}

}  // namespace

RecycledBlocks::~RecycledBlocks() {
  for (std::size_t c = 0; c < kClasses; ++c) {
    for (std::size_t a = 0; a < kAlignments; ++a) {
      const std::size_t size = std::size_t{16} << c, alignment = std::size_t{1} << a;
      for (void* p : free_[list_index(size, alignment)]) {
        ASAN_UNPOISON_MEMORY_REGION(p, size);
        std::pmr::new_delete_resource()->deallocate(p, size, alignment);
      }
    }
  }
}

void* RecycledBlocks::do_allocate(std::size_t bytes, std::size_t alignment) {
  if (bytes > kMaxClass) return map_block(bytes, alignment);
  const std::size_t size = size_class(bytes);
  if (alignment > kMaxKeptAlignment) return std::pmr::new_delete_resource()->allocate(bytes, alignment);
  void* p = take_kept(size, alignment);
  if (p == nullptr) {
    p = std::pmr::new_delete_resource()->allocate(size, alignment);
    ASAN_POISON_MEMORY_REGION(p, size);
  }
  ASAN_UNPOISON_MEMORY_REGION(p, bytes);  // the rest of the class stays poisoned
  return p;
}

void* RecycledBlocks::take_kept(std::size_t size, std::size_t alignment) {
  const std::size_t c = class_index(size);
  const unsigned fitting = kept_alignments_[c] & ~((1u << std::countr_zero(alignment)) - 1u);
  if (fitting == 0) return nullptr;
  const std::size_t kept_alignment = std::size_t{1} << (std::bit_width(fitting) - 1);
  std::vector<void*>& list = free_[list_index(size, kept_alignment)];
  void* p = list.back();
  list.pop_back();
  if (list.empty()) kept_alignments_[c] &= static_cast<std::uint16_t>(~kept_alignment_bit(kept_alignment));
  kept_ -= size;
  if (kept_alignment != alignment) lent_.emplace(p, kept_alignment);
  return p;
}

void RecycledBlocks::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
  if (bytes > kMaxClass) return unmap_block(p, bytes, alignment);
  if (alignment > kMaxKeptAlignment) return std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
  const std::size_t size = size_class(bytes);
  if (!lent_.empty()) {  // made with a larger alignment than it was last asked for
    if (const auto it = lent_.find(p); it != lent_.end()) {
      alignment = it->second;
      lent_.erase(it);
    }
  }
  if (kept_ + size > kMaxKept) {
    ASAN_UNPOISON_MEMORY_REGION(p, size);
    std::pmr::new_delete_resource()->deallocate(p, size, alignment);
    return;
  }
  ASAN_POISON_MEMORY_REGION(p, size);
  free_[list_index(size, alignment)].push_back(p);
  kept_alignments_[class_index(size)] |= kept_alignment_bit(alignment);
  kept_ += size;
}

RecycledBlocks& recycled_blocks() {
  static RecycledBlocks blocks;
  return blocks;
}

}  // namespace poolcheck::fuzz
