// fuzz_pool_diff's check: the allocator against the reference model, every
// invariant of DifferentialChecker after every op. The decoder takes the room
// from the model, so a fuzz input means the same ops whatever the allocator
// does, and `poolcheck convert` turns it into the text the fuzzer ran.
#pragma once

#include <cstdint>
#include <span>

#include "allocator/pool_allocator.h"
#include "fuzz/fuzz_target.h"
#include "model/checks/checker.h"

namespace poolcheck::fuzz {

template <class Allocator = PoolAllocator>
Report check_pool_diff(std::span<const std::uint8_t> bytes) {
  return run_decoded<DifferentialChecker<Allocator>>(bytes);
}

template <class Allocator = PoolAllocator>
Report check_pool_diff_sequence(std::span<const Op> ops, const PoolOptions& settings) {
  return run_sequence<DifferentialChecker<Allocator>>(ops, settings);
}

// The ops the target runs on `bytes` (fuzz/decode_agreement_test.cc).
inline std::vector<Op> ops_run_by_pool_diff(std::span<const std::uint8_t> bytes) {
  std::vector<Op> ran;
  run_decoded<DifferentialChecker<>>(bytes, &ran);
  return ran;
}

}  // namespace poolcheck::fuzz
