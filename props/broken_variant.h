// The shared part of the broken-variant tests: which property catches a
// variant, and the GoogleTest fixture that checks it (broken_variants_test.cc
// has the test body; each *_variants file instantiates it with its own
// cases, so that the RapidCheck code of each compiles in its own file).
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>

#include "model/checks/check.h"
#include "model/checks/checker.h"
#include "props/checked_run.h"
#include "props/properties.h"

namespace poolcheck::props {

enum class Property {
  kStateful, kPlacement, kBounds, kAlignment, kOverlap, kContent, kStatistics, kRecycling, kFailure, kCacheWindows
};

inline constexpr std::array<const char*, 10> kPropertyNames = {
    "stateful", "placement", "bounds", "alignment", "overlap", "content", "statistics", "recycling", "failure",
    "cache_windows"};

// Only the pairs listed below are instantiated: each property is a lot of
// RapidCheck template code, and this file is the build's longest compile.
template <class Allocator, Property P>
void run_property() {
  if constexpr (P == Property::kStateful) commands_agree_with_the_model<Allocator>();
  if constexpr (P == Property::kPlacement) placement_agrees_with_the_model<Allocator>();
  if constexpr (P == Property::kBounds) buffers_stay_in_bounds<Allocator>();
  if constexpr (P == Property::kAlignment) alignment_holds_under_several_alignments<Allocator>();
  if constexpr (P == Property::kOverlap) live_buffers_never_overlap<Allocator>();
  if constexpr (P == Property::kContent) content_survives_until_release<Allocator>();
  if constexpr (P == Property::kStatistics) statistics_agree_and_drain<Allocator>();
  if constexpr (P == Property::kRecycling) pools_recycle_only_when_dead_within_the_cache_bound<Allocator>();
  if constexpr (P == Property::kFailure) upstream_failure_is_atomic<Allocator>();
  if constexpr (P == Property::kCacheWindows) the_cache_follows_bursts_across_windows<Allocator>();
}

struct VariantCase {
  const char* variant;
  Property property;
  Check check;          // the check that must fire (model/checks/checks.def)
  std::size_t max_ops;  // the shrunk counterexample is at most this long
  std::function<void()> run;
  std::function<std::optional<Divergence>(std::span<const Op>, const PoolOptions&)> replay;
  std::string name() const { return std::string(variant) + "_by_" + kPropertyNames[static_cast<int>(property)]; }
};

inline void PrintTo(const VariantCase& c, std::ostream* os) { *os << c.name(); }

template <class Allocator, Property P>
VariantCase caught(const char* variant, Check check, std::size_t max_ops) {
  return {variant, P, check, max_ops, &run_property<Allocator, P>, &first_divergence<Allocator>};
}

class BrokenVariant : public ::testing::TestWithParam<VariantCase> {};

}  // namespace poolcheck::props
