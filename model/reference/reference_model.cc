#include "model/reference/reference_model.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "model/ops/spec_limits.h"

namespace poolcheck {

ReferenceModel::ReferenceModel(const PoolOptions& settings)
    : settings_(settings), pool_size_(settings.pool_size) {
  if (const std::optional<SettingError> error = spec::validate(settings)) throw std::invalid_argument(error->message);
}

std::optional<std::int64_t> ReferenceModel::room() const {
  if (!current_) return std::nullopt;
  const PoolRecord& pool = pools_[*current_];
  return static_cast<std::int64_t>(pool.capacity) - static_cast<std::int64_t>(pool.offset);
}

namespace {
// What a refused op does: throws, and changes nothing.
Outcome refusal(Refusal refusal) {
  Outcome outcome;
  outcome.kind = refusal == Refusal::kLengthError ? Outcome::Kind::kLengthError : Outcome::Kind::kInvalidArgument;
  return outcome;
}
}  // namespace

Outcome ReferenceModel::apply(const Op& op) {
  const std::size_t threshold = pool_size_ / 2;  // read at every allocation
  // Refused before anything else: no state, no upstream request, no
  // buffer number, and a fail_next stays armed.
  if (const Refusal refused_as = refusal_of(op); refused_as != Refusal::kNone) return refusal(refused_as);
  switch (op.kind) {
    case OpKind::kPoolSize:
      pool_size_ = op.a;
      return {};
    case OpKind::kFailNext:
      if (op.a == 0) throw std::invalid_argument("fail_next 0");
      armed_ = op.a;  // replaces one not yet spent
      return {};
    case OpKind::kRelease:
      return release(op.a);
    case OpKind::kTryPoolSize:  // another allocator, built and destroyed: nothing here changes
    case OpKind::kTryAlignment:
    case OpKind::kTryCacheLimit:
    case OpKind::kTryCacheWindow:
    case OpKind::kTryNullUpstream:
      return {};
    case OpKind::kAlloc:
    case OpKind::kAllocSlow:
    case OpKind::kFrom:
      break;
    case OpKind::kBurst:
    case OpKind::kChurn:
    case OpKind::kDrop:
    case OpKind::kCycle:
      throw std::invalid_argument(to_text(op) + " is a shorthand: expand it (model/ops/shorthand.h) first");
    case OpKind::kRealloc: {  // the plain ops it means; the outcome is the new buffer's (a caller that
                              // follows pool deaths runs the two ops itself: model/tool/pool_map.cc)
      const auto [alloc, release] = realloc_as_plain_ops(op);
      const Outcome created = apply(alloc);
      apply(release);
      return created;
    }
  }
  if (op.kind == OpKind::kFrom && op.b > op.a) throw std::invalid_argument("from keeps more than it reserves");
  // A failing request throws before anything changes; the op is then run
  // again, so the requests it made before and with the failing one come
  // first, then those of the attempt that succeeds.
  const std::uint64_t requests = upstream_requests_for(op);
  std::optional<std::uint64_t> failed;
  if (armed_ != 0 && armed_ <= requests) {
    requests_ += armed_;
    failed = requests_;
    armed_ = 0;
  } else if (armed_ != 0) {
    armed_ -= requests;
  }
  requests_ += requests;
  Outcome outcome = create(op, threshold);
  outcome.failed_request = failed;
  return outcome;
}

Outcome ReferenceModel::create(const Op& op, std::size_t threshold) {
  const std::size_t n = op.a;  // refused ops (n above spec::kMaxRequest) never come here
  switch (op.kind) {
    case OpKind::kAllocSlow:
      return new_buffer({false, 0, 0, n});  // never pooled; n == 0 is empty
    case OpKind::kFrom:
      if (n >= threshold) return new_buffer({false, 0, 0, op.b});
      return place(n, op.b);
    default: {
      const std::size_t alignment = requested_alignment(op);
      if (n == 0) return new_buffer({false, 0, 0, 0});
      if (alignment > kPoolBaseAlignment || n >= threshold) return new_buffer({false, 0, 0, n});
      return place(n, n, alignment);
    }
  }
}

// Whether a pooled request starts a new pool: none yet, or the request does
// not fit after the offset is rounded up to its alignment. Signed: the
// offset may be past a capacity that is not a multiple of the alignment.
bool ReferenceModel::starts_pool(std::size_t reserve, std::size_t alignment) const {
  if (!current_) return true;
  const PoolRecord& pool = pools_[*current_];
  const auto padded = static_cast<std::int64_t>(round_up(pool.offset, alignment));
  return static_cast<std::int64_t>(reserve) > static_cast<std::int64_t>(pool.capacity) - padded;
}

// Whether the next pool's memory comes from upstream: start_pool's order of
// preference without its effects.
bool ReferenceModel::next_pool_is_fresh() const {
  const std::size_t capacity = pool_size_;
  if (current_ && pools_[*current_].refs == 0 && pools_[*current_].capacity == capacity) return false;
  return std::none_of(cache_.begin(), cache_.end(),
                      [&](std::uint64_t block) { return block_capacity_[block] == capacity; });
}

std::uint64_t ReferenceModel::upstream_requests_for(const Op& op) const {
  if (!creates_buffer(op) || refused(op)) return 0;
  const std::size_t threshold = pool_size_ / 2;
  switch (op.kind) {
    case OpKind::kAllocSlow:
      return op.a == 0 ? 0 : 1;
    case OpKind::kFrom:
      // `from 0 0` below the threshold is pooled and may start a pool.
      if (op.a < threshold) return starts_pool(op.a, 1) && next_pool_is_fresh() ? 1 : 0;
      if (op.a == 0) return 0;
      // A scratch block of R bytes, then one of exactly A bytes unless the
      // writer kept all or nothing.
      return op.b == op.a || op.b == 0 ? 1 : 2;
    default: {
      const std::size_t alignment = requested_alignment(op);
      if (op.a == 0) return 0;
      if (alignment > kPoolBaseAlignment || op.a >= threshold) return 1;
      return starts_pool(op.a, alignment) && next_pool_is_fresh() ? 1 : 0;
    }
  }
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

Outcome ReferenceModel::place(std::size_t reserve, std::size_t kept, std::size_t alignment) {
  std::optional<PoolStart> started;
  if (starts_pool(reserve, alignment)) {
    // The rounding for an aligned request is not done: the old pool's tail
    // waste is counted from where its last buffer ended.
    started = start_pool();
  } else {
    PoolRecord& pool = pools_[*current_];
    const std::size_t padded = round_up(pool.offset, alignment);
    stats_.padding_bytes += padded - pool.offset;  // the buffer after it fits: inside the pool
    pool.offset = padded;
  }
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
  // Every cache_window pool starts (kCacheWindow = 512 unless the settings
  // say less), the cache gives back (oldest first) as many blocks as it never
  // went below during them: nobody needed those.
  if (++window_starts_ == settings_.cache_window) {
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
