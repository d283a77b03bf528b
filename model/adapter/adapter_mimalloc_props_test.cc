// POOLCHECK_PROPERTIES on mimalloc, in a binary of its own: linking mimalloc
// replaces malloc in the whole process (mimalloc_adapter.h).
#include "model/adapter/mimalloc_adapter.h"
#include "model/adapter/properties.h"

namespace poolcheck {
namespace {
using Mimalloc = adapters::Mimalloc;
POOLCHECK_PROPERTIES(Mimalloc)
}  // namespace
}  // namespace poolcheck
