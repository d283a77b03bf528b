// An optimized Node.js-style Buffer pool.
//
// Small buffers are bump-allocated from shared pools; requests at or above
// half the pool size get a block of their own (see NodePoolRules and
// docs/SPEC.md). The pooled fast path is compare, bump, round up, count a
// reference: no heap allocation and no lookup. Dead pools go to a bounded
// cache and are reused, because memory returned to the system costs page
// faults when it is touched again.
//
// Thread safety: none. Use one allocator per thread, like
// std::pmr::unsynchronized_pool_resource; a Buffer must be released on the
// thread that owns its allocator, and before the allocator is destroyed.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "allocator/pool_rules.h"
#include "allocator/pool_types.h"

namespace poolcheck {

template <class Rules = NodePoolRules>
class BasicPoolAllocator {
  struct Pool;

 public:
  // A move-only handle to `size()` bytes. Destroying it (or release()) gives
  // the bytes back; a pooled buffer keeps its pool alive until then.
  class Buffer {
   public:
    Buffer() = default;
    Buffer(Buffer&& other) noexcept { take(other); }
    Buffer& operator=(Buffer&& other) noexcept {
      if (this != &other) {
        release();
        take(other);
      }
      return *this;
    }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { release(); }

    std::byte* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::span<std::byte> bytes() const { return {data_, size_}; }
    bool pooled() const { return pool_ != nullptr; }
    // True for a handle that came from an allocator and is not released yet.
    bool live() const { return owner_ != nullptr; }
    Placement placement() const {
      if (pool_ == nullptr) return {false, 0, 0, size_};
      return {true, pool_->number, static_cast<std::size_t>(data_ - pool_->memory), size_};
    }
    void release() noexcept {
      if (owner_ != nullptr) owner_->release(*this);
      data_ = nullptr;
      size_ = 0;
      pool_ = nullptr;
      owner_ = nullptr;
    }

   private:
    friend class BasicPoolAllocator;
    Buffer(std::byte* data, std::size_t size, Pool* pool, BasicPoolAllocator* owner)
        : data_(data), size_(size), pool_(pool), owner_(owner) {}
    void take(Buffer& other) noexcept {
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      pool_ = std::exchange(other.pool_, nullptr);
      owner_ = std::exchange(other.owner_, nullptr);
    }

    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    Pool* pool_ = nullptr;  // null for unpooled and empty buffers
    BasicPoolAllocator* owner_ = nullptr;
  };

  explicit BasicPoolAllocator(PoolOptions options = {})
      : alignment_(options.alignment),
        upstream_(options.upstream),
        block_alignment_(std::max(options.alignment, alignof(std::max_align_t))),
        cache_limit_(options.cache_limit),
        pool_alignment_(Rules::pool_alignment(options.alignment)) {
    if (!is_power_of_two(alignment_) || alignment_ > kMaxAlignment)
      throw std::invalid_argument("alignment must be a power of two up to 4096");
    if (upstream_ == nullptr) throw std::invalid_argument("upstream must not be null");
    set_pool_size(options.pool_size);
    cache_.reserve(cache_limit_);  // so that retiring a pool never allocates
  }
  BasicPoolAllocator(const BasicPoolAllocator&) = delete;
  BasicPoolAllocator& operator=(const BasicPoolAllocator&) = delete;
  ~BasicPoolAllocator() {
    assert(stats_.live_buffers == 0 && "every Buffer must be released before its allocator");
    while (blocks_ != nullptr) destroy_pool(blocks_);
  }

  // Buffer.allocUnsafe(n). Throws std::length_error above kMaxRequest and
  // std::bad_alloc when upstream fails; either way nothing changes.
  Buffer allocate(std::size_t n) {
    if (n == 0) return make_empty();
    if (Rules::is_unpooled(n, threshold_)) return allocate_unpooled(n);
    if (current_ == nullptr || Rules::needs_new_pool(capacity_, offset_, n)) [[unlikely]]
      start_pool();
    return carve(n);
  }

  // Buffer.from(string): reserve `reserve` bytes, let `writer` fill a prefix
  // of the span it is given and return how many bytes it kept. Keeping more
  // than reserved throws std::length_error. If the writer throws, the
  // exception propagates; a pool the reservation started stays current, as
  // after `allocate_with(reserve, keep nothing)`.
  template <class Writer>
  Buffer allocate_with(std::size_t reserve, Writer&& writer) {
    if (Rules::is_unpooled(reserve, threshold_)) return write_unpooled(reserve, writer);
    if (current_ == nullptr || Rules::needs_new_pool(capacity_, offset_, reserve))
      start_pool();
    const std::size_t kept = writer(std::span<std::byte>(memory_ + offset_, reserve));
    if (kept > reserve) throw std::length_error("writer kept more bytes than it reserved");
    return carve(kept);
  }

