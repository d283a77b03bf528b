#include "model/reference/reference_model.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace poolcheck {

ReferenceModel::ReferenceModel(const PoolOptions& settings)
    : settings_(settings), pool_size_(settings.pool_size) {}

std::optional<std::int64_t> ReferenceModel::room() const {
  if (!current_) return std::nullopt;
  const PoolRecord& pool = pools_[*current_];
  return static_cast<std::int64_t>(pool.capacity) - static_cast<std::int64_t>(pool.offset);
}

namespace {
Outcome length_error() {
  Outcome outcome;
  outcome.kind = Outcome::Kind::kLengthError;
  return outcome;
}
}  // namespace

Outcome ReferenceModel::apply(const Op& op) {
  const std::size_t threshold = pool_size_ / 2;  // read at every allocation
  switch (op.kind) {
    case OpKind::kPoolSize:
      if (op.a > kMaxPoolSize) throw std::invalid_argument("pool_size beyond 2^30");
      pool_size_ = op.a;
      return {};
    case OpKind::kAlloc:
      if (op.a > kMaxRequest) return length_error();
      if (op.a == 0) return new_buffer({false, 0, 0, 0});
      if (op.a >= threshold) return new_buffer({false, 0, 0, op.a});
      return place(op.a, op.a);
    case OpKind::kFrom:
      if (op.b > op.a) throw std::invalid_argument("from keeps more than it reserves");
      if (op.a > kMaxRequest) return length_error();
      if (op.a >= threshold) return new_buffer({false, 0, 0, op.b});
      return place(op.a, op.b);
    case OpKind::kRelease:
      return release(op.a);
  }
  return {};
}

Outcome ReferenceModel::new_buffer(Placement placement) {
  buffers_.push_back({placement, true});
  stats_.live_buffers += 1;
  stats_.bytes_in_use += placement.length;
  if (!placement.pooled) stats_.unpooled_bytes += placement.length;
  Outcome outcome;
  outcome.kind = Outcome::Kind::kBuffer;
  outcome.buffer = buffers_.size() - 1;
  outcome.placement = placement;
  return outcome;
}

Outcome ReferenceModel::place(std::size_t reserve, std::size_t kept) {
  std::optional<PoolStart> started;
  const std::optional<std::int64_t> left = room();
  // Signed: after rounding, the offset may be past a capacity that is not a
  // multiple of the alignment.
  if (!left || static_cast<std::int64_t>(reserve) > *left) started = start_pool();
  PoolRecord& pool = pools_[*current_];
  const std::size_t offset = pool.offset;
  const std::size_t end = offset + kept;
  const std::size_t next = round_up(end, settings_.alignment);
  stats_.padding_bytes += std::min(next, pool.capacity) - end;
  pool.offset = next;
  pool.refs += 1;
  Outcome outcome = new_buffer({true, *current_, offset, kept});
  outcome.pool_start = started;
  outcome.pool_death = std::exchange(death_, std::nullopt);
  return outcome;
}

// The new pool's memory, in order of preference: the pool it replaces, if
// that pool dies now and has the same capacity; else the most recently
// cached dead block of that capacity; else a new block from upstream. The
// replaced pool's block, if it dies and is not reused, goes to the cache.
PoolStart ReferenceModel::start_pool() {
  const std::size_t capacity = pool_size_;
  std::optional<std::uint64_t> old = current_;
  const bool old_dies = old && pools_[*old].refs == 0;
  PoolStart start;
  start.pool = pools_.size();
  start.reused = true;
  auto cached = std::find_if(cache_.rbegin(), cache_.rend(), [&](std::uint64_t block) {
    return block_capacity_[block] == capacity;
  });
  if (old_dies && pools_[*old].capacity == capacity) {
    start.block = pools_[*old].block;
  } else if (cached != cache_.rend()) {
    start.block = *cached;
    cache_.erase(std::next(cached).base());
    cache_low_ = std::min(cache_low_, cache_.size());
  } else {
    start.block = block_capacity_.size();
    block_capacity_.push_back(capacity);
    start.reused = false;
  }
  if (start.reused) stats_.pools_reused += 1;
  else stats_.pools_created += 1;
  if (old) {
    PoolRecord& replaced = pools_[*old];
    if (replaced.offset < replaced.capacity) stats_.tail_waste_bytes += replaced.capacity - replaced.offset;
    if (old_dies) {
      replaced.dead = true;
      stats_.live_pools -= 1;
      stats_.pool_bytes -= replaced.capacity;
      death_ = *old;
      if (replaced.block != start.block) retire_block(replaced.block);
    }
  }
  // Every kCacheWindow pool starts, the cache gives back (oldest first) as
  // many blocks as it never went below during them: nobody needed those.
  if (++window_starts_ == kCacheWindow) {
    cache_.erase(cache_.begin(), cache_.begin() + static_cast<std::ptrdiff_t>(cache_low_));
    window_starts_ = 0;
    cache_low_ = cache_.size();
  }
  pools_.push_back({capacity, 0, 0, start.block, false});
  current_ = start.pool;
  stats_.live_pools += 1;
  stats_.pool_bytes += capacity;
  stats_.cached_pools = cache_.size();
  return start;
}

// The cache keeps at most cache_limit dead blocks; when it is full, the block
// that just died goes back upstream.
void ReferenceModel::retire_block(std::uint64_t block) {
  if (cache_.size() < settings_.cache_limit) cache_.push_back(block);
  stats_.cached_pools = cache_.size();
}

Outcome ReferenceModel::release(std::uint64_t buffer) {
  if (!buffer_live(buffer))
    throw std::invalid_argument("release of buffer " + std::to_string(buffer) +
                                ", which does not exist or is already released");
  BufferRecord& record = buffers_[buffer];
  record.live = false;
  stats_.live_buffers -= 1;
  stats_.bytes_in_use -= record.placement.length;
  Outcome outcome;
  if (!record.placement.pooled) {
    stats_.unpooled_bytes -= record.placement.length;
    return outcome;
  }
  const std::uint64_t pool_number = record.placement.pool;
  PoolRecord& pool = pools_[pool_number];
  pool.refs -= 1;
  if (pool.refs == 0 && current_ != pool_number) {
    pool.dead = true;
    stats_.live_pools -= 1;
    stats_.pool_bytes -= pool.capacity;
    retire_block(pool.block);
    outcome.pool_death = pool_number;
  }
  return outcome;
}

}  // namespace poolcheck
