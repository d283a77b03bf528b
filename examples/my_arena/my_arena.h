// MyArena: a small arena allocator written for this example (it is not
// part of poolcheck). Blocks are cut from 64 KiB chunks drawn from an
// upstream std::pmr::memory_resource; a released block goes on a free list
// of its size class (multiples of 16 bytes) and is handed out again; a
// request above 16 KiB or above 64-byte alignment gets a block of its own
// from upstream. Everything goes back upstream when the arena is destroyed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory_resource>
#include <new>
#include <utility>
#include <vector>

class MyArena {
 public:
  static constexpr std::size_t kChunk = 64 * 1024;
  static constexpr std::size_t kLargest = 16 * 1024;
  static constexpr std::size_t kChunkAlignment = 64;

  explicit MyArena(std::pmr::memory_resource* upstream) : upstream_(upstream) {}
  MyArena(const MyArena&) = delete;
  MyArena& operator=(const MyArena&) = delete;
  ~MyArena() {
    for (std::byte* chunk : chunks_) upstream_->deallocate(chunk, kChunk, kChunkAlignment);
  }

  void* allocate(std::size_t n, std::size_t alignment) {
    if (n > kLargest || alignment > kChunkAlignment) return upstream_->allocate(std::max<std::size_t>(n, 1), alignment);
    const std::size_t size = size_class(n, alignment);
    const std::size_t step = std::max<std::size_t>(16, alignment);
    std::vector<std::byte*>& free = free_[{size, step}];
    if (!free.empty()) {
      std::byte* block = free.back();
      free.pop_back();
      return block;
    }
    used_ = (used_ + step - 1) / step * step;  // the chunk is 64-aligned: so is the block
    if (chunks_.empty() || used_ + size > kChunk) {
      chunks_.reserve(chunks_.size() + 1);  // nothing can throw after the upstream request
      chunks_.push_back(static_cast<std::byte*>(upstream_->allocate(kChunk, kChunkAlignment)));
      used_ = 0;
    }
    std::byte* block = chunks_.back() + used_;
    used_ += size;
    return block;
  }

  void deallocate(void* p, std::size_t n, std::size_t alignment) {
    if (n > kLargest || alignment > kChunkAlignment)
      return upstream_->deallocate(p, std::max<std::size_t>(n, 1), alignment);
    std::vector<std::byte*>& free = free_[{size_class(n, alignment), std::max<std::size_t>(16, alignment)}];
    free.push_back(static_cast<std::byte*>(p));
  }

 private:
  // The size class: a multiple of 16 and of the alignment. A free list
  // holds the blocks of one size class and one alignment step: a 4096-byte
  // block cut at 16 is no block for a 64-aligned request of the same size
  // (poolcheck's properties found that this arena first keyed its lists by
  // size alone: docs/ADAPTERS.md).
  static std::size_t size_class(std::size_t n, std::size_t alignment) {
    const std::size_t step = std::max<std::size_t>(16, alignment);
    return std::max<std::size_t>(step, (n + step - 1) / step * step);
  }

  std::pmr::memory_resource* upstream_;
  std::vector<std::byte*> chunks_;
  std::size_t used_ = 0;
  std::map<std::pair<std::size_t, std::size_t>, std::vector<std::byte*>> free_;  // by (size, step)
};
