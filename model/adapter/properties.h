// POOLCHECK_PROPERTIES(Adapter): RapidCheck properties for any adapter, one
// line in a GoogleTest file (docs/ADAPTERS.md). `Adapter` is an identifier
// (a `using` alias for a qualified name). Each property draws a byte string,
// reads it as ops through the fuzzers' decoder (model/reference/
// decode_ops.h: the edges it leans toward are the Node pool's, and every
// op of the language comes out of it), and checks them with
// check_adapter.h. A failure prints the shrunk sequence as an op file,
// ready for `poolcheck replay --allocator NAME` (a built-in adapter) or a
// test of the user's own.
//   PoolcheckProperties_<Adapter>.EveryCheckHolds   the sequence as drawn
//   PoolcheckProperties_<Adapter>.EveryUpstreamFailureIsHandled
//       each of its upstream requests failed in turn (fail_each); only for
//       an adapter with an upstream
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "model/adapter/adapter.h"
#include "model/adapter/check_adapter.h"
#include "model/reference/decode_ops.h"

namespace poolcheck {

template <Adapter A>
void property_every_check_holds(const std::vector<std::uint8_t>& bytes) {
  const DecodedOps decoded = decode_ops(bytes);
  const std::optional<std::string> report = check_adapter<A>(decoded.ops, decoded.settings);
  if (report) RC_FAIL(*report);
}

template <Adapter A>
void property_every_upstream_failure_is_handled(const std::vector<std::uint8_t>& bytes) {
  if constexpr (injects_failures<A>()) {
    const DecodedOps decoded = decode_ops(bytes);
    const FailEachResult result = fail_each<A>(decoded.ops, decoded.settings);
    if (result.report)
      RC_FAIL((result.failed_request ? "upstream request " + std::to_string(*result.failed_request) + " of " +
                                           std::to_string(result.requests) + " failed:\n"
                                     : std::string()) +
              *result.report);
  }
}

}  // namespace poolcheck

#define POOLCHECK_PROPERTIES(Adapter)                                                                    \
  RC_GTEST_PROP(PoolcheckProperties_##Adapter, EveryCheckHolds, (const std::vector<std::uint8_t>& bytes)) { \
    ::poolcheck::property_every_check_holds<Adapter>(bytes);                                             \
  }                                                                                                      \
  RC_GTEST_PROP(PoolcheckProperties_##Adapter, EveryUpstreamFailureIsHandled,                            \
                (const std::vector<std::uint8_t>& bytes)) {                                              \
    ::poolcheck::property_every_upstream_failure_is_handled<Adapter>(bytes);                             \
  }