  // Buffer.allocUnsafe(n, alignment) (Node v26.8+): `alignment` must be a
  // power of two up to kMaxRequestAlignment (else std::invalid_argument).
  // Above kPoolBaseAlignment, or at or above the threshold, the buffer gets a
  // block of its own aligned to `alignment`; otherwise the offset is rounded
  // up to `alignment` before the room check. A separate entry, so that
  // allocate(n) keeps its fast path as it is.
  Buffer allocate(std::size_t n, std::size_t alignment) {
    check_alignment(alignment);
    if (n == 0) return make_empty();
    if (Rules::is_unpooled_aligned(n, alignment, threshold_)) return allocate_aligned_block(n, alignment);
    if constexpr (!Rules::pads_before_room_check) {
      if (current_ == nullptr || Rules::needs_new_pool(capacity_, offset_, n)) start_pool();
      pad_offset_to(alignment);
      return carve(n);
    }
    if (current_ == nullptr || Rules::needs_new_pool(capacity_, round_up(offset_, alignment), n)) {
      start_pool();  // the skipped bytes are the old pool's tail waste, not padding
      return carve(n);
    }
    pad_offset_to(alignment);
    return carve(n);
  }

  // Buffer.allocUnsafeSlow(n, alignment): never pooled; a block of exactly n
  // bytes aligned to `alignment` (and to block_alignment()); n == 0 gives an
  // empty buffer.
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) {
    check_alignment(alignment);
    if constexpr (Rules::slow_is_pooled) return allocate(n, alignment);
    if (n == 0) return make_empty();
    return allocate_aligned_block(n, alignment);
  }

  // Buffer.poolSize = n. Takes effect for the next allocation; the current
  // pool keeps its capacity.
  void set_pool_size(std::size_t n) {
    if (n > kMaxPoolSize) throw std::invalid_argument("pool_size must be at most 2^30");
    pool_size_ = n;
    threshold_ = n / 2;
  }

  std::size_t pool_size() const { return pool_size_; }
  std::size_t alignment() const { return alignment_; }
  // Alignment of unpooled blocks (those asked for a larger alignment get it).
  std::size_t block_alignment() const { return block_alignment_; }
  // Alignment of pool memory: at least kPoolBaseAlignment.
  std::size_t pool_alignment() const { return pool_alignment_; }
  std::size_t cache_limit() const { return cache_limit_; }
  // capacity - offset of the current pool (negative after rounding past a
  // capacity that is not a multiple of the alignment); nullopt before the
  // first pool.
  std::optional<std::ptrdiff_t> room() const {
    if (current_ == nullptr) return std::nullopt;
    return static_cast<std::ptrdiff_t>(current_->capacity) - static_cast<std::ptrdiff_t>(offset_);
  }
  const PoolStats& stats() const { return stats_; }

 private:
  enum class PoolState : std::uint8_t { kCurrent, kLive, kCached };

  // Lives at the end of its own block, after `capacity` bytes of memory, so
  // that a pool costs one upstream allocation and no alignment is wasted.
  struct Pool {
    std::byte* memory;
    std::size_t capacity;
    std::size_t block_bytes;
    std::uint64_t number = 0;
    // Counts live handles into this block. It is never reset: even under
    // wrong Rules it stays true, so teardown stays sound.
    std::uint32_t refs = 0;
    PoolState state = PoolState::kCurrent;
    Pool* prev = nullptr;  // every block held from upstream, for teardown
    Pool* next = nullptr;
  };

  Buffer make_empty() {
    ++stats_.live_buffers;
    return Buffer(nullptr, 0, nullptr, this);
  }

  // The fast path's second half: the current pool has room for the request.
  Buffer carve(std::size_t kept) noexcept {
    Pool* pool = current_;
    const std::size_t end = offset_ + kept;
    if constexpr (Rules::kAssertInvariants) assert(end <= capacity_ && "room was checked before carving");
    std::byte* data = memory_ + offset_;
    const std::size_t next = Rules::next_offset(offset_, kept, alignment_);
    if (next > end) stats_.padding_bytes += std::min(next, capacity_) - end;
    offset_ = next;
    ++pool->refs;
    ++stats_.live_buffers;
    stats_.bytes_in_use += kept;
    return Buffer(data, kept, pool, this);
  }

  void check_request(std::size_t n) const {
    if (n > kMaxRequest) throw std::length_error("request larger than kMaxRequest (2^30 bytes)");
  }

