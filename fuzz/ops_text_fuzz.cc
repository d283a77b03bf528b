// fuzz_ops_text: arbitrary bytes into the text parser; see ops_text_check.h.
#include "fuzz/ops_text_check.h"

namespace poolcheck::fuzz {
namespace {

Report check_bytes(std::span<const std::uint8_t> bytes) {
  return check_ops_text({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

}  // namespace

// No check_sequence: .ops files are this target's input as they are.
const FuzzTarget kFuzzTarget = {"fuzz_ops_text", &check_bytes, nullptr};

}  // namespace poolcheck::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return poolcheck::fuzz::run_or_abort(poolcheck::fuzz::kFuzzTarget, data, size);
}
