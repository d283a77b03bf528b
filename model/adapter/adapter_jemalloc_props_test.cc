// POOLCHECK_PROPERTIES on jemalloc, in a binary of its own: linking jemalloc
// replaces malloc in the whole process (jemalloc_adapter.h).
#include "model/adapter/jemalloc_adapter.h"
#include "model/adapter/properties.h"

namespace poolcheck {
namespace {
using Jemalloc = adapters::Jemalloc;
POOLCHECK_PROPERTIES(Jemalloc)
}  // namespace
}  // namespace poolcheck