  Buffer adopt_unpooled(std::byte* data, std::size_t n) noexcept {
    ++stats_.live_buffers;
    stats_.bytes_in_use += n;
    stats_.unpooled_bytes += n;
    return Buffer(data, n, nullptr, this);
  }

  Buffer allocate_unpooled(std::size_t n) {
    check_request(n);
    return adopt_unpooled(static_cast<std::byte*>(upstream_->allocate(n, block_alignment_)), n);
  }

  // An upstream block that goes back unless adopted; keeps write_unpooled
  // exception-safe.
  struct ScratchBlock {
    std::pmr::memory_resource* upstream;
    std::size_t size;
    std::size_t alignment;
    std::byte* data;
    ScratchBlock(std::pmr::memory_resource* up, std::size_t n, std::size_t align)
        : upstream(up), size(n), alignment(align),
          data(static_cast<std::byte*>(up->allocate(n, align))) {}
    ScratchBlock(const ScratchBlock&) = delete;
    ScratchBlock& operator=(const ScratchBlock&) = delete;
    ~ScratchBlock() {
      if (data != nullptr) upstream->deallocate(data, size, alignment);
    }
    std::byte* adopt() { return std::exchange(data, nullptr); }
  };

  template <class Writer>
  Buffer write_unpooled(std::size_t reserve, Writer& writer) {
    check_request(reserve);
    if (reserve == 0) {
      if (writer(std::span<std::byte>()) != 0)
        throw std::length_error("writer kept more bytes than it reserved");
      return make_empty();
    }
    ScratchBlock scratch(upstream_, reserve, block_alignment_);
    const std::size_t kept = writer(std::span<std::byte>(scratch.data, reserve));
    if (kept > reserve) throw std::length_error("writer kept more bytes than it reserved");
    if (kept == reserve) return adopt_unpooled(scratch.adopt(), kept);
    if (kept == 0) return make_empty();
    // Like Node, the buffer gets exactly the bytes written.
    ScratchBlock exact(upstream_, kept, block_alignment_);
    std::copy_n(scratch.data, kept, exact.data);
    return adopt_unpooled(exact.adopt(), kept);
  }

  static void check_alignment(std::size_t alignment) {
    if (!is_request_alignment(alignment))
      throw std::invalid_argument("alignment must be a power of two up to 2^30");
  }

  // Rounds the current pool's offset up to a request's alignment; the bytes
  // skipped are padding (the buffer that follows fits in the pool).
  void pad_offset_to(std::size_t alignment) noexcept {
    const std::size_t padded = round_up(offset_, alignment);
    if (padded > offset_) stats_.padding_bytes += std::min(padded, capacity_) - std::min(offset_, capacity_);
    offset_ = padded;
  }

  // An unpooled block for an aligned or slow request. A block aligned beyond
  // block_alignment() is remembered, because it must go back upstream with
  // the alignment it was asked with; the note is reserved before upstream is
  // asked, so that a failure changes nothing.
  Buffer allocate_aligned_block(std::size_t n, std::size_t alignment) {
    check_request(n);
    if (alignment <= block_alignment_)
      return adopt_unpooled(static_cast<std::byte*>(upstream_->allocate(n, block_alignment_)), n);
    over_aligned_.reserve(over_aligned_.size() + 1);
    auto* data = static_cast<std::byte*>(upstream_->allocate(n, alignment));
    over_aligned_.push_back({data, alignment});
    return adopt_unpooled(data, n);
  }

  // The alignment an unpooled block was asked with.
  std::size_t unpooled_alignment(std::byte* data) noexcept {
    for (auto it = over_aligned_.begin(); it != over_aligned_.end(); ++it) {
      if (it->data != data) continue;
      const std::size_t alignment = it->alignment;
      *it = over_aligned_.back();
      over_aligned_.pop_back();
      return alignment;
    }
    return block_alignment_;
  }

  // Makes a new pool current. Strong guarantee: if upstream throws, nothing
  // has changed. The replaced pool dies if nothing refers to it, and its
  // memory is the first choice for the new pool.
  void start_pool() {
    Pool* const old = current_;
    const std::size_t capacity = pool_size_;
    const bool old_dies = old != nullptr && Rules::is_dead(old->refs);
    Pool* fresh = nullptr;
    if (old_dies && old->capacity == capacity) {
      fresh = old;
      ++stats_.pools_reused;
    } else if ((fresh = take_cached(capacity)) != nullptr) {
      ++stats_.pools_reused;
    } else {
      fresh = create_pool(capacity);  // the only step that can throw
      ++stats_.pools_created;
    }
    if (old != nullptr) {
      stats_.tail_waste_bytes += Rules::tail_waste(old->capacity, offset_);
      old->state = PoolState::kLive;
      if (old_dies) {
        forget_live(old);
        if (fresh != old) retire(old);
      }
    }
    fresh->state = PoolState::kCurrent;
    fresh->number = next_pool_number_++;
    ++stats_.live_pools;
    stats_.pool_bytes += fresh->capacity;
    current_ = fresh;
    memory_ = fresh->memory;
    capacity_ = fresh->capacity;
    offset_ = 0;
  }

