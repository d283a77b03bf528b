// The differential checker: runs one op sequence on an allocator and on the
// reference model side by side and checks, after every op, what the model
// knows and the shared skeleton's checks (checker_base.h); each check, what
// it verifies and which checkers raise it, is a row of the check registry,
// model/checks/checks.def.
// The first failure is kept and reported as a Divergence. Nothing is written
// into a buffer before its bounds are verified, so a wrong allocator cannot
// corrupt the checker. The allocator is a template parameter so that tests
// can check deliberately wrong variants (test code only). What it shares
// with InvariantChecker is in checker_base.h; this file is what only the
// model knows: placement, exact statistics and room, which block a pool
// must be in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/checks/checker_base.h"
#include "model/checks/divergence.h"
#include "model/checks/tracking_resource.h"
#include "model/ops/ops.h"
#include "model/reference/reference_model.h"

namespace poolcheck {

template <class Allocator = PoolAllocator>
class DifferentialChecker : public CheckerBase<DifferentialChecker<Allocator>, Allocator> {
  using Base = CheckerBase<DifferentialChecker<Allocator>, Allocator>;
  friend Base;

 public:
  explicit DifferentialChecker(const PoolOptions& settings,
                               std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : Base(settings, upstream), model_(settings) {}

  const ReferenceModel& model() const { return model_; }

 private:
  void set_pool_size(const Op& op) {
    Base::set_pool_size(op);
    model_.apply(op);
  }
  void fail_next(const Op& op) {
    Base::fail_next(op);
    model_.apply(op);  // the model predicts which op the failure lands on
  }

  bool is_live(std::uint64_t id) const { return model_.buffer_live(id); }
  void release_op(std::uint64_t id) { release(id); }

  void create(const Op& op) {
    const std::uint64_t serial_before = this->tracker_.allocations();
    auto got = this->attempt(op);
    if (!got) return;
    const Outcome outcome = model_.apply(op);
    if (outcome.failed_request.has_value() != got->failed_request.has_value())
      return void(this->fail(Check::kFailure,
                             outcome.failed_request ? "std::bad_alloc: upstream request " +
                                                          std::to_string(*outcome.failed_request) + " fails (fail_next)"
                                                    : "no upstream failure in this op",
                             got->failed_request ? "std::bad_alloc at upstream request " + std::to_string(*got->failed_request)
                                                 : "no std::bad_alloc (" + std::to_string(this->tracker_.requests()) +
                                                       " upstream requests so far)"));
    const Refusal expected = outcome.kind == Outcome::Kind::kLengthError       ? Refusal::kLengthError
                             : outcome.kind == Outcome::Kind::kInvalidArgument ? Refusal::kInvalidArgument
                                                                               : Refusal::kNone;
    if (this->refusal_done(
            expected, got->refused, got->message, [&] { return describe(got->buffer.placement()); },
            [&] { return describe(outcome.placement); }))
      return;
    const std::uint64_t id = outcome.buffer;
    this->handles_.resize(id + 1);
    typename Base::Buffer& buffer = this->handles_[id] = std::move(got->buffer);
    const Placement placement = buffer.placement();
    if (!(placement == outcome.placement))
      return void(this->fail(Check::kPlacement, describe(outcome.placement), describe(placement)));
    if (!this->check_live_handle(buffer, placement.pooled)) return;
    const auto data = reinterpret_cast<std::uintptr_t>(buffer.data());
    if (op.kind == OpKind::kFrom) {
      if (!this->check_writer_offered(op, got->offered)) return;
      if (placement.pooled && !this->check_writer_wrote_into(got->offered, data)) return;
    }
    if (outcome.pool_death) forget_pool(*outcome.pool_death);
    if (!this->check_requested_alignment(op, placement, data)) return;
    if (!check_memory(outcome, data, serial_before)) return;
    if (!this->claim_buffer_memory(id, data, placement.length)) return;
    if (!placement.pooled && placement.length > 0) ++this->unpooled_blocks_;
    if (!this->check_writer_bytes(buffer)) return;
    fill_pattern(id, buffer.bytes());
  }

  // Bounds, alignment and lifetime of the memory behind a new buffer.
  bool check_memory(const Outcome& outcome, std::uintptr_t data, std::uint64_t serial_before) {
    const Placement& placement = outcome.placement;
    if (!this->check_address_aligned(placement.length, data)) return false;
    if (!placement.pooled) return placement.length == 0 || this->check_exact_block(data, placement.length);
    const std::size_t capacity = model_.pool_capacity(placement.pool);
    const std::uintptr_t base = data - placement.offset;
    const auto block = this->pool_block(placement.pool, base, capacity);
    if (!block) return false;
    if (outcome.pool_start) return check_new_pool(*outcome.pool_start, base, capacity, *block, serial_before);
    const std::uintptr_t known = placement.pool < pool_base_.size() ? pool_base_[placement.pool] : 0;
    if (known != 0 && known != base)
      return this->fail(Check::kBounds, "pool " + std::to_string(placement.pool) + " at " + hex(known),
                  "buffer implies pool at " + hex(base));
    return true;
  }

  // Fresh memory, or exactly the dead block the model names.
  bool check_new_pool(const PoolStart& start, std::uintptr_t base, std::size_t capacity,
                      const TrackingResource::Block& block, std::uint64_t serial_before) {
    const std::string pool = "pool " + std::to_string(start.pool);
    if (!start.reused && block.serial <= serial_before)
      return this->fail(Check::kLifetime, pool + " in memory new from upstream",
                  "memory already held (block at " + hex(block.begin) + ")");
    if (start.reused && (start.block >= block_base_.size() || block_base_[start.block] != base))
      return this->fail(Check::kLifetime, pool + " reuses the memory of dead " + pool_of_block(start.block), "memory at " + hex(base));
    if (!this->claim_pool_memory(start.pool, base, capacity)) return false;
    if (start.block >= block_base_.size()) {
      block_base_.resize(start.block + 1);
      block_owner_.resize(start.block + 1);
    }
    block_base_[start.block] = base;
    block_owner_[start.block] = start.pool;
    if (start.pool >= pool_base_.size()) pool_base_.resize(start.pool + 1);
    pool_base_[start.pool] = base;
    return true;
  }

  std::string pool_of_block(std::uint64_t block) const {
    if (block >= block_base_.size() || block_base_[block] == 0) return "block " + std::to_string(block);
    return "pool " + std::to_string(block_owner_[block]) + " (block " + std::to_string(block) + ")";
  }

  void forget_pool(std::uint64_t pool) {
    if (pool >= pool_base_.size() || pool_base_[pool] == 0) return;
    this->live_pools_.erase(pool_base_[pool]);
    pool_base_[pool] = 0;
  }

  // Verifies the buffer's content, releases it on both sides and forgets
  // the memory of a pool that died.
  void release(std::uint64_t id) {
    const auto& buffer = this->handles_.at(id);
    this->check_content(id);
    this->give_back(id, model_.placement(id), reinterpret_cast<std::uintptr_t>(buffer.data()));
    const Outcome outcome = model_.apply(Op::release(id));
    if (outcome.pool_death) forget_pool(*outcome.pool_death);
  }

  void check_state() {
    const PoolStats& actual = this->observe_stats();
    if (!(actual == model_.stats()))
      return void(this->fail(Check::kStats, describe(model_.stats()), stats_difference(model_.stats(), actual)));
    if (!this->check_settings(model_.pool_size())) return;
    const auto model_room = model_.room();
    const auto actual_room = this->allocator_->room();
    if (model_room.has_value() != actual_room.has_value() ||
        (model_room && *model_room != static_cast<std::int64_t>(*actual_room)))
      return void(this->fail(Check::kPlacement, "room " + (model_room ? std::to_string(*model_room) : "none (no pool)"),
                       "room " + (actual_room ? std::to_string(*actual_room) : "none (no pool)")));
    this->check_blocks_held(actual);
  }

  ReferenceModel model_;
  // Indexed by the model's pool and block numbers, which are dense (each new
  // one is the next number): vectors, not maps, so that a new pool costs no
  // allocation. 0 is no address: a dead pool, a block not seen yet.
  std::pmr::vector<std::uintptr_t> pool_base_;   // live pools
  std::pmr::vector<std::uintptr_t> block_base_;  // model block -> address
  std::pmr::vector<std::uint64_t> block_owner_;  // model block -> last pool in it
};

// Runs a whole sequence and finishes; the first divergence, if any.
template <class Allocator = PoolAllocator>
std::optional<Divergence> check_ops(std::span<const Op> ops, const PoolOptions& settings) {
  DifferentialChecker<Allocator> checker(settings);
  for (const Op& op : ops)
    if (checker.step(op)) break;
  return checker.finish();
}

}  // namespace poolcheck
