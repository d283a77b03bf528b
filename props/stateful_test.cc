// The stateful, model-based test: rc::state commands Alloc, From, Release,
// SetPoolSize (and Churn, a long run of the first and third) applied to the
// reference model and run on the allocator side by side.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "allocator/pool_allocator.h"
#include "props/properties.h"

namespace poolcheck::props {
namespace {

RC_GTEST_PROP(Stateful, CommandsAgreeWithTheModel, ()) { commands_agree_with_the_model<PoolAllocator>(); }

}  // namespace
}  // namespace poolcheck::props
