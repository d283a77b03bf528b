// fuzz_pool_invariants' check: the allocator alone, with the model-free
// InvariantChecker (model/checks/invariant_checker.h has the list of what it
// checks). It compares nothing with the reference model (the decode loop
// runs one only to aim the decoder, as in every tool), so a bug in the
// model's rules cannot hide a bug of the allocator's here; fuzz_pool_diff is
// the one that knows where each buffer belongs.
#pragma once

#include <cstdint>
#include <span>

#include "allocator/pool_allocator.h"
#include "fuzz/fuzz_target.h"
#include "model/checks/invariant_checker.h"

namespace poolcheck::fuzz {

template <class Allocator = PoolAllocator>
Report check_pool_invariants(std::span<const std::uint8_t> bytes) {
  return run_decoded<InvariantChecker<Allocator>>(bytes);
}

template <class Allocator = PoolAllocator>
Report check_pool_invariants_sequence(std::span<const Op> ops, const PoolOptions& settings) {
  return run_sequence<InvariantChecker<Allocator>>(ops, settings);
}

// The ops the target runs on `bytes` (fuzz/decode_agreement_test.cc).
inline std::vector<Op> ops_run_by_pool_invariants(std::span<const std::uint8_t> bytes) {
  std::vector<Op> ran;
  run_decoded<InvariantChecker<>>(bytes, &ran);
  return ran;
}

}  // namespace poolcheck::fuzz
