// The allocator's rare paths: starting a pool, a pool's death and its
// cache, unpooled blocks asked for a large alignment. Included at the end of
// allocator/pool_allocator.h (do not include it on its own); out of the class
// so that pool_allocator.h shows the fast path and the state it touches.
#pragma once

#include "allocator/pool_allocator.h"

namespace poolcheck {

template <class Rules>
void BasicPoolAllocator<Rules>::begin_pool() {
  Pool* const old = current_;
  const std::size_t capacity = pool_size_;
  const PoolUsage old_usage = old == nullptr ? PoolUsage{} : usage_of(old);
  const bool old_dies = old != nullptr && Rules::is_dead(old_usage.handles);
  Pool* fresh = nullptr;
  if (old_dies && old->capacity == capacity) {
    fresh = old;
    ++stats_.pools_reused;
  } else if ((fresh = take_cached(capacity)) != nullptr) {
    link_live(fresh);
    ++stats_.pools_reused;
  } else {
    fresh = create_pool(capacity);  // the only step that can throw
    link_live(fresh);
    ++stats_.pools_created;
  }
  if (old != nullptr) {
    padding_before_current_ += current_padding();
    stats_.tail_waste_bytes += Rules::tail_waste(old->capacity, current_offset());
    old->usage = old_usage;  // no longer current: all of it in the pool
    old->state = PoolState::kLive;
    if (old_dies) {
      forget_live(old);
      if (fresh != old) {
        unlink_live(old);
        retire(old);
      }
    }
  }
  carved_handles_ = 0;
  carved_bytes_ = 0;
  if (++window_starts_ == cache_window_) trim_cache();
  fresh->state = PoolState::kCurrent;
  fresh->number = next_pool_number_++;
  ++stats_.live_pools;
  stats_.pool_bytes += fresh->capacity;
  current_ = fresh;
  cursor_ = reinterpret_cast<std::uintptr_t>(fresh->memory);
  end_ = cursor_ + fresh->capacity;
}

template <class Rules>
auto BasicPoolAllocator<Rules>::allocate_aligned_block(std::size_t n, std::size_t alignment) -> Buffer {
  check_request(n);
  if (alignment <= block_alignment_)
    return adopt_unpooled(static_cast<std::byte*>(upstream_->allocate(n, block_alignment_)), n);
  over_aligned_.reserve(over_aligned_.size() + 1);
  auto* data = static_cast<std::byte*>(upstream_->allocate(n, alignment));
  over_aligned_.push_back({data, alignment});
  return adopt_unpooled(data, n);
}

template <class Rules>
std::size_t BasicPoolAllocator<Rules>::unpooled_alignment(std::byte* data) noexcept {
  if (over_aligned_.empty()) return block_alignment_;
  for (auto it = over_aligned_.begin(); it != over_aligned_.end(); ++it) {
    if (it->data != data) continue;
    const std::size_t alignment = it->alignment;
    *it = over_aligned_.back();
    over_aligned_.pop_back();
    return alignment;
  }
  return block_alignment_;
}

template <class Rules>
void BasicPoolAllocator<Rules>::release_rare(Pool* pool, const Buffer& buffer) noexcept {
  if (pool == &stand_in_) {
    stand_in_.usage = kStandInUsage;
    --stand_in_buffers_;
    if (buffer.size_ == 0) return;  // an empty buffer
    stats_.unpooled_bytes -= buffer.size_;
    upstream_->deallocate(buffer.data_, buffer.size_, unpooled_alignment(buffer.data_));
  } else if (pool->state == PoolState::kLive) {  // not current, and now dead
    forget_live(pool);
    unlink_live(pool);
    retire(pool);
  }
}

template <class Rules>
void BasicPoolAllocator<Rules>::forget_live(Pool* pool) noexcept {
  --stats_.live_pools;
  stats_.pool_bytes -= pool->capacity;
}

template <class Rules>
void BasicPoolAllocator<Rules>::link_live(Pool* pool) noexcept {
  pool->prev = nullptr;
  pool->next = live_;
  if (live_ != nullptr) live_->prev = pool;
  live_ = pool;
}

template <class Rules>
void BasicPoolAllocator<Rules>::unlink_live(Pool* pool) noexcept {
  if (pool->prev != nullptr) pool->prev->next = pool->next;
  else live_ = pool->next;
  if (pool->next != nullptr) pool->next->prev = pool->prev;
  pool->prev = pool->next = nullptr;
}

template <class Rules>
void BasicPoolAllocator<Rules>::retire(Pool* pool) noexcept {
  if (cache_.size() == cache_limit_) {
    destroy_pool(pool);
    return;
  }
  pool->state = PoolState::kCached;
  cache_.push_back(pool);  // never reallocates: reserved in the constructor
  ++stats_.cached_pools;
}

template <class Rules>
auto BasicPoolAllocator<Rules>::take_cached(std::size_t capacity) noexcept -> Pool* {
  for (auto it = cache_.rbegin(); it != cache_.rend(); ++it) {
    if ((*it)->capacity == capacity) {
      Pool* pool = *it;
      cache_.erase(std::next(it).base());
      --stats_.cached_pools;
      cache_low_ = std::min(cache_low_, cache_.size());
      return pool;
    }
  }
  return nullptr;
}

template <class Rules>
void BasicPoolAllocator<Rules>::trim_cache() noexcept {
  for (std::size_t i = 0; i < cache_low_; ++i) destroy_pool(cache_[i]);
  cache_.erase(cache_.begin(), cache_.begin() + static_cast<std::ptrdiff_t>(cache_low_));
  stats_.cached_pools -= cache_low_;
  window_starts_ = 0;
  cache_low_ = cache_.size();
}

template <class Rules>
auto BasicPoolAllocator<Rules>::create_pool(std::size_t capacity) -> Pool* {
  const std::size_t bytes = block_bytes(capacity);
  auto* block = static_cast<std::byte*>(upstream_->allocate(bytes, block_alignment_));
  // Skips at most the padding block_bytes() added: an upstream that breaks
  // its alignment promise gets misaligned pool memory (the alignment check
  // reports it), never a header written past the end of its block.
  const auto at = reinterpret_cast<std::uintptr_t>(block);
  const std::size_t padding = bytes - header_at(capacity) - sizeof(Pool);
  std::byte* memory = block + std::min(round_up(at, pool_alignment_) - at, padding);
  Pool* pool = ::new (memory + header_at(capacity)) Pool{};
  pool->capacity = static_cast<std::uint32_t>(capacity);
  pool->owner = this;
  pool->memory = memory;
  pool->block = block;
  return pool;
}

template <class Rules>
void BasicPoolAllocator<Rules>::destroy_pool(Pool* pool) noexcept {
  std::byte* block = pool->block;
  const std::size_t bytes = block_bytes(pool->capacity);
  pool->~Pool();
  upstream_->deallocate(block, bytes, block_alignment_);
}

}  // namespace poolcheck
