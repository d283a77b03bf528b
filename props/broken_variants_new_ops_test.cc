// The broken variants of per-request alignment, allocUnsafeSlow, the pool
// base and the failure paths (model/testing/broken_alignment.h,
// broken_failure.h): each caught by the property aimed at it and by the
// stateful test, shrunk to at most the stated number of ops, its
// counterexample a regression `poolcheck replay` passes on the correct
// allocator (the test body is in broken_variants_test.cc). A file of its own
// so that its RapidCheck code compiles beside, not after, the other cases.
#include <gtest/gtest.h>

#include <vector>

#include "model/testing/broken_alignment.h"
#include "model/testing/broken_failure.h"
#include "model/testing/broken_wrappers.h"
#include "props/broken_variant.h"

namespace poolcheck::props {
namespace {

std::vector<VariantCase> new_op_cases() {
  using namespace broken;
  using P = Property;
  using C = Check;
  return {
      caught<PadAfterRoomCheckAllocator, P::kBounds>("PadAfterRoomCheck", C::kPlacement, 5),
      caught<PadAfterRoomCheckAllocator, P::kStateful>("PadAfterRoomCheck", C::kPlacement, 3),
      caught<SixteenBytePoolBaseAllocator, P::kAlignment>("SixteenBytePoolBase", C::kSettings, 1),
      caught<SixteenBytePoolBaseAllocator, P::kStateful>("SixteenBytePoolBase", C::kSettings, 1),
      caught<SixteenBytePoolBaseHiddenAllocator, P::kAlignment>("SixteenBytePoolBaseHidden", C::kAlignment, 1),
      caught<SixteenBytePoolBaseHiddenAllocator, P::kStateful>("SixteenBytePoolBaseHidden", C::kAlignment, 1),
      caught<AlignedAbove64PooledAllocator, P::kPlacement>("AlignedAbove64Pooled", C::kPlacement, 1),
      caught<AlignedAbove64PooledAllocator, P::kStateful>("AlignedAbove64Pooled", C::kPlacement, 1),
      caught<SlowPooledAllocator, P::kPlacement>("SlowPooled", C::kPlacement, 1),
      caught<SlowPooledAllocator, P::kStateful>("SlowPooled", C::kPlacement, 1),
      caught<SpuriousBadAllocAllocator, P::kFailure>("SpuriousBadAlloc", C::kFailure, 1),
      caught<SpuriousBadAllocAllocator, P::kStateful>("SpuriousBadAlloc", C::kFailure, 1),
      caught<PoolSizeLostOnFailureAllocator, P::kFailure>("PoolSizeLostOnFailure", C::kFailureAtomicity, 2),
      caught<PoolSizeLostOnFailureAllocator, P::kStateful>("PoolSizeLostOnFailure", C::kFailureAtomicity, 2),
      caught<LeakOnUpstreamFailureAllocator, P::kStateful>("LeakOnUpstreamFailure", C::kFailureAtomicity, 2),
  };
}

INSTANTIATE_TEST_SUITE_P(NewOps, BrokenVariant, ::testing::ValuesIn(new_op_cases()),
                         [](const ::testing::TestParamInfo<VariantCase>& info) { return info.param.name(); });

}  // namespace
}  // namespace poolcheck::props
