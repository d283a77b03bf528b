// InvariantChecker: the allocator alone, against what must hold of any
// bump-pointer pool with these statistics, whatever the placement rules say.
// No reference model, so it runs faster and for long campaigns (it is
// fuzz_pool_invariants' checker); DifferentialChecker is the one that knows
// where each buffer belongs.
//
// After every op:
//   bounds     a pooled buffer lies inside its pool, whose memory lies in a
//              block the allocator got from upstream; an unpooled buffer is
//              exactly its block; lengths are what was asked for
//   alignment  offsets and addresses are multiples of the alignment, pool
//              memory of the block alignment
//   bump       a pooled buffer goes into the current pool (a new pool only
//              for a pooled request, at offset 0); the offset after it is the
//              buffer's end rounded up to the alignment, and the padding
//              statistic grows by exactly the bytes skipped inside the pool
//   overlap    no two live buffers share a byte; a new pool overlaps no pool
//              that some live buffer still refers to
//   content    every buffer keeps its own pattern until it is released
//   stats      gauges equal what the checker holds: live_buffers, bytes_in_use,
//              unpooled_bytes, live_pools (current pool + referenced ones) and
//              pool_bytes (their capacities); cached_pools <= cache_limit;
//              counters never go down; a pool's capacity is the pool_size
//              setting when it started, and when it is abandoned its capacity
//              = bytes carved + padding + tail waste (counted inside it only)
//   failure    exactly the requests above kMaxRequest throw length_error, and
//              they change no statistic
//   leak       blocks held upstream = live pools + cached pools + non-empty
//              unpooled buffers; none after the allocator is destroyed
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/checks/checker.h"
#include "model/checks/content_pattern.h"
#include "model/checks/interval_set.h"
#include "model/checks/tracking_resource.h"
#include "model/ops/op_codec.h"
#include "model/ops/ops.h"

namespace poolcheck {

template <class Allocator = PoolAllocator>
class InvariantChecker {
  using Buffer = typename Allocator::Buffer;

