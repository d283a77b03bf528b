// The differential checker: runs one op sequence on an allocator and on the
// reference model side by side and checks, after every op,
//   placement  pooled or not, pool number, offset, length (and the room left)
//   bounds     a pooled buffer lies inside its pool's memory, which lies in a
//              block the allocator really got; an unpooled block has exactly
//              its length
//   alignment  of the offset (through placement) and of the address
//   overlap    no two live buffers share a byte (interval set, O(log n))
//   content    each buffer holds a pattern unique to it, verified on release
//              and at the end
//   stats      every statistic equals the model's
//   lifetime   a new pool's memory is fresh from upstream or is exactly the
//              dead block the model names, and overlaps no live pool
//   failure    a request the model rejects throws std::length_error; an
//              upstream failure (injected) leaves the allocator as it was
//   settings   the allocator reports the pool_size, alignment and cache
//              limit it runs under
//   handle     a live Buffer says live, pooled as placed, bytes() = data(),
//              size(); given back by release(), by an empty handle moved over
//              it or by its destructor, it is empty
//   leak       blocks held from upstream are exactly the live and cached
//              pools and the live unpooled buffers; none after teardown
// The first failure is kept and reported as a Divergence. Nothing is written
// into a buffer before its bounds are verified, so a wrong allocator cannot
// corrupt the checker. The allocator is a template parameter so that tests
// can check deliberately wrong variants (test code only).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/checks/content_pattern.h"
#include "model/checks/interval_set.h"
#include "model/checks/tracking_resource.h"
#include "model/ops/ops.h"
#include "model/reference/reference_model.h"

namespace poolcheck {

struct Divergence {
  std::size_t op_index = 0;  // ops run before it; == ops.size() at the end
  std::optional<Op> op;      // none when found at the end of the sequence
  std::string check;         // "placement", "bounds", "content", ...
  std::string expected;
  std::string actual;
};

std::string describe(const Placement& placement);
std::string describe(const PoolStats& stats);
// Only the fields that differ, as "name expected != actual".
std::string stats_difference(const PoolStats& expected, const PoolStats& actual);
std::string hex(std::uintptr_t address);
// The report: what diverged, expected against actual, then the sequence up
// to and including that op as a replayable .ops text.
std::string describe(const Divergence& divergence, std::span<const Op> ops, const Settings& settings);

template <class Allocator = PoolAllocator>
class DifferentialChecker {
  using Buffer = typename Allocator::Buffer;

