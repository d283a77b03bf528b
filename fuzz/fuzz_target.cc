#include "fuzz/fuzz_target.h"

#include <cstdio>
#include <cstdlib>

namespace poolcheck::fuzz {

int run_or_abort(const FuzzTarget& target, const std::uint8_t* data, std::size_t size) {
  if (Report report = target.check_bytes({data, size})) {
    std::fprintf(stderr, "==== %s: check failed\n%s", target.name, report->c_str());
    std::fflush(stderr);
    std::abort();
  }
  return 0;
}

}  // namespace poolcheck::fuzz
