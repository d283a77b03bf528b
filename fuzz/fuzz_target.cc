#include "fuzz/fuzz_target.h"

#include <cstdio>
#include <cstdlib>

namespace poolcheck::fuzz {

namespace {
// Bump allocation from a block kept for the process; a run needing more
// takes further blocks from the heap, and release() returns them.
std::pmr::monotonic_buffer_resource& run_memory() {
  static constexpr std::size_t kKept = std::size_t{1} << 20;  // a 256-byte input needs a few KiB
  static std::pmr::monotonic_buffer_resource arena(new std::byte[kKept], kKept, std::pmr::new_delete_resource());
  return arena;
}
}  // namespace

RunArena::RunArena() : previous_(std::pmr::set_default_resource(&run_memory())) {}

RunArena::~RunArena() {
  std::pmr::set_default_resource(previous_);
  run_memory().release();
}

int run_or_abort(const FuzzTarget& target, const std::uint8_t* data, std::size_t size) {
  if (Report report = target.check_bytes({data, size})) {
    std::fprintf(stderr, "==== %s: check failed\n%s", target.name, report->c_str());
    std::fflush(stderr);
    std::abort();
  }
  return 0;
}

}  // namespace poolcheck::fuzz
