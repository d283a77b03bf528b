// The reference model: the Node.js Buffer pool rules of docs/SPEC.md written
// as plainly as possible. It owns no memory; it predicts the placement of
// every buffer, which pools live and die, which dead pool's memory each new
// pool reuses, and the statistics. Speed is not a goal, clarity is; it is
// still O(cache_limit) per op so that checking stays linear.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "allocator/pool_types.h"
#include "model/ops/ops.h"

namespace poolcheck {

// A new pool and the memory it uses. Blocks are the model's names for pieces
// of memory: block B is the B-th one taken from upstream.
struct PoolStart {
  std::uint64_t pool = 0;
  std::uint64_t block = 0;
  bool reused = false;  // the block belonged to a dead pool
};

struct Outcome {
  enum class Kind : std::uint8_t { kNothing, kBuffer, kLengthError };
  Kind kind = Kind::kNothing;
  std::uint64_t buffer = 0;  // the new buffer's number, for kBuffer
  Placement placement;       // for kBuffer
  std::optional<PoolStart> pool_start;
  std::optional<std::uint64_t> pool_death;  // a pool that died during this op
};

class ReferenceModel {
 public:
  explicit ReferenceModel(const PoolOptions& settings = {});

  // Precondition: a release names a live buffer (parse_ops guarantees it);
  // otherwise std::invalid_argument.
  Outcome apply(const Op& op);

  const PoolStats& stats() const { return stats_; }
  const PoolOptions& settings() const { return settings_; }
  std::size_t pool_size() const { return pool_size_; }
  // capacity - offset of the current pool; nullopt before the first pool.
  std::optional<std::int64_t> room() const;
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

  Outcome new_buffer(Placement placement);
  Outcome place(std::size_t reserve, std::size_t kept);
  PoolStart start_pool();
  void retire_block(std::uint64_t block);
  Outcome release(std::uint64_t buffer);

  PoolOptions settings_;
  std::size_t pool_size_ = kDefaultPoolSize;
  std::vector<PoolRecord> pools_;
  std::vector<BufferRecord> buffers_;
  std::optional<std::uint64_t> current_;
  std::vector<std::size_t> block_capacity_;  // indexed by block
  std::deque<std::uint64_t> cache_;          // dead blocks, oldest first
  std::size_t window_starts_ = 0;            // pool starts since the cache was last trimmed
  std::size_t cache_low_ = 0;                // the smallest the cache was since then
  PoolStats stats_;
  std::optional<std::uint64_t> death_;  // set by start_pool, moved into the Outcome
};

}  // namespace poolcheck
