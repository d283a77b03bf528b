// The stateless properties, one per invariant, on the real allocator.
// RC_PARAMS (seed, max_success) comes from props_main.cc.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "allocator/pool_allocator.h"
#include "props/properties.h"

namespace poolcheck::props {
namespace {

RC_GTEST_PROP(Invariants, PlacementAgreesWithTheModel, ()) { placement_agrees_with_the_model<PoolAllocator>(); }

RC_GTEST_PROP(Invariants, BuffersStayInBounds, ()) { buffers_stay_in_bounds<PoolAllocator>(); }

RC_GTEST_PROP(Invariants, AlignmentHoldsUnderSeveralAlignments, ()) {
  alignment_holds_under_several_alignments<PoolAllocator>();
}

RC_GTEST_PROP(Invariants, LiveBuffersNeverOverlap, ()) { live_buffers_never_overlap<PoolAllocator>(); }

RC_GTEST_PROP(Invariants, ContentSurvivesUntilRelease, ()) { content_survives_until_release<PoolAllocator>(); }

RC_GTEST_PROP(Invariants, StatisticsAgreeAndDrain, ()) { statistics_agree_and_drain<PoolAllocator>(); }

RC_GTEST_PROP(Invariants, PoolsRecycleOnlyWhenDeadWithinTheCacheBound, ()) {
  pools_recycle_only_when_dead_within_the_cache_bound<PoolAllocator>();
}

RC_GTEST_PROP(Invariants, UpstreamFailureIsAtomic, ()) { upstream_failure_is_atomic<PoolAllocator>(); }

RC_GTEST_PROP(Invariants, TheCacheFollowsBurstsAcrossWindows, ()) {
  the_cache_follows_bursts_across_windows<PoolAllocator>();
}

RC_GTEST_PROP(Invariants, OutOfRangeIsRefusedAndChangesNothing, ()) {
  out_of_range_is_refused_and_changes_nothing<PoolAllocator>();
}

}  // namespace
}  // namespace poolcheck::props
