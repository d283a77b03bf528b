// The floor: a pointer bumped through 8 KiB chunks, with nothing per buffer
// but a live count. When the last buffer goes, allocation starts again at the
// first chunk, so in steady state it never goes upstream. It serves requests
// up to one chunk, which is all the workloads ask for (Node's pooled range).
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <vector>

#include "allocator/pool_types.h"
#include "bench/block.h"
#include "bench/counting_resource.h"

namespace poolcheck::bench {

class BumpAdapter {
 public:
  using Handle = Block;
  static constexpr std::size_t kChunkBytes = 8192;

  BumpAdapter() = default;
  BumpAdapter(const BumpAdapter&) = delete;
  BumpAdapter& operator=(const BumpAdapter&) = delete;
  ~BumpAdapter() {
    for (std::byte* chunk : chunks_) upstream_.deallocate(chunk, kChunkBytes, kBufferAlignment);
  }

  Handle allocate(std::size_t n) {
    make_room(n);
    return {bump(n), n};
  }
  template <class Writer>
  Handle allocate_with(std::size_t reserve, Writer&& writer) {
    make_room(reserve);
    const std::size_t kept = writer(std::span<std::byte>(next_, reserve));
    return {bump(kept), kept};
  }
  void release(Handle& block) {
    block = {};
    if (--live_ == 0) {
      used_ = 0;
      next_ = end_ = nullptr;
    }
  }
  static std::byte* data(const Handle& block) { return block.data; }

  std::size_t held() const { return upstream_.held(); }

 private:
  void make_room(std::size_t n) {
    if (n > static_cast<std::size_t>(end_ - next_)) [[unlikely]] next_chunk(n);
  }
  // Out of line, like poolcheck's start_pool: once per chunk.
  [[gnu::noinline]] void next_chunk(std::size_t n) {
    if (n > kChunkBytes) throw std::length_error("the bump floor serves at most one chunk");
    if (used_ == chunks_.size())
      chunks_.push_back(static_cast<std::byte*>(upstream_.allocate(kChunkBytes, kBufferAlignment)));
    next_ = chunks_[used_++];
    end_ = next_ + kChunkBytes;
  }
  std::byte* bump(std::size_t kept) {
    std::byte* data = next_;
    next_ += round_up(kept, kBufferAlignment);  // stays inside: chunks and room are multiples of 8
    ++live_;
    return data;
  }

  CountingResource upstream_;
  std::vector<std::byte*> chunks_;
  std::size_t used_ = 0;  // chunks handed out since the last reset
  std::byte* next_ = nullptr;
  std::byte* end_ = nullptr;
  std::size_t live_ = 0;
};

}  // namespace poolcheck::bench