 public:
  explicit InvariantChecker(const Settings& settings,
                            std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : settings_(settings), tracker_(upstream), allocator_(std::in_place, to_pool_options(settings, &tracker_)) {}
  InvariantChecker(const InvariantChecker&) = delete;
  InvariantChecker& operator=(const InvariantChecker&) = delete;

  // The allocator's own room: this target has no model to ask.
  std::optional<std::int64_t> room() const {
    if (const auto room = allocator_->room()) return static_cast<std::int64_t>(*room);
    return std::nullopt;
  }

  // Precondition: a release names a live buffer (parse_ops and OpDecoder
  // guarantee it); otherwise std::invalid_argument.
  std::optional<Divergence> step(const Op& op) {
    if (failure_) return failure_;
    op_ = op;
    switch (op.kind) {
      case OpKind::kPoolSize:
        allocator_->set_pool_size(op.a);
        break;
      case OpKind::kAlloc:
      case OpKind::kFrom:
        create(op);
        break;
      case OpKind::kRelease:
        if (op.a >= held_.size() || !held_[op.a].live)
          throw std::invalid_argument("release of a buffer that is not live");
        release(op.a);
        break;
    }
    if (!failure_) check_stats();
    ++ops_run_;
    return failure_;
  }

  // Verifies and releases every live buffer, then checks that tearing the
  // allocator down gives every block back.
  std::optional<Divergence> finish() {
    if (failure_) return failure_;
    op_.reset();
    for (std::uint64_t id = 0; id < held_.size() && !failure_; ++id) {
      if (!held_[id].live) continue;
      release(id);
      if (!failure_) check_stats();
    }
    if (failure_) return failure_;
    allocator_.reset();
    if (tracker_.live_blocks() != 0)
      fail("leak", "no block held after the allocator is destroyed",
           std::to_string(tracker_.live_blocks()) + " blocks still held");
    return failure_;
  }

 private:
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

  bool fail(std::string check, std::string expected, std::string actual) {
    if (!failure_) failure_ = Divergence{ops_run_, op_, std::move(check), std::move(expected), std::move(actual)};
    return false;
  }

  static std::uint64_t pools_started(const PoolStats& stats) { return stats.pools_created + stats.pools_reused; }
  static std::string range(std::uintptr_t begin, std::uintptr_t end) {
    return "[" + hex(begin) + ", " + hex(end) + ")";
  }

  void create(const Op& op) {
    const PoolStats before = allocator_->stats();
    Buffer buffer;
    std::span<std::byte> offered;  // what allocate_with gave the writer
    try {
      if (op.kind == OpKind::kAlloc) {
        buffer = allocator_->allocate(op.a);
      } else {
        // The writer keeps A bytes but writes nothing: bytes are filled only
        // once their bounds are verified.
        buffer = allocator_->allocate_with(op.a, [&](std::span<std::byte> span) {
          offered = span;
          return static_cast<std::size_t>(op.b);
        });
      }
    } catch (const std::length_error&) {
      if (!exceeds_max_request(op)) return void(fail("failure", "a buffer (request within 2^30)", "std::length_error"));
      if (!(allocator_->stats() == before))
        fail("failure atomicity", "statistics unchanged by std::length_error",
             stats_difference(before, allocator_->stats()));
      return;
    }
    const Placement placement = buffer.placement();
    if (exceeds_max_request(op)) return void(fail("failure", "std::length_error (request above 2^30)", describe(placement)));
    const std::uint64_t id = held_.size();
    const auto data = reinterpret_cast<std::uintptr_t>(buffer.data());
    held_.push_back({placement, data, true});
    handles_.push_back(std::move(buffer));
    const std::size_t length = op.kind == OpKind::kAlloc ? op.a : op.b;
    if (placement.length != length || handles_.back().size() != length)
      return void(fail("bounds", "a buffer of " + std::to_string(length) + " bytes", describe(placement)));
    if (op.kind == OpKind::kFrom && offered.size() != op.a)
      return void(fail("bounds", "writer offered the " + std::to_string(op.a) + " reserved bytes",
                       "writer offered " + std::to_string(offered.size()) + " bytes"));
    if (length > 0 && data % settings_.alignment != 0)
      return void(fail("alignment", "address aligned to " + std::to_string(settings_.alignment), hex(data)));
    const PoolStats& after = allocator_->stats();
    const std::uint64_t started = pools_started(after) - pools_started(before);
    if (started > 1 || (started == 1 && !placement.pooled))
      return void(fail("bump", "a new pool only for a pooled buffer, at most one per request",
                       std::to_string(started) + " pools started for " + describe(placement)));
    if (started == 0 && after.tail_waste_bytes != before.tail_waste_bytes)
      return void(fail("stats", "tail waste grows only when a pool is replaced", stats_difference(before, after)));
    if (!placement.pooled) return void(create_unpooled(id, placement, data, before));
    if (started == 1 && !start_pool(placement, data, after.tail_waste_bytes - before.tail_waste_bytes)) return;
    if (!carve(id, placement, data, offered, after.padding_bytes - before.padding_bytes)) return;
    fill_pattern(id, handles_.back().bytes());
  }

  void create_unpooled(std::uint64_t id, const Placement& placement, std::uintptr_t data, const PoolStats& before) {
    if (allocator_->stats().padding_bytes != before.padding_bytes)
      return void(fail("stats", "padding grows only when a pooled buffer is placed",
                       stats_difference(before, allocator_->stats())));
    if (placement.length > 0) {
      const auto block = tracker_.block_containing(data, placement.length);
      if (!block || block->begin != data || block->size != placement.length)
        return void(fail("bounds", "an upstream block of exactly " + std::to_string(placement.length) + " bytes at " + hex(data),
                         block ? "inside a block of " + std::to_string(block->size) + " bytes at " + hex(block->begin)
                               : "no block there"));
      if (!insert_live(id, data, placement.length)) return;
      ++unpooled_blocks_;
    }
    live_.add(placement);
    fill_pattern(id, handles_.back().bytes());
  }

  // The buffer that made pool `placement.pool` current: checks the pool it
  // replaced, then the new pool's memory.
  bool start_pool(const Placement& placement, std::uintptr_t data, std::uint64_t tail_waste) {
    if (current_) {
      LivePool& old = pools_.at(*current_);
      if (old.carved + old.padding + tail_waste != old.capacity)
        return fail("stats", "abandoned pool " + std::to_string(*current_) + ": capacity " + std::to_string(old.capacity) +
                                 " = bytes carved + padding + tail waste",
                    std::to_string(old.carved) + " + " + std::to_string(old.padding) + " + " + std::to_string(tail_waste));
      const std::uint64_t old_number = *current_;
      current_.reset();
      if (old.refs == 0) forget_pool(old_number);
    }
    if (placement.offset != 0)
      return fail("bump", "a new pool's first buffer at offset 0", describe(placement));
    if (pools_.contains(placement.pool))
      return fail("bump", "a new pool number", "pool " + std::to_string(placement.pool) + " is still live");
    const std::uintptr_t base = data;
    const std::size_t capacity = allocator_->pool_size();
    const auto pool = [&] { return "pool " + std::to_string(placement.pool); };  // for reports only
    if (base % allocator_->block_alignment() != 0)
      return fail("alignment", pool() + " memory aligned to " + std::to_string(allocator_->block_alignment()), hex(base));
    if (!tracker_.block_containing(base, capacity))
      return fail("bounds", pool() + " " + range(base, base + capacity) + " inside memory from upstream",
                  "not inside any block");
    if (auto hit = live_pools_.overlapping(base, base + capacity))
      return fail("lifetime", pool() + " in memory no live pool uses",
                  "overlaps live pool " + std::to_string(hit->owner) + " " + range(hit->begin, hit->end));
    live_pools_.insert(base, base + capacity, placement.pool);
    pools_.emplace(placement.pool, LivePool{base, capacity});
    current_ = placement.pool;
    pool_bytes_ += capacity;
    return true;
  }

  bool carve(std::uint64_t id, const Placement& placement, std::uintptr_t data, std::span<std::byte> offered,
             std::uint64_t padding) {
    const auto where = [&] { return describe(placement); };  // for reports only
    if (!current_ || placement.pool != *current_)
      return fail("bump", "a pooled buffer in the current pool " + (current_ ? std::to_string(*current_) : "(none)"), where());
    LivePool& pool = pools_.at(*current_);
    if (data - placement.offset != pool.base)
      return fail("bounds", "pool " + std::to_string(placement.pool) + " at " + hex(pool.base),
                  where() + " implies a pool at " + hex(data - placement.offset));
    if (placement.offset > pool.capacity || placement.length > pool.capacity - placement.offset)
      return fail("bounds", "inside the pool's " + std::to_string(pool.capacity) + " bytes", where());
    if (placement.offset % settings_.alignment != 0)
      return fail("alignment", "offset aligned to " + std::to_string(settings_.alignment), where());
    if (!offered.empty() && offered.data() != handles_.back().data())
      return fail("bounds", "the writer's bytes are the buffer's (" + hex(data) + ")",
                  "writer wrote at " + hex(reinterpret_cast<std::uintptr_t>(offered.data())));
    // The offset after the buffer, from the room the allocator reports.
    const std::int64_t next = static_cast<std::int64_t>(pool.capacity) - *room();
    const std::size_t end = placement.offset + placement.length;
    const std::int64_t skipped = next - static_cast<std::int64_t>(end);
    const std::size_t inside = std::min<std::size_t>(next < 0 ? 0 : next, pool.capacity);
    if (skipped < 0 || skipped >= static_cast<std::int64_t>(settings_.alignment) ||
        next % static_cast<std::int64_t>(settings_.alignment) != 0 || padding != inside - std::min(end, inside))
      return fail("bump", "next offset = " + std::to_string(end) + " rounded up to " +
                              std::to_string(settings_.alignment) + ", padding grows by the bytes skipped inside the pool",
                  "next offset " + std::to_string(next) + ", padding grew by " + std::to_string(padding));
    if (!insert_live(id, data, placement.length)) return false;
    pool.padding += padding;
    pool.carved += placement.length;
    ++pool.refs;
    live_.add(placement);
    return true;
  }

  bool insert_live(std::uint64_t id, std::uintptr_t data, std::size_t length) {
    if (auto hit = live_buffers_.insert(data, data + length, id))
      return fail("overlap", "no live buffer shares a byte with buffer " + std::to_string(id) + " " + range(data, data + length),
                  "overlaps buffer " + std::to_string(hit->owner) + " " + range(hit->begin, hit->end));
    return true;
  }

  void release(std::uint64_t id) {
    Held& held = held_[id];
    Buffer& buffer = handles_[id];
    if (auto bad = verify_pattern(id, buffer.bytes()))
      return void(fail("content", "buffer " + std::to_string(id) + " holds its own pattern",
                       "byte " + std::to_string(*bad) + " of " + std::to_string(buffer.size()) + " changed"));
    // An empty buffer was never stored, and the next buffer may start at its
    // address.
    if (held.placement.length > 0) live_buffers_.erase(held.data);
    buffer.release();
    held.live = false;
    live_.remove(held.placement);
    if (!held.placement.pooled) {
      if (held.placement.length > 0) --unpooled_blocks_;
      return;
    }
    LivePool& pool = pools_.at(held.placement.pool);
    if (--pool.refs == 0 && held.placement.pool != current_) forget_pool(held.placement.pool);
  }

  void forget_pool(std::uint64_t number) {
    auto it = pools_.find(number);
    live_pools_.erase(it->second.base);
    pool_bytes_ -= it->second.capacity;
    pools_.erase(it);
  }

  void check_stats() {
    const PoolStats& actual = allocator_->stats();
    PoolStats expected = actual;  // the gauges this checker can count itself
    expected.live_buffers = live_.buffers;
    expected.bytes_in_use = live_.bytes;
    expected.unpooled_bytes = live_.unpooled_bytes;
    expected.live_pools = pools_.size();
    expected.pool_bytes = pool_bytes_;
    if (!(expected == actual)) return void(fail("stats", "gauges that match the buffers held", stats_difference(expected, actual)));
    if (actual.cached_pools > settings_.cache_limit)
      return void(fail("stats", "cached_pools at most " + std::to_string(settings_.cache_limit),
                       std::to_string(actual.cached_pools)));
    if (pools_started(actual) < pools_started(last_) || actual.padding_bytes < last_.padding_bytes ||
        actual.tail_waste_bytes < last_.tail_waste_bytes)
      return void(fail("stats", "counters never go down", stats_difference(last_, actual)));
    last_ = actual;
    const std::uint64_t blocks = actual.live_pools + actual.cached_pools + unpooled_blocks_;
    if (tracker_.live_blocks() != blocks)
      fail("leak", std::to_string(blocks) + " blocks held (live pools + cached pools + unpooled buffers)",
           std::to_string(tracker_.live_blocks()) + " blocks held");
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

  Settings settings_;
  TrackingResource tracker_;  // outlives the allocator
  std::optional<Allocator> allocator_;
  std::vector<Buffer> handles_;  // by buffer number; destroyed before the allocator
  std::vector<Held> held_;       // by buffer number
  std::unordered_map<std::uint64_t, LivePool> pools_;  // current + referenced, by number
  std::optional<std::uint64_t> current_;
  IntervalSet live_buffers_;
  IntervalSet live_pools_;
  LiveTotals live_;
  std::uint64_t pool_bytes_ = 0;
  std::uint64_t unpooled_blocks_ = 0;
  PoolStats last_;
  std::optional<Op> op_;
  std::size_t ops_run_ = 0;
  std::optional<Divergence> failure_;
};

}  // namespace poolcheck