 public:
  explicit DifferentialChecker(const Settings& settings,
                               std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : settings_(settings),
        tracker_(upstream),
        allocator_(std::in_place, to_pool_options(settings, &tracker_)),
        model_(settings) {
    // A new allocator counts nothing. PoolStats and its defaults are shared
    // with the model, so only literal zeros catch a wrong default.
    if (!(allocator_->stats() == std::bit_cast<PoolStats>(std::array<unsigned char, sizeof(PoolStats)>{})))
      fail("stats", "a new allocator's statistics all zero", describe(allocator_->stats()));
  }
  DifferentialChecker(const DifferentialChecker&) = delete;
  DifferentialChecker& operator=(const DifferentialChecker&) = delete;

  std::optional<Divergence> step(const Op& op) {
    if (failure_) return failure_;
    op_ = op;
    switch (op.kind) {
      case OpKind::kPoolSize:
        allocator_->set_pool_size(op.a);
        model_.apply(op);
        break;
      case OpKind::kAlloc:
      case OpKind::kFrom:
        create(op);
        break;
      case OpKind::kRelease:
        release(op.a);
        break;
    }
    if (!failure_) compare_state();
    ++ops_run_;
    return failure_;
  }

  // Verifies every live buffer, releases them all, and checks that tearing
  // the allocator down gives every block back.
  std::optional<Divergence> finish() {
    if (failure_) return failure_;
    op_.reset();
    for (std::uint64_t id = 0; id < handles_.size() && !failure_; ++id) {
      if (!model_.buffer_live(id)) continue;
      release(id);
      if (!failure_) compare_state();
    }
    if (failure_) return failure_;
    allocator_.reset();
    if (tracker_.live_blocks() != 0)
      fail("leak", "no block held after the allocator is destroyed",
           std::to_string(tracker_.live_blocks()) + " blocks still held");
    return failure_;
  }

  const ReferenceModel& model() const { return model_; }
  Allocator& allocator() { return *allocator_; }
  TrackingResource& upstream() { return tracker_; }
  std::size_t ops_run() const { return ops_run_; }
  const std::optional<Divergence>& failure() const { return failure_; }

 private:
  bool fail(std::string check, std::string expected, std::string actual) {
    if (!failure_) failure_ = Divergence{ops_run_, op_, std::move(check), std::move(expected), std::move(actual)};
    return false;
  }

  struct Attempt {
    Buffer buffer;
    bool length_error = false;
    std::byte* writer_span = nullptr;  // what allocate_with offered the writer
    std::size_t writer_size = 0;
  };

  Attempt attempt(const Op& op) {
    Attempt result;
    if (op.kind == OpKind::kAlloc) {
      result.buffer = allocator_->allocate(op.a);
      return result;
    }
    // The writer keeps A bytes but writes nothing: the bytes are filled only
    // after the checker has verified where they are.
    result.buffer = allocator_->allocate_with(op.a, [&](std::span<std::byte> span) {
      result.writer_span = span.data();
      result.writer_size = span.size();
      return static_cast<std::size_t>(op.b);
    });
    return result;
  }

  void create(const Op& op) {
    const PoolStats before = allocator_->stats();
    const auto room_before = allocator_->room();
    const std::uint64_t serial_before = tracker_.allocations();
    Attempt got;
    for (int tries = 0;; ++tries) {
      try {
        got = attempt(op);
        break;
      } catch (const std::length_error&) {
        got.length_error = true;
        break;
      } catch (const std::bad_alloc&) {
        if (tries > 0) return void(fail("failure", "the retried request succeeds", "std::bad_alloc again"));
        // Injected by the upstream; the allocator must be exactly as before,
        // and the retry must then behave as if nothing had happened.
        if (!(allocator_->stats() == before))
          return void(fail("failure atomicity", "statistics unchanged by std::bad_alloc",
                           stats_difference(before, allocator_->stats())));
        if (allocator_->room() != room_before)
          return void(fail("failure atomicity", "room unchanged by std::bad_alloc", "room changed"));
      }
    }
    const Outcome outcome = model_.apply(op);
    if (outcome.kind == Outcome::Kind::kLengthError) {
      if (!got.length_error)
        return void(fail("failure", "std::length_error", describe(got.buffer.placement())));
      if (!(allocator_->stats() == before))
        fail("failure atomicity", "statistics unchanged by std::length_error",
             stats_difference(before, allocator_->stats()));
      return;
    }
    if (got.length_error) return void(fail("failure", describe(outcome.placement), "std::length_error"));
    const std::uint64_t id = outcome.buffer;
    handles_.resize(id + 1);
    Buffer& buffer = handles_[id] = std::move(got.buffer);
    const Placement placement = buffer.placement();
    if (!(placement == outcome.placement))
      return void(fail("placement", describe(outcome.placement), describe(placement)));
    if (!check_live_handle(buffer, placement)) return;
    if (op.kind == OpKind::kFrom && !check_writer_span(op, outcome, buffer, got)) return;
    if (outcome.pool_death) forget_pool(*outcome.pool_death);
    if (!check_memory(outcome, buffer, serial_before)) return;
    const auto data = reinterpret_cast<std::uintptr_t>(buffer.data());
    if (auto hit = live_buffers_.insert(data, data + placement.length, id))
      return void(fail("overlap", "no live buffer shares a byte with buffer " + std::to_string(id) + " [" +
                                      hex(data) + ", " + hex(data + placement.length) + ")",
                       "overlaps buffer " + std::to_string(hit->owner) + " [" + hex(hit->begin) + ", " +
                           hex(hit->end) + ")"));
    if (!placement.pooled && placement.length > 0) ++unpooled_blocks_;
    fill_pattern(id, buffer.bytes());
  }

  bool check_writer_span(const Op& op, const Outcome& outcome, const Buffer& buffer, const Attempt& got) {
    const bool pooled = outcome.placement.pooled;
    if (got.writer_size != op.a)
      return fail("bounds", "writer offered the " + std::to_string(op.a) + " reserved bytes",
                  "writer offered " + std::to_string(got.writer_size) + " bytes");
    if (pooled && got.writer_span != buffer.data())
      return fail("bounds", "writer's bytes are the buffer's: " + hex(reinterpret_cast<std::uintptr_t>(buffer.data())),
                  "writer wrote at " + hex(reinterpret_cast<std::uintptr_t>(got.writer_span)));
    return true;
  }

  // Bounds, alignment and lifetime of the memory behind a new buffer.
  bool check_memory(const Outcome& outcome, const Buffer& buffer, std::uint64_t serial_before) {
    const Placement& placement = outcome.placement;
    const auto data = reinterpret_cast<std::uintptr_t>(buffer.data());
    if (placement.length > 0 && data % settings_.alignment != 0)
      return fail("alignment", "address aligned to " + std::to_string(settings_.alignment), hex(data));
    if (!placement.pooled) {
      if (placement.length == 0) return true;
      const auto block = tracker_.block_containing(data, placement.length);
      if (!block || block->begin != data || block->size != placement.length)
        return fail("bounds", "an upstream block of exactly " + std::to_string(placement.length) + " bytes at " + hex(data),
                    block ? "inside a block of " + std::to_string(block->size) + " bytes at " + hex(block->begin)
                          : "no block there");
      return true;
    }
    const std::size_t capacity = model_.pool_capacity(placement.pool);
    const std::uintptr_t base = data - placement.offset;
    if (base % allocator_->block_alignment() != 0)
      return fail("alignment", "pool memory aligned to " + std::to_string(allocator_->block_alignment()), hex(base));
    const auto block = tracker_.block_containing(base, capacity);
    if (!block)
      return fail("bounds", "pool " + std::to_string(placement.pool) + " [" + hex(base) + ", " + hex(base + capacity) +
                                ") inside memory from upstream",
                  "not inside any block");
    if (outcome.pool_start) return check_new_pool(*outcome.pool_start, base, capacity, *block, serial_before);
    const std::uintptr_t known = placement.pool < pool_base_.size() ? pool_base_[placement.pool] : 0;
    if (known != 0 && known != base)
      return fail("bounds", "pool " + std::to_string(placement.pool) + " at " + hex(known),
                  "buffer implies pool at " + hex(base));
    return true;
  }

  bool check_new_pool(const PoolStart& start, std::uintptr_t base, std::size_t capacity,
                      const TrackingResource::Block& block, std::uint64_t serial_before) {
    const std::string pool = "pool " + std::to_string(start.pool);
    if (!start.reused && block.serial <= serial_before)
      return fail("lifetime", pool + " in memory new from upstream",
                  "memory already held (block at " + hex(block.begin) + ")");
    if (start.reused && (start.block >= block_base_.size() || block_base_[start.block] != base))
      return fail("lifetime", pool + " reuses the memory of dead " + pool_of_block(start.block), "memory at " + hex(base));
    if (auto hit = live_pools_.overlapping(base, base + capacity))
      return fail("lifetime", pool + " in memory no live pool uses",
                  "overlaps live pool " + std::to_string(hit->owner) + " [" + hex(hit->begin) + ", " + hex(hit->end) + ")");
    if (start.block >= block_base_.size()) {
      block_base_.resize(start.block + 1);
      block_owner_.resize(start.block + 1);
    }
    block_base_[start.block] = base;
    block_owner_[start.block] = start.pool;
    if (start.pool >= pool_base_.size()) pool_base_.resize(start.pool + 1);
    pool_base_[start.pool] = base;
    live_pools_.insert(base, base + capacity, start.pool);
    return true;
  }

  std::string pool_of_block(std::uint64_t block) const {
    if (block >= block_base_.size() || block_base_[block] == 0) return "block " + std::to_string(block);
    return "pool " + std::to_string(block_owner_[block]) + " (block " + std::to_string(block) + ")";
  }

  void forget_pool(std::uint64_t pool) {
    if (pool >= pool_base_.size() || pool_base_[pool] == 0) return;
    live_pools_.erase(pool_base_[pool]);
    pool_base_[pool] = 0;
  }

  // Verifies the buffer's content, releases it on both sides and forgets
  // the memory of a pool that died.
  void release(std::uint64_t id) {
    Buffer& buffer = handles_.at(id);
    if (auto bad = verify_pattern(id, buffer.bytes()))
      fail("content", "buffer " + std::to_string(id) + " holds its own pattern",
           "byte " + std::to_string(*bad) + " of " + std::to_string(buffer.size()) + " changed");
    const Placement placement = model_.placement(id);
    // An empty buffer was never inserted, and the next buffer may start at its
    // address: erasing by address would drop that one.
    if (placement.length > 0) live_buffers_.erase(reinterpret_cast<std::uintptr_t>(buffer.data()));
    if (!placement.pooled && placement.length > 0) --unpooled_blocks_;
    give_back(id, buffer);
    const Outcome outcome = model_.apply(Op::release(id));
    if (outcome.pool_death) forget_pool(*outcome.pool_death);
  }

  // The allocator reports the settings it runs under: the pool_size setting
  // (the model's, which follows pool_size ops), the alignment, the cache
  // limit. Wrappers without the accessors (model/testing) are not asked.
  bool check_settings() {
    if constexpr (requires(Allocator& a) { a.pool_size(); a.alignment(); a.cache_limit(); }) {
      const std::size_t pool_size = allocator_->pool_size(), alignment = allocator_->alignment(),
                        cache_limit = allocator_->cache_limit();
      if (pool_size != model_.pool_size() || alignment != settings_.alignment || cache_limit != settings_.cache_limit)
        return fail("settings",
                    "pool_size " + std::to_string(model_.pool_size()) + ", alignment " +
                        std::to_string(settings_.alignment) + ", cache_limit " + std::to_string(settings_.cache_limit),
                    "pool_size " + std::to_string(pool_size) + ", alignment " + std::to_string(alignment) +
                        ", cache_limit " + std::to_string(cache_limit));
    }
    return true;
  }

  // A live handle tells the truth about its buffer: the content check
  // writes and reads through bytes(), so a lying bytes() would blind it.
  bool check_live_handle(const Buffer& buffer, const Placement& placement) {
    const auto bytes = buffer.bytes();
    if (says_live(buffer) && says_pooled(buffer, placement.pooled) == placement.pooled &&
        bytes.data() == buffer.data() && bytes.size() == buffer.size())
      return true;
    return fail("handle", std::string("live, ") + (placement.pooled ? "pooled" : "not pooled") + ", bytes() = {data(), size()}",
                describe_handle(buffer));
  }

  // Buffers go back in the three ways a caller has, by buffer number:
  // release(), an empty handle moved over it, and destruction (after a move
  // out of the handle). Afterwards the handle must be empty.
  void give_back(std::uint64_t id, Buffer& buffer) {
    switch (id % 3) {
      case 0: buffer.release(); break;
      case 1: buffer = Buffer(); break;
      default: {
        Buffer gone(std::move(buffer));  // released by its destructor
        break;
      }
    }
    if (says_live(buffer) || says_pooled(buffer, false) || buffer.data() != nullptr || buffer.size() != 0 ||
        !buffer.bytes().empty())
      fail("handle", "buffer " + std::to_string(id) + "'s handle empty once released", describe_handle(buffer));
  }

  // Test wrappers (model/testing) may have handles without live() and
  // pooled(); for them, a non-empty handle counts as live.
  static bool says_live(const Buffer& buffer) {
    if constexpr (requires { buffer.live(); }) return buffer.live();
    else return buffer.data() != nullptr || buffer.size() != 0;
  }
  static bool says_pooled(const Buffer& buffer, bool otherwise) {
    if constexpr (requires { buffer.pooled(); }) return buffer.pooled();
    else return otherwise;
  }

  static std::string describe_handle(const Buffer& buffer) {
    return std::string(says_live(buffer) ? "live" : "not live") + ", " +
           (says_pooled(buffer, false) ? "pooled" : "not pooled") +
           ", data() " + hex(reinterpret_cast<std::uintptr_t>(buffer.data())) + ", size() " +
           std::to_string(buffer.size()) + ", bytes() " + hex(reinterpret_cast<std::uintptr_t>(buffer.bytes().data())) +
           " + " + std::to_string(buffer.bytes().size());
  }

  void compare_state() {
    const PoolStats& actual = allocator_->stats();
    if (!(actual == model_.stats())) return void(fail("stats", describe(model_.stats()), stats_difference(model_.stats(), actual)));
    if (!check_settings()) return;
    const auto model_room = model_.room();
    const auto actual_room = allocator_->room();
    if (model_room.has_value() != actual_room.has_value() ||
        (model_room && *model_room != static_cast<std::int64_t>(*actual_room)))
      return void(fail("placement", "room " + (model_room ? std::to_string(*model_room) : "none (no pool)"),
                       "room " + (actual_room ? std::to_string(*actual_room) : "none (no pool)")));
    const std::uint64_t expected_blocks = actual.live_pools + actual.cached_pools + unpooled_blocks_;
    if (tracker_.live_blocks() != expected_blocks)
      fail("leak", std::to_string(expected_blocks) + " blocks held (live pools + cached pools + unpooled buffers)",
           std::to_string(tracker_.live_blocks()) + " blocks held");
  }

  Settings settings_;
  TrackingResource tracker_;  // outlives the allocator
  std::optional<Allocator> allocator_;
  ReferenceModel model_;
  std::vector<Buffer> handles_;  // by buffer number; destroyed before the allocator
  IntervalSet live_buffers_;
  IntervalSet live_pools_;
  // Indexed by the model's pool and block numbers, which are dense (each new
  // one is the next number): vectors, not maps, so that a new pool costs no
  // allocation. 0 is no address: a dead pool, a block not seen yet.
  std::vector<std::uintptr_t> pool_base_;   // live pools
  std::vector<std::uintptr_t> block_base_;  // model block -> address
  std::vector<std::uint64_t> block_owner_;  // model block -> last pool in it
  std::uint64_t unpooled_blocks_ = 0;
  std::optional<Op> op_;
  std::size_t ops_run_ = 0;
  std::optional<Divergence> failure_;
};

// Runs a whole sequence and finishes; the first divergence, if any.
template <class Allocator = PoolAllocator>
std::optional<Divergence> check_ops(std::span<const Op> ops, const Settings& settings) {
  DifferentialChecker<Allocator> checker(settings);
  for (const Op& op : ops)
    if (checker.step(op)) break;
  return checker.finish();
}

}  // namespace poolcheck
