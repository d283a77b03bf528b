// InvariantChecker: the allocator alone, against what must hold of any
// bump-pointer pool with these statistics, whatever the placement rules say.
// No reference model, so it runs faster and for long campaigns (it is
// fuzz_pool_invariants' checker); DifferentialChecker is the one that knows
// where each buffer belongs. The checks both share are in checker_base.h,
// the laws of the statistics in stats_laws.h; this file is what only a
// model-free checker needs: the bump discipline from the statistics alone.
//
// After every op, the checks this file and checker_base.h raise: each, what
// it verifies and which checkers raise it, is a row of the check registry,
// model/checks/checks.def (`bump` is this checker's own).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/checks/checker_base.h"
#include "model/checks/divergence.h"
#include "model/checks/stats_laws.h"
#include "model/ops/ops.h"

namespace poolcheck {

template <class Allocator = PoolAllocator>
class InvariantChecker : public CheckerBase<InvariantChecker<Allocator>, Allocator> {
 public:
  explicit InvariantChecker(const PoolOptions& settings,
                            std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : CheckerBase<InvariantChecker, Allocator>(settings, upstream) {}

  // The allocator's own room: this checker has no model to ask.
  std::optional<std::int64_t> room() const {
    if (const auto room = this->allocator_->room()) return static_cast<std::int64_t>(*room);
    return std::nullopt;
  }

 private:
  using Base = CheckerBase<InvariantChecker, Allocator>;
  friend Base;
  using Base::allocator_;
  using Base::fail;
  using Base::handles_;
  using Base::settings_;

  // What the checker saw when a buffer was made. Buffer::placement() is not
  // asked again later: a pool recycled too early renumbers its buffers.
  struct Held {
    Placement placement;
    std::uintptr_t data = 0;
    bool live = true;
  };
  struct LivePool {
    std::uintptr_t base = 0;
    std::size_t capacity = 0;
    std::uint64_t refs = 0;     // live buffers in it
    std::uint64_t carved = 0;   // bytes of the buffers ever placed in it
    std::uint64_t padding = 0;  // growth of padding_bytes while it was current
  };

  static std::uint64_t pools_started(const PoolStats& stats) { return stats.pools_created + stats.pools_reused; }

  bool is_live(std::uint64_t id) const { return held_[id].live; }

  // Precondition: a release names a live buffer (parse_ops and OpDecoder
  // guarantee it); otherwise std::invalid_argument.
  void release_op(std::uint64_t id) {
    if (id >= held_.size() || !held_[id].live) throw std::invalid_argument("release of a buffer that is not live");
    release(id);
  }

  void create(const Op& op) {
    const std::optional<std::int64_t> room_before = room();
    auto got = this->attempt(op);
    if (!got) return;
    const PoolStats& before = this->stats_before_;
    const Placement placement = got->buffer.placement();
    if (this->refusal_done(
            refusal_of(op), got->refused, got->message, [&] { return describe(placement); },
            [] { return "a buffer (a request refusal_of accepts)"; }))
      return;
    const std::uint64_t id = held_.size();
    const auto data = reinterpret_cast<std::uintptr_t>(got->buffer.data());
    held_.push_back({placement, data, true});
    handles_.push_back(std::move(got->buffer));
    const std::size_t length = op.kind == OpKind::kFrom ? op.b : op.a;
    if (placement.length != length || handles_.back().size() != length)
      return void(fail(Check::kBounds, "a buffer of " + std::to_string(length) + " bytes", describe(placement)));
    if (!this->check_live_handle(handles_.back(), placement.pooled)) return;
    if (op.kind == OpKind::kFrom && !this->check_writer_offered(op, got->offered)) return;
    const std::uint64_t asked = op.kind == OpKind::kFrom ? 1 : requested_alignment(op);
    if (placement.pooled && (op.kind == OpKind::kAllocSlow || asked > kPoolBaseAlignment))
      return void(fail(Check::kBump, "an unpooled block (alloc_slow, or an alignment above 64)", describe(placement)));
    if (!this->check_address_aligned(length, data)) return;
    if (!this->check_requested_alignment(op, placement, data)) return;
    const PoolStats& after = allocator_->stats();
    const std::uint64_t started = pools_started(after) - pools_started(before);
    if (started > 1 || (started == 1 && !placement.pooled))
      return void(fail(Check::kBump, "a new pool only for a pooled buffer, at most one per request",
                       std::to_string(started) + " pools started for " + describe(placement)));
    if (started == 0 && after.tail_waste_bytes != before.tail_waste_bytes)
      return void(fail(Check::kStats, "tail waste grows only when a pool is replaced", stats_difference(before, after)));
    if (!placement.pooled) return void(create_unpooled(id, placement, data, before));
    if (started == 1 && !start_pool(placement, data, after.tail_waste_bytes - before.tail_waste_bytes)) return;
    std::uint64_t padding = after.padding_bytes - before.padding_bytes;
    if (started == 0 && current_ && room_before) {
      // An aligned request first rounds the offset up to its alignment.
      const auto offset_before =
          static_cast<std::size_t>(static_cast<std::int64_t>(pools_.at(*current_).capacity) - *room_before);
      if (placement.offset != round_up(offset_before, asked))
        return void(fail(Check::kBump, "the buffer at offset " + std::to_string(offset_before) + " rounded up to " +
                                     std::to_string(asked),
                         describe(placement)));
      const std::uint64_t pre = placement.offset - offset_before;
      if (padding < pre)
        return void(fail(Check::kBump, "padding grows by the " + std::to_string(pre) + " bytes skipped before the buffer",
                         "padding grew by " + std::to_string(padding)));
      padding -= pre;
      pools_.at(*current_).padding += pre;
    }
    if (!carve(id, placement, data, got->offered, padding)) return;
    if (!this->check_writer_bytes(handles_.back())) return;
    fill_pattern(id, handles_.back().bytes());
  }

  void create_unpooled(std::uint64_t id, const Placement& placement, std::uintptr_t data, const PoolStats& before) {
    if (allocator_->stats().padding_bytes != before.padding_bytes)
      return void(fail(Check::kStats, "padding grows only when a pooled buffer is placed",
                       stats_difference(before, allocator_->stats())));
    if (placement.length > 0) {
      if (!this->check_exact_block(data, placement.length)) return;
      if (!this->claim_buffer_memory(id, data, placement.length)) return;
      ++this->unpooled_blocks_;
    }
    live_.add(placement);
    if (!this->check_writer_bytes(handles_.back())) return;
    fill_pattern(id, handles_.back().bytes());
  }

  // The buffer that made pool `placement.pool` current: checks the pool it
  // replaced, then the new pool's memory.
  bool start_pool(const Placement& placement, std::uintptr_t data, std::uint64_t tail_waste) {
    if (current_) {
      LivePool& old = pools_.at(*current_);
      if (old.carved + old.padding + tail_waste != old.capacity)
        return fail(Check::kStats, "abandoned pool " + std::to_string(*current_) + ": capacity " + std::to_string(old.capacity) +
                                 " = bytes carved + padding + tail waste",
                    std::to_string(old.carved) + " + " + std::to_string(old.padding) + " + " + std::to_string(tail_waste));
      const std::uint64_t old_number = *current_;
      current_.reset();
      if (old.refs == 0) forget_pool(old_number);
    }
    if (placement.offset != 0)
      return fail(Check::kBump, "a new pool's first buffer at offset 0", describe(placement));
    if (pools_.contains(placement.pool))
      return fail(Check::kBump, "a new pool number", "pool " + std::to_string(placement.pool) + " is still live");
    const std::uintptr_t base = data;
    const std::size_t capacity = allocator_->pool_size();
    if (!this->pool_block(placement.pool, base, capacity)) return false;
    if (!this->claim_pool_memory(placement.pool, base, capacity)) return false;
    pools_.emplace(placement.pool, LivePool{base, capacity});
    current_ = placement.pool;
    pool_bytes_ += capacity;
    return true;
  }

  bool carve(std::uint64_t id, const Placement& placement, std::uintptr_t data, std::span<std::byte> offered,
             std::uint64_t padding) {
    const auto where = [&] { return describe(placement); };  // for reports only
    if (!current_ || placement.pool != *current_)
      return fail(Check::kBump, "a pooled buffer in the current pool " + (current_ ? std::to_string(*current_) : "(none)"), where());
    LivePool& pool = pools_.at(*current_);
    if (data - placement.offset != pool.base)
      return fail(Check::kBounds, "pool " + std::to_string(placement.pool) + " at " + hex(pool.base),
                  where() + " implies a pool at " + hex(data - placement.offset));
    if (placement.offset > pool.capacity || placement.length > pool.capacity - placement.offset)
      return fail(Check::kBounds, "inside the pool's " + std::to_string(pool.capacity) + " bytes", where());
    if (placement.offset % settings_.alignment != 0)
      return fail(Check::kAlignment, "offset aligned to " + std::to_string(settings_.alignment), where());
    if (!offered.empty() && !this->check_writer_wrote_into(offered, data)) return false;
    // The offset after the buffer, from the room the allocator reports.
    const std::int64_t next = static_cast<std::int64_t>(pool.capacity) - *room();
    const std::size_t end = placement.offset + placement.length;
    const std::int64_t skipped = next - static_cast<std::int64_t>(end);
    const std::size_t inside = std::min<std::size_t>(next < 0 ? 0 : next, pool.capacity);
    if (skipped < 0 || skipped >= static_cast<std::int64_t>(settings_.alignment) ||
        next % static_cast<std::int64_t>(settings_.alignment) != 0 || padding != inside - std::min(end, inside))
      return fail(Check::kBump, "next offset = " + std::to_string(end) + " rounded up to " +
                              std::to_string(settings_.alignment) + ", padding grows by the bytes skipped inside the pool",
                  "next offset " + std::to_string(next) + ", padding grew by " + std::to_string(padding));
    if (!this->claim_buffer_memory(id, data, placement.length)) return false;
    pool.padding += padding;
    pool.carved += placement.length;
    ++pool.refs;
    live_.add(placement);
    return true;
  }

  void release(std::uint64_t id) {
    Held& held = held_[id];
    if (!this->check_content(id)) return;
    this->give_back(id, held.placement, held.data);
    held.live = false;
    live_.remove(held.placement);
    if (!held.placement.pooled) return;
    LivePool& pool = pools_.at(held.placement.pool);
    if (--pool.refs == 0 && held.placement.pool != current_) forget_pool(held.placement.pool);
  }

  void forget_pool(std::uint64_t number) {
    auto it = pools_.find(number);
    this->live_pools_.erase(it->second.base);
    pool_bytes_ -= it->second.capacity;
    pools_.erase(it);
  }

  void check_state() {
    const PoolStats& actual = this->observe_stats();
    PoolStats expected = actual;  // the gauges this checker can count itself
    expected.live_buffers = live_.buffers;
    expected.bytes_in_use = live_.bytes;
    expected.unpooled_bytes = live_.unpooled_bytes;
    expected.live_pools = pools_.size();
    expected.pool_bytes = pool_bytes_;
    if (!(expected == actual)) return void(fail(Check::kStats, "gauges that match the buffers held", stats_difference(expected, actual)));
    for (const auto& breach : {cache_within_limit(actual, settings_.cache_limit), counters_never_go_down(last_, actual)})
      if (breach) return void(fail(breach->check, breach->expected, breach->actual));
    last_ = actual;
    this->check_blocks_held(actual);
  }

  // Sums over the live buffers, kept as they come and go.
  struct LiveTotals {
    std::uint64_t buffers = 0, bytes = 0, unpooled_bytes = 0;
    void add(const Placement& p) {
      ++buffers;
      bytes += p.length;
      if (!p.pooled) unpooled_bytes += p.length;
    }
    void remove(const Placement& p) {
      --buffers;
      bytes -= p.length;
      if (!p.pooled) unpooled_bytes -= p.length;
    }
  };

  std::pmr::vector<Held> held_;                             // by buffer number
  std::pmr::unordered_map<std::uint64_t, LivePool> pools_;  // current + referenced, by number
  std::optional<std::uint64_t> current_;
  LiveTotals live_;
  std::uint64_t pool_bytes_ = 0;
  PoolStats last_;
};

}  // namespace poolcheck
