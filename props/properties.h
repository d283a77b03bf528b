// The properties, as templates over the allocator so that the same property
// that passes for PoolAllocator can be shown to fail for a broken variant.
//
// Every property runs its ops through the DifferentialChecker, the strongest
// oracle there is (each op checked for placement, bounds, alignment,
// overlap, content, statistics, lifetime and leaks). What makes each one
// about its invariant is the generator profile that aims at it, and, where
// one exists, a law the checker does not state. Docs: docs/PROPERTIES.md.
#pragma once

#include <algorithm>
#include <array>
#include <iterator>
#include <cstdint>
#include <memory_resource>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <sys/mman.h>

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
      return LawBreach{Check::kStats, "no buffer, byte or pool but the current one in use once all are released",
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
// caller (the checker verifies that the op the model names throws, that the
// upstream really injected it, and that the allocator is exactly as it was:
// statistics, room, blocks held; BadAllocCounting counts it once more from
// the caller's side), then runs the op again as if nothing had happened, and
// holds no block it should not (the checker's leak check after every op and
// after teardown; LeakSanitizer in the sanitizer build). The failure is a
// `fail_next k` op in front of the sequence, so a counterexample replays
// with `poolcheck replay` as it is; k is drawn among the requests the
// sequence makes without failures.
template <class Allocator>
void upstream_failure_is_atomic() {
  const Scenario scenario = *gen::scenario(profiles::kGeneral);
  // Exactly one failure: the scenario's own fail_next ops are left out.
  std::vector<Op> plain_ops;
  std::copy_if(scenario.ops.begin(), scenario.ops.end(), std::back_inserter(plain_ops),
               [](const Op& op) { return op.kind != OpKind::kFailNext; });
  const CheckSummary plain = check_or_fail<Allocator>(plain_ops, scenario.settings);
  if (plain.upstream_requests == 0) return;  // nothing that could fail
  const std::uint64_t k = *rc::gen::inRange<std::uint64_t>(1, plain.upstream_requests + 1);
  std::vector<Op> ops{Op::fail_next(k)};
  ops.insert(ops.end(), plain_ops.begin(), plain_ops.end());
  using Counting = BadAllocCounting<Allocator>;
  std::uint64_t thrown = 0;
  const Law<Counting> count = [&](DifferentialChecker<Counting>& checker, std::size_t) -> std::optional<LawBreach> {
    thrown = checker.allocator().bad_allocs();
    return std::nullopt;
  };
  check_or_fail<Counting>(ops, scenario.settings, {.law = count});
  RC_ASSERT(thrown == 1u);
}

// The cache follows bursts across many windows of pool starts (docs/SPEC.md:
// windows of 512; a window gives back the pools the cache never went below).
// Each round holds a burst of pools live and releases them into the cache,
// then starts up to ~1,100 pools quietly, releasing each buffer at once (the
// pool is reused in place) or only after the next one (each start takes a
// pool from the cache and gives one back), so that windows close with the
// cache full, draining and empty, under several cache limits. `alloc 1
// align 64` in pools of 64 bytes starts a pool every time. The checker
// compares cached_pools, pools_reused and the blocks held upstream with the
// model after every op. What is drawn is the numbers, not the ops, so that a
// counterexample shrinks fast (it is still long: a window is 512 starts).
template <class Allocator>
void the_cache_follows_bursts_across_windows() {
  PoolOptions settings;
  settings.pool_size = 64;
  settings.cache_limit = *rc::gen::element<std::size_t>(512, 64, 5, 1, 0);
  std::vector<Op> ops;
  std::uint64_t next_buffer = 0;
  const auto start_a_pool = [&] {
    ops.push_back(Op::alloc(1, 64));
    return next_buffer++;
  };
  const int rounds = *rc::gen::inRange(1, 4);
  for (int round = 0; round < rounds; ++round) {
    const auto burst = *rc::gen::inRange<std::uint32_t>(0, 300);
    const auto quiet = *rc::gen::inRange<std::uint32_t>(0, 1100);
    const bool hold_one = *rc::gen::arbitrary<bool>();
    const std::uint64_t first = next_buffer;
    for (std::uint32_t i = 0; i < burst; ++i) start_a_pool();
    for (std::uint64_t id = first; id < next_buffer; ++id) ops.push_back(Op::release(id));
    std::optional<std::uint64_t> held;
    for (std::uint32_t i = 0; i < quiet; ++i) {
      const std::uint64_t id = start_a_pool();
      if (held) ops.push_back(Op::release(*held));
      held = id;
      if (!hold_one) ops.push_back(Op::release(*std::exchange(held, std::nullopt)));
    }
    if (held) ops.push_back(Op::release(*held));
  }
  check_or_fail<Allocator>(ops, settings);
}

// Out-of-range alignments and sizes are refused with std::invalid_argument
// or std::length_error and change nothing; everything in range is accepted.
// The ranges are written here as numbers (docs/SPEC.md): the allocator and
// the model share allocator/pool_types.h, so a wrong limit there would move
// both, and ops cannot carry an invalid alignment. Settings: alignment a
// power of two up to 4096. Requests: alignment a power of two up to 2^30,
// size up to 2^30 (2^30 itself is address space only, never touched).
inline bool is_valid_setting_alignment(std::uint64_t a) { return a != 0 && (a & (a - 1)) == 0 && a <= 4096; }
inline bool is_valid_request_alignment(std::uint64_t a) { return a != 0 && (a & (a - 1)) == 0 && a <= (1u << 30); }

inline rc::Gen<std::uint64_t> alignment_or_not() {
  return rc::gen::oneOf(rc::gen::map(rc::gen::inRange(0, 34), [](int k) { return std::uint64_t{1} << k; }),
                        rc::gen::inRange<std::uint64_t>(0, 5000), rc::gen::arbitrary<std::uint64_t>());
}

// Blocks of 1 MiB and more straight from mmap, so that the largest request
// (2^30) costs a system call and no page, under ASan too (its allocator
// would write the shadow of the whole block when it is freed).
class AddressSpaceResource : public std::pmr::memory_resource {
  static constexpr std::size_t kMapped = std::size_t{1} << 20;
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    if (bytes < kMapped || alignment > 4096) return std::pmr::new_delete_resource()->allocate(bytes, alignment);
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return p;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    if (bytes < kMapped || alignment > 4096) return std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
    munmap(p, bytes);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
};

template <class Allocator>
void out_of_range_is_refused_and_changes_nothing() {
  AddressSpaceResource address_space;
  PoolOptions settings;
  settings.upstream = &address_space;
  settings.alignment = *alignment_or_not();
  if (!is_valid_setting_alignment(settings.alignment)) {
    RC_ASSERT_THROWS_AS(Allocator{settings}, std::invalid_argument);
    return;
  }
  Allocator allocator(settings);
  std::vector<typename Allocator::Buffer> live;
  live.push_back(allocator.allocate(*rc::gen::inRange<std::size_t>(1, 100)));
  const PoolStats before = allocator.stats();
  const auto room = allocator.room();
  for (int i = 0; i < 8; ++i) {
    const std::uint64_t a = *alignment_or_not();
    const std::size_t n = *rc::gen::inRange<std::size_t>(1, 100);
    const bool slow = *rc::gen::arbitrary<bool>();
    if (is_valid_request_alignment(a)) {
      // A block of 2^30 alignment is address space too; n == 0 asks for none.
      RC_ASSERT((slow ? allocator.allocate_slow(0, a) : allocator.allocate(0, a)).size() == 0u);
      continue;
    }
    if (slow) RC_ASSERT_THROWS_AS(allocator.allocate_slow(n, a), std::invalid_argument);
    else RC_ASSERT_THROWS_AS(allocator.allocate(n, a), std::invalid_argument);
    RC_ASSERT(allocator.stats() == before);
    RC_ASSERT(allocator.room() == room);
  }
  const std::size_t pool_size = *rc::gen::element<std::size_t>(std::size_t{1} << 30, (std::size_t{1} << 30) + 1,
                                                                 std::size_t{3} << 29);
  if (pool_size > (std::size_t{1} << 30)) RC_ASSERT_THROWS_AS(allocator.set_pool_size(pool_size), std::invalid_argument);
  else allocator.set_pool_size(pool_size);
  RC_ASSERT(allocator.stats() == before);
  const std::size_t huge = *rc::gen::element<std::size_t>(std::size_t{1} << 30, (std::size_t{1} << 30) + 1);
  if (huge > (std::size_t{1} << 30)) {
    RC_ASSERT_THROWS_AS(allocator.allocate(huge), std::length_error);
    RC_ASSERT(allocator.stats() == before);
  } else {
    try {
      RC_ASSERT(allocator.allocate(huge).size() == huge);  // unpooled, released at once
    } catch (const std::bad_alloc&) {
      RC_DISCARD("no 1 GiB of address space here");
    }
  }
}

}  // namespace poolcheck::props
