// fuzz_pool_invariants: bytes -> ops sized by the allocator's own room ->
// the allocator alone, with the model-free checks of
// model/checks/invariant_checker.h.
#include "fuzz/pool_invariants_check.h"

namespace poolcheck::fuzz {

const FuzzTarget kFuzzTarget = {"fuzz_pool_invariants", &check_pool_invariants<>,
                                &check_pool_invariants_sequence<>};

}  // namespace poolcheck::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return poolcheck::fuzz::run_or_abort(poolcheck::fuzz::kFuzzTarget, data, size);
}
