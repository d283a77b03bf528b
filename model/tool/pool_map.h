// A pool map: the state of an allocator (or of the reference model) after
// some op, in the terms a person draws by hand: each pool with its capacity,
// the buffers placed in it (live or released), the offset reached, whether
// it is current, still referenced or dead, and whose memory it reuses; the
// unpooled buffers beside. map_svg.h draws it.
//
// The allocator's side is observed only through what it shows a user: each
// Buffer's placement and address, room() and stats(). The model's side comes
// from the model's own outcomes. Both are built op by op through MapBuilder,
// so that a divergence shows up as a difference between two maps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory_resource>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/checks/allocator_run.h"
#include "model/ops/ops.h"
#include "model/reference/reference_model.h"

namespace poolcheck {

struct MapBuffer {
  std::uint64_t number = 0;
  Placement placement;
  bool live = true;
};

enum class PoolLife : std::uint8_t { kCurrent, kReferenced, kDead };

struct MapPool {
  std::uint64_t number = 0;
  std::size_t capacity = 0;
  std::size_t offset = 0;  // the next free offset; may be past the capacity after rounding
  PoolLife life = PoolLife::kCurrent;
  bool reused = false;                     // its memory came from a dead pool
  std::optional<std::uint64_t> memory_of;  // that pool, when known
  std::size_t started_at_op = 0;
  std::optional<std::size_t> died_at_op;
  std::vector<std::uint64_t> buffers;  // pooled buffers placed in it, in creation order
};

struct PoolMap {
  std::string source;  // "allocator" or "model"
  PoolOptions settings;
  std::size_t ops_run = 0;    // ops applied so far
  std::optional<Op> last_op;  // the op applied last
  std::vector<MapPool> pools;
  std::vector<MapBuffer> buffers;  // by buffer number
  PoolStats stats;
};

// Records the events of each op into a PoolMap.
class MapBuilder {
 public:
  MapBuilder(std::string source, const PoolOptions& settings);

  void begin_op(const Op& op) { map_.last_op = op; }
  void end_op() { ++map_.ops_run; }
  void add_buffer(const Placement& placement);
  // A pool that became current during this op; the previous current pool is
  // still referenced until pool_died says otherwise.
  void start_pool(std::uint64_t pool, std::size_t capacity, bool reused, std::optional<std::uint64_t> memory_of);
  void set_current_offset(std::size_t offset);
  void pool_died(std::uint64_t pool);
  void release(std::uint64_t buffer);
  void set_stats(const PoolStats& stats) { map_.stats = stats; }

  const PoolMap& map() const { return map_; }
  std::optional<std::uint64_t> current() const { return current_; }

 private:
  MapPool& pool(std::uint64_t number);

  PoolMap map_;
  std::optional<std::uint64_t> current_;
};

// The reference model, op by op.
class ModelMapper {
 public:
  explicit ModelMapper(const PoolOptions& settings) : builder_("model", settings), model_(settings) {}
  void step(const Op& op);
  const PoolMap& map() const { return builder_.map(); }

 private:
  // One plain op on the model (a realloc is two: realloc_as_plain_ops).
  void apply(const Op& op);

  MapBuilder builder_;
  ReferenceModel model_;
  std::map<std::uint64_t, std::uint64_t> pool_of_block_;  // model block -> last pool in it
};

// An allocator, op by op. A template so that tests can draw deliberately
// wrong allocators. Pool capacity is the pool size in force when the pool
// appeared; the offset is capacity - room(); a pool is dead once it is not
// current and no live buffer refers to it; it reuses the memory of the last
// pool seen at the same address.
template <class Allocator = PoolAllocator>
class AllocatorMapper {
 public:
  explicit AllocatorMapper(const PoolOptions& settings) : builder_("allocator", settings), run_(settings) {}
  AllocatorMapper(const AllocatorMapper&) = delete;
  AllocatorMapper& operator=(const AllocatorMapper&) = delete;

  void step(const Op& op) {
    builder_.begin_op(op);
    const std::uint64_t reused_before = allocator().stats().pools_reused;
    // A failed request changes nothing and is run again (docs/SPEC.md): the
    // map is the same without the failure.
    const typename AllocatorRun<Allocator>::Step step = run_.step(op);
    if (step.placed) placed(*step.placed, reused_before);
    if (step.released) builder_.release(*step.released);
    if (step.placed || step.released) mark_dead_pools();
    if (const auto room = allocator().room(); room && builder_.current()) {
      const MapPool& current = builder_.map().pools[*builder_.current()];
      builder_.set_current_offset(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(current.capacity) - *room));
    }
    builder_.set_stats(allocator().stats());
    builder_.end_op();
  }
  const PoolMap& map() const { return builder_.map(); }

 private:
  Allocator& allocator() { return run_.allocator(); }

  void placed(std::uint64_t number, std::uint64_t reused_before) {
    const typename Allocator::Buffer& buffer = run_.buffer(number);
    const Placement placement = buffer.placement();
    if (placement.pooled && placement.pool >= builder_.map().pools.size()) {
      const auto base = reinterpret_cast<std::uintptr_t>(buffer.data()) - placement.offset;
      std::optional<std::uint64_t> memory_of;
      if (auto seen = pool_at_.find(base); seen != pool_at_.end()) memory_of = seen->second;
      // Fresh memory from upstream may sit where a pool once was: only a
      // reuse the statistics admit counts as one.
      const bool reused = allocator().stats().pools_reused > reused_before;
      builder_.start_pool(placement.pool, allocator().pool_size(), reused, reused ? memory_of : std::nullopt);
      pool_at_[base] = placement.pool;
    }
    builder_.add_buffer(placement);
  }

  void mark_dead_pools() {
    for (const MapPool& pool : builder_.map().pools) {
      if (pool.life != PoolLife::kReferenced) continue;
      bool referenced = false;
      for (std::uint64_t number : pool.buffers) referenced = referenced || builder_.map().buffers[number].live;
      if (!referenced) builder_.pool_died(pool.number);
    }
  }

  MapBuilder builder_;
  AllocatorRun<Allocator> run_;
  std::map<std::uintptr_t, std::uint64_t> pool_at_;   // pool memory address -> last pool there
};

// Maps after op `at` (0-based; nullopt: after the last op).
PoolMap model_map(std::span<const Op> ops, const PoolOptions& settings, std::optional<std::size_t> at = std::nullopt);

template <class Allocator = PoolAllocator>
PoolMap allocator_map(std::span<const Op> ops, const PoolOptions& settings, std::optional<std::size_t> at = std::nullopt) {
  AllocatorMapper<Allocator> mapper(settings);
  const std::size_t count = at ? std::min(*at + 1, ops.size()) : ops.size();
  for (std::size_t i = 0; i < count; ++i) mapper.step(ops[i]);
  return mapper.map();
}

// The first buffer whose placement or liveness differs between two maps of
// the same sequence (one that exists in only one of them counts); nullopt
// when the buffers agree (a divergence in the statistics, say).
std::optional<std::uint64_t> first_difference(const PoolMap& expected, const PoolMap& actual);

}  // namespace poolcheck
