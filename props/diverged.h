// What to do with a checker whose allocator has diverged: keep it.
//
// A diverged allocator is in a state no rule describes, and tearing it down
// can be unsafe. RecycleTooEarly, for one, gives a pool back upstream while
// a buffer still points into it (cache_limit 0, or an eviction); releasing
// that buffer at teardown touches freed memory and frees the pool again,
// and TrackingResource aborts the process, so the report of the divergence
// would be lost. The divergence is already recorded, so the checker is kept
// instead, never destroyed, and reachable from a global so that
// LeakSanitizer does not report it. Only failing cases pay for this.
#pragma once

#include <memory>
#include <vector>

namespace poolcheck::props {

template <class Checker>
void keep_diverged(std::unique_ptr<Checker> checker) {
  // Leaked on purpose: destroying it at exit would run the teardown after all.
  static auto* const kept = new std::vector<void*>();
  kept->push_back(checker.release());
}

}  // namespace poolcheck::props
