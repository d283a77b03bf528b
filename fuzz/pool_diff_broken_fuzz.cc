// fuzz_pool_diff against a deliberately broken allocator
// (model/testing/), to show that the fuzzer finds what only its ops expose:
// the failure-path variants need a `fail_next` op before the request they
// break. Built only with -DPOOLCHECK_BUILD_BROKEN_FUZZERS=ON (fuzz preset);
// POOLCHECK_BROKEN_ALLOCATOR names the variant. The run and its numbers are
// in docs/FUZZING.md ("Failure injection").
#include "fuzz/pool_diff_check.h"
#include "model/testing/broken_failure.h"
#include "model/testing/broken_wrappers.h"
#include "model/testing/broken_rules.h"
#include "model/testing/broken_alignment.h"
#include "model/testing/broken_refusal.h"

#ifndef POOLCHECK_BROKEN_ALLOCATOR
#error "POOLCHECK_BROKEN_ALLOCATOR must name a class in poolcheck::broken"
#endif

namespace poolcheck::fuzz {

const FuzzTarget kFuzzTarget = {"fuzz_pool_diff (broken: " POOLCHECK_BROKEN_NAME ")",
                                &check_pool_diff<broken::POOLCHECK_BROKEN_ALLOCATOR>,
                                &check_pool_diff_sequence<broken::POOLCHECK_BROKEN_ALLOCATOR>};

}  // namespace poolcheck::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return poolcheck::fuzz::run_or_abort(poolcheck::fuzz::kFuzzTarget, data, size);
}
