// The properties, as templates over the allocator so that the same property
// that passes for PoolAllocator can be shown to fail for a broken variant.
//
// Every property runs its ops through the DifferentialChecker, the strongest
// oracle there is (each op checked for placement, bounds, alignment,
// overlap, content, statistics, lifetime and leaks). What makes each one
// about its invariant is the generator profile that aims at it, and, where
// one exists, a law the checker does not state. Docs: docs/PROPERTIES.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include "model/checks/checker.h"
#include "model/checks/stats_laws.h"
#include "props/bad_alloc_counting.h"
#include "props/checked_run.h"
#include "props/generators.h"
#include "props/intents.h"
#include "props/pool_commands.h"

namespace poolcheck::props {

// Stateful, model-based: rc::state commands against the reference model,
// the allocator behind a DifferentialChecker.
template <class Allocator>
void commands_agree_with_the_model() {
  const PoolOptions settings = *gen::settings(profiles::kGeneral);
  CheckedSystem<Allocator> system(settings);
  rc::state::check(GenState(settings), static_cast<OpSystem&>(system),
                   [](const GenState&) { return pool_command(); });
  system.finish();
}

// Every buffer is where the model puts it: pooled or not, pool, offset,
// length, and the room left.
template <class Allocator>
void placement_agrees_with_the_model() {
  const Scenario scenario = *gen::scenario(profiles::kGeneral);
  check_or_fail<Allocator>(scenario.ops, scenario.settings);
}

// Buffers lie inside their pool and pools inside memory from upstream, at
// the room edges and under tiny and misaligned pool sizes.
template <class Allocator>
void buffers_stay_in_bounds() {
  const Scenario scenario = *gen::scenario(profiles::kBounds);
  check_or_fail<Allocator>(scenario.ops, scenario.settings);
}

// Offsets and addresses are aligned: the same intents realized under
// alignments 1, 8, 64 and 4096 and the one drawn.
template <class Allocator>
void alignment_holds_under_several_alignments() {
  const Scenario scenario = *gen::scenario(profiles::kAlignment);
  const std::array<std::size_t, 5> alignments = {scenario.settings.alignment, 1, 8, 64, 4096};
  for (const std::size_t alignment : alignments) {
    PoolOptions settings = scenario.settings;
    settings.alignment = alignment;
    check_or_fail<Allocator>(realize(scenario.intents, settings), settings);
  }
}

// No two live buffers share a byte, with many buffers live across many
// pools.
template <class Allocator>
void live_buffers_never_overlap() {
  const Scenario scenario = *gen::scenario(profiles::kCrowded);
  check_or_fail<Allocator>(scenario.ops, scenario.settings);
}

// Each buffer keeps the bytes written into it until it is released, while
// memory around it is carved, released and recycled.
template <class Allocator>
void content_survives_until_release() {
  const Scenario scenario = *gen::scenario(profiles::kRecycling);
  check_or_fail<Allocator>(scenario.ops, scenario.settings);
}

// The statistics equal the model's after every op; besides, counters never
// go down, and once every buffer is released the gauges are back to zero
// (but for the current pool).
template <class Allocator>
void statistics_agree_and_drain() {
  const Scenario scenario = *gen::scenario(profiles::kGeneral);
  std::vector<Op> ops = scenario.ops;
  GenState state(scenario.settings);
  for (const Op& op : ops) state.apply(op);
  for (const std::uint64_t buffer : state.live()) ops.push_back(Op::release(buffer));

  std::optional<PoolStats> last;
  const Law<Allocator> law = [&](DifferentialChecker<Allocator>& checker, std::size_t op_index) -> std::optional<LawBreach> {
    const PoolStats now = checker.allocator().stats();
    const std::optional<PoolStats> before = std::exchange(last, now);
    if (before)
      if (std::optional<LawBreach> breach = counters_never_go_down(*before, now)) return breach;
    if (op_index + 1 == ops.size() && (now.live_buffers != 0 || now.bytes_in_use != 0 || now.unpooled_bytes != 0 ||
                                       now.live_pools > 1))
      return LawBreach{"drain", "no buffer, byte or pool but the current one in use once all are released",
                       describe(now)};
    return std::nullopt;
  };
  check_or_fail<Allocator>(ops, scenario.settings, {.law = law});
}

// Pool memory is reused only once its pool is dead (the checker's lifetime
// check: a new pool's memory is fresh from upstream or exactly the dead
// block the model names, and overlaps no live pool), and the cache never
// holds more than cache_limit dead pools.
template <class Allocator>
void pools_recycle_only_when_dead_within_the_cache_bound() {
  const Scenario scenario = *gen::scenario(profiles::kRecycling);
  const std::size_t limit = scenario.settings.cache_limit;
  const Law<Allocator> law = [limit](DifferentialChecker<Allocator>& checker, std::size_t) {
    return cache_within_limit(checker.allocator().stats(), limit);
  };
  check_or_fail<Allocator>(scenario.ops, scenario.settings, {.law = law});
}

// When upstream fails request k, the allocator throws std::bad_alloc to its
// caller (counted by BadAllocCounting), stays exactly as it was (statistics,
// room: the checker verifies, then retries the op), keeps agreeing with the
// model afterwards, and holds no block it should not (the checker's leak
// check after every op and after teardown; LeakSanitizer in the sanitizer
// build). k is drawn among the requests the sequence makes without failures.
template <class Allocator>
void upstream_failure_is_atomic() {
  const Scenario scenario = *gen::scenario(profiles::kGeneral);
  const CheckSummary plain = check_or_fail<Allocator>(scenario.ops, scenario.settings);
  if (plain.upstream_requests == 0) return;  // nothing that could fail
  const std::uint64_t k = *rc::gen::inRange<std::uint64_t>(1, plain.upstream_requests + 1);
  using Counting = BadAllocCounting<Allocator>;
  std::uint64_t thrown = 0;
  const Law<Counting> count = [&](DifferentialChecker<Counting>& checker, std::size_t) -> std::optional<LawBreach> {
    thrown = checker.allocator().bad_allocs();
    return std::nullopt;
  };
  check_or_fail<Counting>(scenario.ops, scenario.settings, {.fail_request = k, .law = count});
  RC_ASSERT(thrown == 1u);
}

}  // namespace poolcheck::props
