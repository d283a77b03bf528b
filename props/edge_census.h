// How often generated sequences hit each edge, judged by what the reference
// model does with the ops (not by which intent was drawn): "exact room"
// counts only a request that really filled the current pool to its end.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "model/ops/ops.h"
#include "props/generators.h"

namespace poolcheck::props {

enum class Edge : std::uint8_t {
  kSizeZero,            // alloc 0 or from 0 A
  kSizeOne,
  kAlignmentMinusOne,   // request of alignment - 1 (alignment > 1)
  kAlignmentPlusOne,
  kThresholdMinusOne,   // the largest pooled request
  kThreshold,           // the smallest unpooled request
  kExactRoom,           // a pooled request that ends exactly at the pool's end
  kRoomPlusOne,         // one byte more than the room: a new pool
  kNegativeRoom,        // the offset rounded past a pool's end
  kFromKeepNone,        // from R 0, R > 0
  kFromKeepAll,         // from R R, R > 0
  kPoolSizeTiny,        // pool_size 0, 1, 2, 3, 7, 9 or 101
  kPoolSizeMisaligned,  // pool_size not a multiple of the alignment
  kPoolSizeLarge,       // pool_size >= 65536
  kReleaseOldest,       // release of the oldest of >= 2 live buffers
  kReleaseNewest,       // release of the newest of >= 2 live buffers
  kLengthError,         // a request beyond 2^30
  kPoolDiesOnRelease,   // a release frees the last buffer of a non-current pool
  kPoolReused,          // a new pool takes a dead pool's memory
  kCacheFull,           // a dead pool goes back upstream because the cache is full
  kSixteenPools,        // the sequence starts >= 16 pools (counted once)
  kCount
};
inline constexpr std::size_t kEdgeCount = static_cast<std::size_t>(Edge::kCount);

std::string_view edge_name(Edge edge);

struct EdgeCensus {
  std::size_t sequences = 0;
  std::size_t ops = 0;
  std::array<std::uint64_t, kEdgeCount> sequences_hit{};  // sequences with at least one hit
  std::array<std::uint64_t, kEdgeCount> hits{};
};

// Adds one sequence to the census.
void tally(const PoolOptions& settings, std::span<const Op> ops, EdgeCensus& census);

// Draws `sequences` scenarios the way a RapidCheck run with this seed and
// max_size draws its cases (sizes 0..max_size in turn) and tallies them.
EdgeCensus take_census(const Profile& profile, std::size_t sequences, std::uint64_t seed, int max_size);

// A Markdown table: edge, sequences hitting it, hits per 1,000 sequences.
std::string census_table(const EdgeCensus& census);

}  // namespace poolcheck::props
