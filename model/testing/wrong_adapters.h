// Deliberately wrong allocators of other shapes than the Node pool, each
// behind its adapter (model/adapter/adapter.h's shape; test code only), so
// that the generic checks, POOLCHECK_PROPERTIES and POOLCHECK_FUZZ_TARGET
// can show they catch what they claim (model/adapter/wrong_adapters_test.cc,
// docs/ADAPTERS.md "Six wrong allocators"). Each gets one decision wrong:
//   DoubleHandOut        a block handed out from a cache and again from its free list
//   RoundsDown           size classes that round a request down
//   AlignmentUpTo16      alignments above 16 ignored
//   ReallocLosesTheTail  reallocate copies whole 16-byte words only
//   LeaksOnFailure       a chunk's record kept when the chunk's request fails
//   CoalescesLive        release merges the next block even while it is live
// They draw memory from the upstream they are given, in chunks of
// kChunkBytes; a request larger than a chunk gets a block of its own.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory_resource>
#include <string_view>
#include <utility>
#include <vector>

namespace poolcheck::wrong {

struct Handle {
  std::byte* data = nullptr;
  std::size_t size = 0;
  std::size_t alignment = 0;
  bool own_block = false;  // a block of its own from upstream
};

inline std::size_t round_up(std::size_t n, std::size_t alignment) { return (n + alignment - 1) / alignment * alignment; }

// What they share: chunks from upstream, blocks of their own for large
// requests, everything given back on destruction.
class ChunkSource {
 public:
  static constexpr std::size_t kChunkBytes = 4096;
  explicit ChunkSource(std::pmr::memory_resource* upstream) : upstream_(upstream) {}
  ChunkSource(const ChunkSource&) = delete;
  ChunkSource& operator=(const ChunkSource&) = delete;
  ~ChunkSource() {
    for (std::byte* chunk : chunks_) upstream_->deallocate(chunk, kChunkBytes, 64);
  }
  std::byte* chunk() {
    chunks_.reserve(chunks_.size() + 1);  // so that push_back cannot throw after the request
    chunks_.push_back(static_cast<std::byte*>(upstream_->allocate(kChunkBytes, 64)));
    return chunks_.back();
  }
  bool large(std::size_t n, std::size_t alignment) const { return n > kChunkBytes / 2 || alignment > 64; }
  Handle own(std::size_t n, std::size_t alignment) {
    const std::size_t a = std::max<std::size_t>(alignment, 16);
    return {static_cast<std::byte*>(upstream_->allocate(std::max<std::size_t>(n, 1), a)), n, a, true};
  }
  void give_back(Handle& handle) { upstream_->deallocate(handle.data, std::max<std::size_t>(handle.size, 1), handle.alignment); }
  std::pmr::memory_resource* upstream() const { return upstream_; }

 private:
  std::pmr::memory_resource* upstream_;
  std::vector<std::byte*> chunks_;
};

// A bump pointer through chunks: blocks are never reused.
class Bump {
 public:
  using Handle = wrong::Handle;
  explicit Bump(std::pmr::memory_resource* upstream) : source_(upstream) {}
  virtual ~Bump() = default;
  Handle allocate(std::size_t n, std::size_t alignment) {
    if (source_.large(n, alignment)) return source_.own(n, alignment);
    const std::size_t a = aligned(alignment);
    std::size_t at = round_up(used_, a);
    if (next_ == nullptr || at + n > ChunkSource::kChunkBytes) {
      next_ = source_.chunk();
      at = 0;
    }
    used_ = at + n;
    return {next_ + at, n, alignment, false};
  }
  void release(Handle& handle) {
    if (handle.own_block) source_.give_back(handle);
    handle = {};
  }

 protected:
  // Right: the alignment asked for. AlignmentUpTo16 gets it wrong.
  virtual std::size_t aligned(std::size_t alignment) const { return alignment; }
  ChunkSource source_;
  std::byte* next_ = nullptr;
  std::size_t used_ = 0;
};

// Fixed slots of one size class per request size, each class a free list.
class SizeClasses {
 public:
  using Handle = wrong::Handle;
  explicit SizeClasses(std::pmr::memory_resource* upstream) : source_(upstream) {}
  virtual ~SizeClasses() = default;
  Handle allocate(std::size_t n, std::size_t alignment) {
    if (source_.large(n, alignment)) return source_.own(n, alignment);
    const std::size_t size = slot_size(std::max<std::size_t>(n, 1));
    std::vector<std::byte*>& free = free_[size];
    if (free.empty()) {
      std::byte* chunk = source_.chunk();
      for (std::size_t at = ChunkSource::kChunkBytes / size * size; at >= size; at -= size) free.push_back(chunk + at - size);
    }
    return {pop(free), n, size, false};
  }
  void release(Handle& handle) {
    if (handle.own_block) source_.give_back(handle);
    else free_[handle.alignment].push_back(handle.data);  // alignment holds the slot size
    handle = {};
  }

