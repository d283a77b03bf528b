// An optimized Node.js-style Buffer pool.
//
// Small buffers are bump-allocated from shared pools; requests at or above
// half the pool size get a block of their own (see NodePoolRules and
// docs/SPEC.md). The pooled fast path is compare, compare, bump and round
// up, count the buffer: no heap allocation, no lookup, no call, and a
// release is a subtract and a decrement on its pool. Dead pools go
// to a bounded cache that follows bursts and are reused, because memory
// returned to the system costs page faults when it is touched again (the
// cache gives back what a window of pool starts did not take: docs/SPEC.md,
// "Lifetime"). What the fast paths cost is
// pinned by bench/fast_path/fast_path.golden (docs/BENCHMARKS.md).
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
#include "allocator/pool_usage.h"
#include "allocator/scratch_block.h"

namespace poolcheck {

template <class Rules = NodePoolRules>
class BasicPoolAllocator {
  struct Pool;

 public:
  // A move-only handle to `size()` bytes. Destroying it (or release()) gives
  // the bytes back; a pooled buffer keeps its pool alive until then. 24
  // bytes: the pool it counts in, and no allocator pointer (the pool has it).
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

    // A handle that is not live (released, moved from, default) has no
    // bytes: nullptr and 0.
    std::byte* data() const { return live() ? data_ : nullptr; }
    std::size_t size() const { return live() ? size_ : 0; }
    std::span<std::byte> bytes() const { return {data(), size()}; }
    bool pooled() const { return pool_ != nullptr && pool_->state != PoolState::kStandIn; }
    // True for a handle that came from an allocator and is not released yet.
    bool live() const { return pool_ != nullptr; }
    Placement placement() const {
      if (!pooled()) return {false, 0, 0, size()};
      return {true, pool_->number, static_cast<std::size_t>(data_ - pool_->memory), size_};
    }
    // An empty handle writes nothing (Buffer::operator= releases the target
    // first). A live one writes one word, its pool, to null: data() and
    // size() read that word first, so data_ and size_ need not be cleared.
    void release() noexcept {
      Pool* pool = pool_;
      if (pool == nullptr) return;
      pool_ = nullptr;
      BasicPoolAllocator::release(pool, *this);
    }

   private:
    friend class BasicPoolAllocator;
    Buffer(std::byte* data, std::size_t size, Pool* pool) : data_(data), size_(size), pool_(pool) {}
    void take(Buffer& other) noexcept {
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      pool_ = std::exchange(other.pool_, nullptr);
    }

    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    // The pool it counts in: its own, or the allocator's stand-in for
    // unpooled and empty buffers. Null once released or moved from.
    Pool* pool_ = nullptr;
  };

  // Throws std::invalid_argument, with validate()'s message, for settings it
  // refuses (allocator/pool_types.h).
  explicit BasicPoolAllocator(PoolOptions options = {})
      : alignment_(options.alignment),
        upstream_(options.upstream),
        block_alignment_(std::max(options.alignment, alignof(std::max_align_t))),
        cache_limit_(options.cache_limit),
        cache_window_(options.cache_window),
        pool_alignment_(Rules::pool_alignment(options.alignment)) {
    static_assert(Rules::is_dead(0), "a pool with no buffer is dead: the stand-in pool relies on it");
    static_assert(Rules::needs_new_pool(0, 0, 1), "no request fits before the first pool");
    if (const std::optional<SettingError> error = validate(options)) throw std::invalid_argument(error->message);
    set_pool_size(options.pool_size);
    cache_.reserve(cache_limit_);  // so that retiring a pool never allocates
    stand_in_.usage = kStandInUsage;
    stand_in_.state = PoolState::kStandIn;
    stand_in_.owner = this;
  }
  BasicPoolAllocator(const BasicPoolAllocator&) = delete;
  BasicPoolAllocator& operator=(const BasicPoolAllocator&) = delete;
  ~BasicPoolAllocator() {
    assert(stats().live_buffers == 0 && "every Buffer must be released before its allocator");
    while (live_ != nullptr) {
      Pool* pool = live_;
      unlink_live(pool);
      destroy_pool(pool);
    }
    for (Pool* pool : cache_) destroy_pool(pool);
  }

