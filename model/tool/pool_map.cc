#include "model/tool/pool_map.h"

#include <algorithm>
#include <utility>

namespace poolcheck {

MapBuilder::MapBuilder(std::string source, const PoolOptions& settings) {
  map_.source = std::move(source);
  map_.settings = settings;
}

MapPool& MapBuilder::pool(std::uint64_t number) {
  // A wrong allocator may skip pool numbers: the gap shows as empty pools.
  while (map_.pools.size() <= number) {
    MapPool missing;
    missing.number = map_.pools.size();
    missing.life = PoolLife::kDead;
    map_.pools.push_back(missing);
  }
  return map_.pools[number];
}

void MapBuilder::add_buffer(const Placement& placement) {
  const std::uint64_t number = map_.buffers.size();
  map_.buffers.push_back({number, placement, true});
  if (placement.pooled) pool(placement.pool).buffers.push_back(number);
}

void MapBuilder::start_pool(std::uint64_t number, std::size_t capacity, bool reused,
                            std::optional<std::uint64_t> memory_of) {
  if (current_ && *current_ != number) pool(*current_).life = PoolLife::kReferenced;
  MapPool& started = pool(number);
  started.capacity = capacity;
  started.offset = 0;
  started.life = PoolLife::kCurrent;
  started.reused = reused;
  started.memory_of = memory_of;
  started.started_at_op = map_.ops_run;
  current_ = number;
}

void MapBuilder::set_current_offset(std::size_t offset) {
  if (current_) pool(*current_).offset = offset;
}

void MapBuilder::pool_died(std::uint64_t number) {
  MapPool& dead = pool(number);
  dead.life = PoolLife::kDead;
  dead.died_at_op = map_.ops_run;
}

void MapBuilder::release(std::uint64_t buffer) {
  if (buffer < map_.buffers.size()) map_.buffers[buffer].live = false;
}

void ModelMapper::step(const Op& op) {
  builder_.begin_op(op);
  if (op.kind == OpKind::kRealloc) {
    for (const Op& plain : realloc_as_plain_ops(op)) apply(plain);
  } else {
    apply(op);
  }
  if (const auto room = model_.room(); room && builder_.current()) {
    const std::size_t capacity = model_.pool_capacity(*builder_.current());
    builder_.set_current_offset(static_cast<std::size_t>(static_cast<std::int64_t>(capacity) - *room));
  }
  builder_.set_stats(model_.stats());
  builder_.end_op();
}

void ModelMapper::apply(const Op& op) {
  const Outcome outcome = model_.apply(op);
  if (outcome.pool_start) {
    const PoolStart& start = *outcome.pool_start;
    std::optional<std::uint64_t> memory_of;
    if (auto seen = pool_of_block_.find(start.block); start.reused && seen != pool_of_block_.end())
      memory_of = seen->second;
    builder_.start_pool(start.pool, model_.pool_capacity(start.pool), start.reused, memory_of);
    pool_of_block_[start.block] = start.pool;
  }
  if (op.kind == OpKind::kRelease) builder_.release(op.a);
  if (outcome.pool_death) builder_.pool_died(*outcome.pool_death);
  if (outcome.kind == Outcome::Kind::kBuffer) builder_.add_buffer(outcome.placement);
}

PoolMap model_map(std::span<const Op> ops, const PoolOptions& settings, std::optional<std::size_t> at) {
  ModelMapper mapper(settings);
  const std::size_t count = at ? std::min(*at + 1, ops.size()) : ops.size();
  for (std::size_t i = 0; i < count; ++i) mapper.step(ops[i]);
  return mapper.map();
}

std::optional<std::uint64_t> first_difference(const PoolMap& expected, const PoolMap& actual) {
  const std::size_t common = std::min(expected.buffers.size(), actual.buffers.size());
  for (std::size_t i = 0; i < common; ++i) {
    const MapBuffer& want = expected.buffers[i];
    const MapBuffer& got = actual.buffers[i];
    if (!(want.placement == got.placement) || want.live != got.live) return i;
  }
  if (expected.buffers.size() != actual.buffers.size()) return common;
  return std::nullopt;
}

}  // namespace poolcheck