 protected:
  // Right: the next power of two, at least 64 (so slots are 64-aligned).
  virtual std::size_t slot_size(std::size_t n) const { return std::max<std::size_t>(64, std::bit_ceil(n)); }
  std::byte* pop(std::vector<std::byte*>& free) {
    std::byte* block = free.back();
    free.pop_back();
    return block;
  }
  ChunkSource source_;
  std::map<std::size_t, std::vector<std::byte*>> free_;
};

// A released block goes on its free list and into a one-block cache that
// allocate tries first; taking it from the cache leaves it on the list.
struct DoubleHandOut : SizeClasses {
  static constexpr std::string_view kName = "wrong_double_hand_out";
  using SizeClasses::SizeClasses;
  Handle allocate(std::size_t n, std::size_t alignment) {
    if (cached_ != nullptr && !source_.large(n, alignment) && slot_size(std::max<std::size_t>(n, 1)) == cached_size_)
      return {std::exchange(cached_, nullptr), n, cached_size_, false};
    return SizeClasses::allocate(n, alignment);
  }
  void release(Handle& handle) {
    if (!handle.own_block) {
      cached_ = handle.data;
      cached_size_ = handle.alignment;  // the slot size
    }
    SizeClasses::release(handle);
  }
  std::byte* cached_ = nullptr;
  std::size_t cached_size_ = 0;
};

struct RoundsDown : SizeClasses {
  static constexpr std::string_view kName = "wrong_rounds_down";
  using SizeClasses::SizeClasses;
  // The power of two at or below n: a 100-byte request gets a 64-byte slot.
  std::size_t slot_size(std::size_t n) const override { return std::max<std::size_t>(64, std::bit_floor(n)); }
};

struct AlignmentUpTo16 : Bump {
  static constexpr std::string_view kName = "wrong_alignment_up_to_16";
  using Bump::Bump;
  std::size_t aligned(std::size_t alignment) const override { return std::min<std::size_t>(alignment, 16); }
};

struct ReallocLosesTheTail : Bump {
  static constexpr std::string_view kName = "wrong_realloc_loses_the_tail";
  using Bump::Bump;
  // Moves to a new block and copies whole 16-byte words only.
  void reallocate(Handle& handle, std::size_t n) {
    Handle moved = allocate(n, std::max<std::size_t>(handle.alignment, 1));
    const std::size_t keep = std::min(handle.size, n) / 16 * 16;
    if (keep > 0) std::memcpy(moved.data, handle.data, keep);
    release(handle);
    handle = moved;
  }
};

// Every chunk has a record of its own from upstream (a list node): the
// record first, then the chunk. When the chunk's request fails, the record
// is not given back.
struct LeaksOnFailure {
  static constexpr std::string_view kName = "wrong_leaks_on_failure";
  using Handle = wrong::Handle;
  struct Record {
    std::byte* chunk;
    Record* next;
  };
  explicit LeaksOnFailure(std::pmr::memory_resource* upstream) : upstream_(upstream) {}
  LeaksOnFailure(const LeaksOnFailure&) = delete;
  LeaksOnFailure& operator=(const LeaksOnFailure&) = delete;
  ~LeaksOnFailure() {
    while (records_ != nullptr) {
      Record* record = records_;
      records_ = record->next;
      upstream_->deallocate(record->chunk, kChunkBytes, 64);
      upstream_->deallocate(record, sizeof(Record), alignof(Record));
    }
  }
  Handle allocate(std::size_t n, std::size_t alignment) {
    if (n > kChunkBytes / 2 || alignment > 64) {
      const std::size_t a = std::max<std::size_t>(alignment, 16);
      return {static_cast<std::byte*>(upstream_->allocate(std::max<std::size_t>(n, 1), a)), n, a, true};
    }
    std::size_t at = round_up(used_, alignment);
    if (records_ == nullptr || at + n > kChunkBytes) {
      auto* record = static_cast<Record*>(upstream_->allocate(sizeof(Record), alignof(Record)));
      // Wrong: if this throws, `record` is lost.
      std::byte* chunk = static_cast<std::byte*>(upstream_->allocate(kChunkBytes, 64));
      records_ = ::new (record) Record{chunk, records_};
      at = 0;
    }
    used_ = at + n;
    return {records_->chunk + at, n, alignment, false};
  }
  void release(Handle& handle) {
    if (handle.own_block) upstream_->deallocate(handle.data, std::max<std::size_t>(handle.size, 1), handle.alignment);
    handle = {};
  }
  static constexpr std::size_t kChunkBytes = 4096;
  std::pmr::memory_resource* upstream_;
  Record* records_ = nullptr;
  std::size_t used_ = 0;
};

// First fit over one chunk's segments; a released segment merges with the
// next one. Wrong: it merges whether or not the next one is free.
struct CoalescesLive {
  static constexpr std::string_view kName = "wrong_coalesces_live";
  using Handle = wrong::Handle;
  struct Segment {
    std::size_t size;
    bool free;
  };
  explicit CoalescesLive(std::pmr::memory_resource* upstream) : source_(upstream) {}
  Handle allocate(std::size_t n, std::size_t alignment) {
    if (source_.large(n, alignment) || alignment > 16) return source_.own(n, alignment);
    const std::size_t size = round_up(std::max<std::size_t>(n, 1), 16);
    if (chunk_ == nullptr) {
      chunk_ = source_.chunk();
      segments_[0] = {ChunkSource::kChunkBytes, true};
    }
    for (auto& [at, segment] : segments_) {
      if (!segment.free || segment.size < size) continue;
      if (segment.size > size) segments_[at + size] = {segment.size - size, true};
      segment = {size, false};
      return {chunk_ + at, n, alignment, false};
    }
    return source_.own(n, alignment);
  }
  void release(Handle& handle) {
    if (handle.own_block) {
      source_.give_back(handle);
    } else {
      auto it = segments_.find(static_cast<std::size_t>(handle.data - chunk_));
      if (it == segments_.end()) {  // merged away while live: the bug's trace, nothing to free
        handle = {};
        return;
      }
      it->second.free = true;
      if (auto next = std::next(it); next != segments_.end()) {  // wrong: next->second.free not asked
        it->second.size += next->second.size;
        segments_.erase(next);
      }
    }
    handle = {};
  }
  ChunkSource source_;
  std::byte* chunk_ = nullptr;
  std::map<std::size_t, Segment> segments_;
};

}  // namespace poolcheck::wrong