  // Buffer.allocUnsafe(n). Throws std::length_error above kMaxRequest, std::bad_alloc from upstream;
  // then nothing changes. Two compares: n - 1 below the pooled sizes (zero length and threshold in one),
  // and the room (cursor_ = end_ = 0 before the first pool: nothing fits); else one call out of line.
  Buffer allocate(std::size_t n) {
    if (!is_pooled(n) || Rules::needs_new_pool(end_, cursor_, n)) [[unlikely]] {
      Buffer rare = allocate_rare(n);  // moved out: inlined, the result stays in registers (BENCHMARKS.md)
      return rare;
    }
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
    if (current_ == nullptr || Rules::needs_new_pool(end_, cursor_, reserve)) start_pool();
    const std::size_t kept = writer(std::span<std::byte>(reinterpret_cast<std::byte*>(cursor_), reserve));
    if (kept > reserve) throw std::length_error("writer kept more bytes than it reserved");
    return carve(kept);
  }

  // Buffer.allocUnsafe(n, alignment) (Node v26.8+): `alignment` must be a
  // power of two up to kMaxRequestAlignment (else std::invalid_argument).
  // Above kPoolBaseAlignment, or at or above the threshold, the buffer gets a
  // block of its own aligned to `alignment`; otherwise the offset is rounded
  // up to `alignment` before the room check (the skipped bytes are padding
  // when the buffer then fits, the old pool's tail waste when it starts a
  // new pool). A separate entry, so that allocate(n) keeps its fast path.
  Buffer allocate(std::size_t n, std::size_t alignment) {
    check_alignment(alignment);
    if (n == 0) return make_empty();
    if (Rules::is_unpooled_aligned(n, alignment, threshold_)) return allocate_aligned_block(n, alignment);
    // Before the first pool capacity and offset are 0: no request fits.
    const std::size_t offset = current_offset(), capacity = current_capacity();
    if (Rules::needs_new_pool(capacity, Rules::room_check_offset(offset, alignment), n)) {
      start_pool();
      return carve(n);
    }
    cursor_ += round_up(offset, alignment) - offset;  // counted as padding: offset - bytes carved
    return carve(n);
  }

