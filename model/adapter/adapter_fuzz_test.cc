// POOLCHECK_FUZZ_TARGET on one adapter, chosen at build time by
// POOLCHECK_FUZZ_ADAPTER (model/adapter/CMakeLists.txt builds one fuzz
// target per built-in adapter and per wrong allocator of
// model/testing/wrong_adapters.h: test code, hence the _test name). A user's
// target is the two lines at the end, with their own adapter.
#include "model/adapter/builtin_adapters.h"
#include "model/adapter/fuzz_target.h"
#include "model/testing/wrong_adapters.h"

namespace poolcheck {
using FuzzedAdapter = POOLCHECK_FUZZ_ADAPTER;
}  // namespace poolcheck

using poolcheck::FuzzedAdapter;
POOLCHECK_FUZZ_TARGET(FuzzedAdapter)
