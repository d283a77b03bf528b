// fuzz_pool_diff: bytes -> ops (model/ops/op_codec.h) -> allocator and model side
// by side. A divergence aborts with the checker's report.
#include "fuzz/pool_diff_check.h"

namespace poolcheck::fuzz {

const FuzzTarget kFuzzTarget = {"fuzz_pool_diff", &check_pool_diff<>, &check_pool_diff_sequence<>};

}  // namespace poolcheck::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return poolcheck::fuzz::run_or_abort(poolcheck::fuzz::kFuzzTarget, data, size);
}