  // Small enough to inline into every Buffer::release(); what happens
  // rarely is out of line (g++ did not inline the whole of it: bench/).
  void release(Buffer& buffer) noexcept {
    --stats_.live_buffers;
    stats_.bytes_in_use -= buffer.size_;
    if (Pool* pool = buffer.pool_) [[likely]] {
      assert(pool->refs > 0);
      --pool->refs;
      // refs first: it is in a register already, and rarely dead.
      if (Rules::is_dead(pool->refs) && pool->state == PoolState::kLive) [[unlikely]]
        bury(pool);
    } else if (buffer.size_ != 0) {
      release_unpooled(buffer.data_, buffer.size_);
    }
  }

  [[gnu::noinline]] void bury(Pool* pool) noexcept {
    forget_live(pool);
    retire(pool);
  }

  [[gnu::noinline]] void release_unpooled(std::byte* data, std::size_t n) noexcept {
    stats_.unpooled_bytes -= n;
    const std::size_t alignment = over_aligned_.empty() ? block_alignment_ : unpooled_alignment(data);
    upstream_->deallocate(data, n, alignment);
  }

  void forget_live(Pool* pool) noexcept {
    --stats_.live_pools;
    stats_.pool_bytes -= pool->capacity;
  }

  // A dead pool goes to the cache; when the cache is full it goes back
  // upstream itself, and the cache keeps the pools that died before it.
  // (Evicting the oldest instead gave glibc back the blocks at the top of its
  // heap, which it trimmed and grew again every burst: bench/, random4k.)
  void retire(Pool* pool) noexcept {
    if (cache_.size() == cache_limit_) {
      destroy_pool(pool);
      return;
    }
    pool->state = PoolState::kCached;
    cache_.push_back(pool);  // never reallocates: reserved in the constructor
    ++stats_.cached_pools;
  }

  // The most recently cached pool of exactly this capacity, if any.
  Pool* take_cached(std::size_t capacity) noexcept {
    for (auto it = cache_.rbegin(); it != cache_.rend(); ++it) {
      if ((*it)->capacity == capacity) {
        Pool* pool = *it;
        cache_.erase(std::next(it).base());
        --stats_.cached_pools;
        return pool;
      }
    }
    return nullptr;
  }

  Pool* create_pool(std::size_t capacity) {
    const std::size_t header_at = round_up(capacity, alignof(Pool));
    const std::size_t block_bytes = header_at + sizeof(Pool);
    auto* memory = static_cast<std::byte*>(upstream_->allocate(block_bytes, pool_alignment_));
    Pool* pool = ::new (memory + header_at) Pool{memory, capacity, block_bytes};
    pool->next = blocks_;
    if (blocks_ != nullptr) blocks_->prev = pool;
    blocks_ = pool;
    return pool;
  }

  void destroy_pool(Pool* pool) noexcept {
    if (pool->prev != nullptr) pool->prev->next = pool->next;
    else blocks_ = pool->next;
    if (pool->next != nullptr) pool->next->prev = pool->prev;
    std::byte* memory = pool->memory;
    const std::size_t block_bytes = pool->block_bytes;
    pool->~Pool();
    upstream_->deallocate(memory, block_bytes, pool_alignment_);
  }

  // Fast-path state first. memory_ and capacity_ copy the current pool's, so
  // that the fast path does not load them from the pool's header, at the far
  // end of its block.
  Pool* current_ = nullptr;
  std::byte* memory_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t offset_ = 0;
  std::size_t threshold_ = 0;
  std::size_t alignment_;
  PoolStats stats_;

  std::pmr::memory_resource* upstream_;
  std::size_t pool_size_ = 0;
  std::size_t block_alignment_;
  std::size_t cache_limit_;
  std::uint64_t next_pool_number_ = 0;
  std::vector<Pool*> cache_;  // oldest first
  Pool* blocks_ = nullptr;
  std::size_t pool_alignment_;
  // Live unpooled blocks asked for an alignment above block_alignment_;
  // rare (alignment > 64), so a short list.
  struct OverAligned {
    std::byte* data;
    std::size_t alignment;
  };
  std::vector<OverAligned> over_aligned_;
};

using PoolAllocator = BasicPoolAllocator<>;
using Buffer = PoolAllocator::Buffer;

}  // namespace poolcheck
