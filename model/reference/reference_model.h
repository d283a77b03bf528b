// The reference model: the Node.js Buffer pool rules of docs/SPEC.md written
// as plainly as possible. It owns no memory; it predicts the placement of
// every buffer, which pools live and die, which dead pool's memory each new
// pool reuses, and the statistics. Speed is not a goal, clarity is; it is
// still O(cache_limit) per op so that checking stays linear.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory_resource>
#include <optional>
#include <vector>

#include "allocator/pool_types.h"
#include "model/ops/ops.h"
#include "model/ops/pool_view.h"

namespace poolcheck {

// A new pool and the memory it uses. Blocks are the model's names for pieces
// of memory: block B is the B-th one taken from upstream.
struct PoolStart {
  std::uint64_t pool = 0;
  std::uint64_t block = 0;
  bool reused = false;  // the block belonged to a dead pool
};

struct Outcome {
  // kLengthError and kInvalidArgument: the op is refused (refusal_of in
  // model/ops/ops.h) and changes nothing.
  enum class Kind : std::uint8_t { kNothing, kBuffer, kLengthError, kInvalidArgument };
  Kind kind = Kind::kNothing;
  std::uint64_t buffer = 0;  // the new buffer's number, for kBuffer
  Placement placement;       // for kBuffer
  std::optional<PoolStart> pool_start;
  std::optional<std::uint64_t> pool_death;  // a pool that died during this op
  // Set when a `fail_next` lands on this op: its first attempt throws
  // std::bad_alloc at this upstream request (1-based, counted from the
  // start, failed ones included) and changes nothing; the rest of the
  // Outcome is that of the attempt after it (docs/SPEC.md, Failure).
  std::optional<std::uint64_t> failed_request;
};

class ReferenceModel {
 public:
  explicit ReferenceModel(const PoolOptions& settings = {});

  // Precondition: a release names a live buffer (parse_ops guarantees it);
  // otherwise std::invalid_argument. A refused op (refusal_of) is not a
  // precondition: it is an Outcome.
  Outcome apply(const Op& op);

  const PoolStats& stats() const { return stats_; }
  const PoolOptions& settings() const { return settings_; }
  std::size_t pool_size() const { return pool_size_; }
  // capacity - offset of the current pool; nullopt before the first pool.
  std::optional<std::int64_t> room() const;
  // The current pool's offset (0 before the first pool).
  std::size_t offset() const { return current_ ? pools_[*current_].offset : 0; }
  // All three, as the decoder and the generators aim at them (pool_view.h).
  PoolView view() const { return {room(), offset(), pool_size_}; }
  // Upstream requests the allocator has made so far, failed ones included.
  std::uint64_t upstream_requests() const { return requests_; }
  // How many upstream requests `op` makes from the present state
  // (docs/SPEC.md, "which requests go upstream").
  std::uint64_t upstream_requests_for(const Op& op) const;
  // Requests still to go before the armed `fail_next` fails one (0: none).
  std::uint64_t armed_failure() const { return armed_; }
  std::size_t pool_capacity(std::uint64_t pool) const { return pools_.at(pool).capacity; }
  std::uint64_t pool_block(std::uint64_t pool) const { return pools_.at(pool).block; }
  bool buffer_live(std::uint64_t buffer) const {
    return buffer < buffers_.size() && buffers_[buffer].live;
  }
  const Placement& placement(std::uint64_t buffer) const { return buffers_.at(buffer).placement; }
  std::uint64_t buffers_created() const { return buffers_.size(); }

 private:
  struct PoolRecord {
    std::size_t capacity = 0;
    std::size_t offset = 0;
    std::uint64_t refs = 0;  // live buffers in this pool
    std::uint64_t block = 0;
    bool dead = false;
  };
  struct BufferRecord {
    Placement placement;
    bool live = true;
  };

  Outcome create(const Op& op, std::size_t threshold);
  Outcome new_buffer(Placement placement);
  Outcome place(std::size_t reserve, std::size_t kept, std::size_t alignment = 1);
  bool starts_pool(std::size_t reserve, std::size_t alignment) const;
  bool next_pool_is_fresh() const;
  PoolStart start_pool();
  void retire_block(std::uint64_t block);
  Outcome release(std::uint64_t buffer);

  PoolOptions settings_;
  std::size_t pool_size_ = kDefaultPoolSize;
  // std::pmr containers: on the default resource, which the fuzz targets
  // point at a per-run arena (fuzz/fuzz_target.h); the global heap otherwise.
  std::pmr::vector<PoolRecord> pools_;
  std::pmr::vector<BufferRecord> buffers_;
  std::optional<std::uint64_t> current_;
  std::pmr::vector<std::size_t> block_capacity_;  // indexed by block
  std::pmr::deque<std::uint64_t> cache_;          // dead blocks, oldest first
  std::size_t window_starts_ = 0;            // pool starts since the cache was last trimmed
  std::size_t cache_low_ = 0;                // the smallest the cache was since then
  PoolStats stats_;
  std::optional<std::uint64_t> death_;  // set by start_pool, moved into the Outcome
  std::uint64_t requests_ = 0;
  std::uint64_t armed_ = 0;
};

}  // namespace poolcheck
