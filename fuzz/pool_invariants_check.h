// fuzz_pool_invariants' check: the allocator alone, with the model-free
// InvariantChecker (model/checks/invariant_checker.h has the list of what it
// checks). No reference model, so it runs faster and for long campaigns;
// fuzz_pool_diff is the one that knows where each buffer belongs.
#pragma once

#include <cstdint>
#include <span>

#include "allocator/pool_allocator.h"
#include "fuzz/fuzz_target.h"
#include "model/checks/invariant_checker.h"

namespace poolcheck::fuzz {

template <class Allocator = PoolAllocator>
Report check_pool_invariants(std::span<const std::uint8_t> bytes) {
  return run_decoded<InvariantChecker<Allocator>>(bytes, [](const auto& c) { return c.room(); });
}

template <class Allocator = PoolAllocator>
Report check_pool_invariants_sequence(std::span<const Op> ops, const PoolOptions& settings) {
  return run_sequence<InvariantChecker<Allocator>>(ops, settings);
}

}  // namespace poolcheck::fuzz
