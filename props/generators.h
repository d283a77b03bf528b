// RapidCheck generators of op sequences that lean toward the edges where
// pool allocators break.
//
// A Scenario is the PoolOptions (initial pool size, alignment, cache limit) plus
// a list of intents (props/intents.h), realized into ops against a running
// ReferenceModel. Profiles tilt the same generator toward one invariant:
// every alignment, room edges and odd pool sizes, many live buffers, churn
// through small caches. RapidCheck's size sets only the length (0..max_size
// intents; a churn intent alone is up to 64 allocations): the numbers inside
// intents are fractions and indices, drawn at full range whatever the size.
//
// Shrinking removes intents and moves each choice (edge, pick, setting)
// toward the first of its list, so counterexamples come out short and under
// Node's default settings when the bug allows.
//
// How often the general profile hits each edge is the edge census
// (`props_edge_census`: seed 1, 1,000 sequences at sizes 0..100 as RapidCheck
// cycles them), judged by what the model did with the ops; its table is in
// README.md and docs/PROPERTIES.md, checked against the command by the ctest
// edge_census_tables.
//
// About 1% of the sequences are empty (size 0) and short ones are common,
// so no edge reaches every sequence. The profiles aimed at an edge hit it
// more: the recycling profile fills the cache and sends a dead pool upstream
// in 267 sequences of 1,000 (`props_edge_census --profile all`).
// EdgeCensus.GeneralProfileHitsEveryEdge fails if an edge drops below 20
// sequences of 1,000.
#pragma once

#include <array>
#include <cstddef>
#include <iosfwd>
#include <string_view>
#include <vector>

#include <rapidcheck.h>

#include "model/ops/ops.h"
#include "props/intents.h"

namespace poolcheck::props {

// Relative weights of the size edges, in SizeEdge order:
//   0 1 small a-1 a+1 t-1 t pooled-scaled scaled room room+1 beyond-max
using SizeWeights = std::array<unsigned, kSizeEdges>;

struct Profile {
  std::string_view name;
  // Relative weights of the intents.
  unsigned alloc = 30, from = 20, release = 25, pool_size = 6, churn = 6, fail_next = 2;
  // Ops with an extension number (ExtensionIntent), once op_table.def has any.
  unsigned extension = 6;
  // Of the allocs: how many name an alignment (Node v26.8+), how many are
  // alloc_slow (per 10).
  unsigned aligned = 3, slow = 1;
  SizeWeights sizes = {2, 2, 6, 2, 2, 3, 3, 3, 5, 3, 3, 1};
  bool every_alignment = false;  // 1..4096 evenly, else mostly Node's 8
  bool small_caches = false;     // cache_limit mostly 0..3, else mostly 16
};

namespace profiles {
// Everything, mostly under Node's settings.
inline constexpr Profile kGeneral{.name = "general"};
// Alignments 1..4096 evenly, sizes around the alignment.
inline constexpr Profile kAlignment{.name = "alignment",
                                    .sizes = {2, 2, 4, 5, 5, 2, 2, 3, 3, 3, 3, 0},
                                    .every_alignment = true};
// The room and threshold edges, tiny and misaligned pool sizes.
inline constexpr Profile kBounds{.name = "bounds",
                                 .alloc = 30, .from = 20, .release = 15, .pool_size = 14, .churn = 2,
                                 .sizes = {1, 2, 3, 1, 1, 4, 4, 2, 3, 6, 6, 1}};
// Few releases: many live buffers across many pools.
inline constexpr Profile kCrowded{.name = "crowded", .alloc = 40, .from = 25, .release = 6, .pool_size = 5, .churn = 2};
// Buffers die young: pools recycle through small caches.
inline constexpr Profile kRecycling{.name = "recycling",
                                    .alloc = 25, .from = 15, .release = 30, .pool_size = 6, .churn = 12,
                                    .small_caches = true};
}  // namespace profiles

// A generated sequence: the settings, the intents (kept so that the same
// intents can be realized again under other settings), and their ops.
struct Scenario {
  PoolOptions settings;
  std::vector<Intent> intents;
  std::vector<Op> ops;
};
// RapidCheck shows a Scenario as its op file, so the counterexample it
// prints is already replayable.
void showValue(const Scenario& scenario, std::ostream& os);

namespace gen {
rc::Gen<PoolOptions> settings(const Profile& profile);
rc::Gen<SizeIntent> size_intent(const SizeWeights& weights);
rc::Gen<Intent> intent(const Profile& profile);
rc::Gen<Scenario> scenario(const Profile& profile);
}  // namespace gen

}  // namespace poolcheck::props
