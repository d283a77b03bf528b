// POOLCHECK_FUZZ_TARGET(Adapter): a libFuzzer (or AFL++'s libFuzzer-
// compatible driver) entry point for any adapter, one line in a .cc file
// built with -fsanitize=fuzzer (docs/ADAPTERS.md). The input's bytes are
// read as ops by the fuzzers' decoder, exactly as `poolcheck convert`
// prints them, and checked with check_adapter.h; a failure prints its
// report (the op, the check, expected against actual, the sequence as an op
// file) and aborts, so the engine keeps the input as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>

#include "model/adapter/check_adapter.h"

namespace poolcheck {

template <Adapter A>
int fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  const std::optional<std::string> report = check_adapter_bytes<A>(std::span<const std::uint8_t>(data, size));
  if (!report) return 0;
  std::fputs(report->c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace poolcheck

#define POOLCHECK_FUZZ_TARGET(Adapter)                                              \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    return ::poolcheck::fuzz_one_input<Adapter>(data, size);                        \
  }