  // Buffer.allocUnsafeSlow(n, alignment): never pooled; a block of exactly n
  // bytes aligned to `alignment` (and to block_alignment()); n == 0 gives an
  // empty buffer.
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) {
    check_alignment(alignment);
    if (n == 0) return make_empty();
    return allocate_aligned_block(n, alignment);
  }

  // Buffer.poolSize = n. Takes effect for the next allocation; the current
  // pool keeps its capacity.
  void set_pool_size(std::size_t n) {
    if (!is_pool_size(n)) throw std::invalid_argument(pool_size_error(n));
    pool_size_ = n;
    threshold_ = n / 2;
    pooled_sizes_ = largest_pooled(threshold_);
  }

  std::size_t pool_size() const { return pool_size_; }
  std::size_t alignment() const { return alignment_; }
  // Alignment of pool memory and unpooled blocks.
  std::size_t block_alignment() const { return block_alignment_; }
  // Alignment of pool memory: at least kPoolBaseAlignment (docs/SPEC.md).
  std::size_t pool_alignment() const { return pool_alignment_; }
  std::size_t cache_limit() const { return cache_limit_; }
  // capacity - offset of the current pool (negative after rounding past a
  // capacity that is not a multiple of the alignment); nullopt before the
  // first pool.
  std::optional<std::ptrdiff_t> room() const {
    if (current_ == nullptr) return std::nullopt;
    return static_cast<std::ptrdiff_t>(current_capacity()) - static_cast<std::ptrdiff_t>(current_offset());
  }
  // The gauges live_buffers and bytes_in_use are summed over the live
  // pools' usage here, and padding_bytes is derived from the bytes carved
  // out of the current pool, rather than updated on every op: exact after
  // every op, while each fast path updates two counters (pool_usage.h).
  const PoolStats& stats() const {
    std::uint64_t buffers = stand_in_buffers_, bytes = stats_.unpooled_bytes;
    for (const Pool* pool = live_; pool != nullptr; pool = pool->next) {
      const PoolUsage usage = usage_of(pool);
      buffers += usage.handles;
      bytes += usage.bytes;
    }
    stats_.live_buffers = buffers;
    stats_.bytes_in_use = bytes;
    stats_.padding_bytes = padding_before_current_;
    if (current_ != nullptr) stats_.padding_bytes += current_padding();
    return stats_;
  }

 private:
  enum class PoolState : std::uint8_t { kCurrent, kLive, kCached, kStandIn };

  // Lives at the end of its own block, after `capacity` bytes of memory, so
  // that a pool costs one upstream allocation; on a cache line of its own
  // (create_pool()), which a release writes and a pool start reads.
  struct Pool {
    // Counts live handles into this block and their bytes
    // (allocator/pool_usage.h). While the pool is current, allocations add
    // to the allocator's carved_ instead and releases subtract here, so the
    // pool's usage is usage + carved_ (usage_of()); start_pool() adds
    // carved_ in when the pool stops being current. It is never reset: even
    // under wrong Rules it stays true.
    PoolUsage usage;
    PoolState state = PoolState::kCurrent;
    std::uint32_t capacity = 0;  // at most kMaxPoolSize
    BasicPoolAllocator* owner = nullptr;  // for the rare path of a release
    std::byte* memory = nullptr;  // pool_alignment_ aligned, inside block
    std::byte* block = nullptr;   // what upstream gave, block_bytes(capacity) long
    std::uint64_t number = 0;
    Pool* prev = nullptr;  // the live pools, for stats() and teardown
    Pool* next = nullptr;
  };

  // allocate(n)'s rare cases, out of line so the fast path stays small: an
  // unpooled or empty buffer, or a request that does not fit the current
  // pool (or comes before the first). allocate() moves it out of a local;
  // g++ saves registers for that branch only, so the fast path saves none.
  [[gnu::noinline]] Buffer allocate_rare(std::size_t n) {
    if (!is_pooled(n)) {
      check_request(n);
      std::byte* data = n == 0 ? nullptr : static_cast<std::byte*>(upstream_->allocate(n, block_alignment_));
      ++stand_in_buffers_;  // after the only step that can throw
      stats_.unpooled_bytes += n;
      return Buffer(data, n, &stand_in_);
    }
    begin_pool();
    return carve(n);
  }

  // Whether allocate(n) pools: the zero length and the threshold in one
  // unsigned compare (n = 0 wraps to the largest size). allocate(n) asks
  // nothing else, on the fast path and the rare one.
  bool is_pooled(std::size_t n) const { return n - 1 < pooled_sizes_; }

  // The sizes allocate(n) pools are 1 .. largest_pooled(threshold): derived
  // from Rules::is_unpooled (which must be monotone in the size, as a
  // threshold is) by bisection, once per pool size setting.
  static std::size_t largest_pooled(std::size_t threshold) {
    std::size_t low = 0, high = kMaxRequest;  // 1 .. low are pooled; above high, none
    while (low < high) {
      const std::size_t middle = low + (high - low + 1) / 2;
      if (Rules::is_unpooled(middle, threshold)) high = middle - 1;
      else low = middle;
    }
    return low;
  }

  Buffer make_empty() {
    ++stand_in_buffers_;
    return Buffer(nullptr, 0, &stand_in_);
  }

  // The fast path's second half: the current pool has room for the request.
  // One add counts the handle and its bytes (carved_: the current pool's
  // usage is usage + carved_), and the bytes carved give padding_bytes.
  Buffer carve(std::size_t kept) noexcept {
    if constexpr (Rules::kAssertInvariants)
      assert(current_ != nullptr && cursor_ + kept <= end_ && "room was checked before carving");
    const std::uintptr_t at = cursor_;
    cursor_ = Rules::next_offset(at, kept, alignment_);
    ++carved_handles_;
    carved_bytes_ += kept;
    return Buffer(reinterpret_cast<std::byte*>(at), kept, current_);
  }

  // The current pool's memory, offset and capacity (a current pool only).
  std::byte* current_memory() const { return current_->memory; }
  // 0 before the first pool, like the capacity.
  std::size_t current_offset() const {
    return current_ == nullptr ? 0 : cursor_ - reinterpret_cast<std::uintptr_t>(current_memory());
  }
  std::size_t current_capacity() const { return current_ == nullptr ? 0 : current_->capacity; }
  // Padding inside the current pool: what the offset passed that no buffer
  // kept (the bytes carved are carved_'s bytes).
  std::size_t current_padding() const {
    return std::min(current_offset(), current_capacity()) - carved_bytes_;
  }
  // A live pool's usage: the current pool's is in two parts (Pool::usage).
  PoolUsage usage_of(const Pool* pool) const {
    if (pool != current_) return pool->usage;
    return pool->usage + PoolUsage{carved_handles_, static_cast<std::uint32_t>(carved_bytes_)};
  }

  void check_request(std::size_t n) const {
    if (n > kMaxRequest) throw std::length_error(request_size_error(n));
  }

  Buffer adopt_unpooled(std::byte* data, std::size_t n) noexcept {
    ++stand_in_buffers_;
    stats_.unpooled_bytes += n;
    return Buffer(data, n, &stand_in_);
  }

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

  // Makes a new pool current. Strong guarantee: if upstream throws, nothing
  // has changed. The replaced pool dies if nothing refers to it, and its
  // memory is the first choice for the new pool. Out of line: it runs once
  // per pool, and inlined it made every allocation site save registers.
  [[gnu::noinline]] void start_pool() { begin_pool(); }
  // start_pool() itself, inlined into allocate_rare(): a pool start from
  // allocate(n) then costs one call, not two (random4k starts a pool every
  // few buffers; docs/BENCHMARKS.md).
  [[gnu::always_inline]] inline void begin_pool();

  static void check_alignment(std::size_t alignment) {
    if (!is_request_alignment(alignment)) throw std::invalid_argument(request_alignment_error(alignment));
  }

  // An unpooled block for an aligned or slow request. A block aligned beyond
  // block_alignment() is remembered, because it must go back upstream with
  // the alignment it was asked with; the note is reserved before upstream is
  // asked, so that a failure changes nothing.
  Buffer allocate_aligned_block(std::size_t n, std::size_t alignment);

  // The alignment an unpooled block was asked with.
  std::size_t unpooled_alignment(std::byte* data) noexcept;

  // Buffer::release(): a subtract, a decrement and one branch, inlined
  // wherever a Buffer dies. Everything else (a pool's death, an unpooled or
  // empty buffer, the rare false alarm of the current pool's wrapping
  // counter) is the rare path, which has the allocator from the pool, and
  // the handle's data and size from the handle (release() leaves them).
  static void release(Pool* pool, const Buffer& buffer) noexcept {
    pool->usage.bytes -= static_cast<std::uint32_t>(buffer.size_);
    if (Rules::is_dead(--pool->usage.handles)) [[unlikely]] pool->owner->release_rare(pool, buffer);
  }

  [[gnu::noinline]] void release_rare(Pool* pool, const Buffer& buffer) noexcept;

  void forget_live(Pool* pool) noexcept;

  void link_live(Pool* pool) noexcept;

  void unlink_live(Pool* pool) noexcept;

  // A dead pool goes to the cache; when the cache is full it goes back
  // upstream itself, and the cache keeps the pools that died before it.
  // (Evicting the oldest instead gave glibc back the blocks at the top of its
  // heap, which it trimmed and grew again every burst: bench/, random4k.)
  void retire(Pool* pool) noexcept;

  // The most recently cached pool of exactly this capacity, if any.
  Pool* take_cached(std::size_t capacity) noexcept;

  // End of a window of cache_window_ pool starts: the cache never had fewer
  // than cache_low_ pools in it, so that many were not needed; the oldest
  // go back upstream (the cache hands out its newest first).
  void trim_cache() noexcept;

  // A pool's block from upstream: memory, then its header on a cache line of
  // its own. Asked for with block_alignment_, as unpooled blocks are, and
  // padded so that memory starts on pool_alignment_: glibc serves a request
  // aligned above 16 through memalign, which cost more per pool start and
  // left pools a worse cache footprint (docs/BENCHMARKS.md, random4k).
  static constexpr std::size_t kHeaderLine = 64;
  static_assert(sizeof(Pool) <= kHeaderLine);
  std::size_t header_at(std::size_t capacity) const noexcept { return round_up(capacity, kHeaderLine); }
  std::size_t block_bytes(std::size_t capacity) const noexcept {
    return (std::max(pool_alignment_, block_alignment_) - block_alignment_) + header_at(capacity) + sizeof(Pool);
  }
  Pool* create_pool(std::size_t capacity);

  // The pool is in no list any more.
  void destroy_pool(Pool* pool) noexcept;

  // Fast-path state first, in one cache line. cursor_ and end_ are the
  // current pool's memory + offset and memory + capacity, as addresses: the
  // fast path's room check, `cursor_ + n > end_`, is the rule's
  // `offset + n > capacity` moved by the same base on both sides (every
  // Rules question about the room and the next offset is asked that way;
  // memory is aligned to at least the alignment, so rounding up is the same
  // from either base). 0 and 0 before the first pool.
  std::uintptr_t cursor_ = 0;
  std::uintptr_t end_ = 0;
  std::size_t pooled_sizes_ = 0;  // largest_pooled(threshold_)
  std::size_t carved_bytes_ = 0;  // see carved_handles_
  std::size_t alignment_;
  // The current pool's allocations: handles and bytes carved, the part of
  // its usage that the fast path adds to (Pool::usage). Apart, so that g++
  // does not pack the two adds into vector instructions.
  std::uint32_t carved_handles_ = 0;
  Pool* current_ = nullptr;
  std::size_t threshold_ = 0;
  mutable PoolStats stats_;   // stats() fills in the gauges it sums

  std::uint64_t padding_before_current_ = 0;  // padding_bytes of the pools before it
  std::uint64_t stand_in_buffers_ = 0;        // live unpooled and empty buffers
  Pool stand_in_;  // what unpooled and empty buffers count in (kStandIn)
  std::pmr::memory_resource* upstream_;
  std::size_t pool_size_ = 0;
  std::size_t block_alignment_;
  std::size_t cache_limit_;
  std::size_t cache_window_;  // pool starts per window (PoolOptions::cache_window)
  std::uint64_t next_pool_number_ = 0;
  std::vector<Pool*> cache_;  // oldest first
  std::size_t window_starts_ = 0;  // pool starts in this window
  std::size_t cache_low_ = 0;      // the fewest cached pools in this window
  Pool* live_ = nullptr;      // the current pool and every pool a buffer refers to
  std::size_t pool_alignment_;
  // Live unpooled blocks asked for an alignment above block_alignment_;
  // rare (alignment > 64), so a short list.
  struct OverAligned {
    std::byte* data;
    std::size_t alignment;
  };
  std::vector<OverAligned> over_aligned_;
};

}  // namespace poolcheck

// The rare paths, defined out of the class so that this file shows the fast
// path and the state it touches.
#include "allocator/pool_lifecycle.h"  // IWYU pragma: export

namespace poolcheck {

using PoolAllocator = BasicPoolAllocator<>;
using Buffer = PoolAllocator::Buffer;

}  // namespace poolcheck
