#include "fuzz/fuzz_target.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace poolcheck::fuzz {

namespace {
// An abort that does not come from a check, in a build without ASan: glibc
// found the heap corrupted (a double free, a chunk the allocator overran)
// and aborts inside free() or malloc(), often holding the malloc lock.
// libFuzzer's own handler then allocates and waits for that lock for ever,
// and the input is lost. So in the libFuzzer builds without a sanitizer
// (POOLCHECK_FUZZ_SAVE_ABORTS, fuzz/CMakeLists.txt: the fast fleet's; ASan
// checks every free itself, and OSS-Fuzz's and AFL++'s builds keep their
// engines' crash handling), once libFuzzer has called LLVMFuzzerInitialize,
// this handler writes the input next to libFuzzer's crashes
// (-artifact_prefix) with calls that take no lock, then dies of the signal
// as before. A failed check gives libFuzzer its handler back first
// (run_or_abort): its crash report is unchanged.
#ifdef POOLCHECK_FUZZ_SAVE_ABORTS
bool under_libfuzzer = false;
std::string abort_path;  // <artifact_prefix>crash-abort-<pid>, set before any input runs
// A copy of the running input outside the heap: libFuzzer's own copy is a
// heap block, which a corrupted heap may have written over by the abort.
constexpr std::size_t kMaxSaved = std::size_t{1} << 20;
std::uint8_t running_input[kMaxSaved];
std::size_t running_size = 0;  // kMaxSaved + 1: too large to keep
bool handler_installed = false;
struct sigaction libfuzzer_abort {};

void write_all(int fd, const void* bytes, std::size_t size) {
  const auto* p = static_cast<const char*>(bytes);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n <= 0) return;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

extern "C" void save_input_and_die(int signal) {
  static constexpr char kSaid[] = "==poolcheck: abort outside the checks (glibc found the heap corrupted?); input ";
  write_all(2, kSaid, sizeof kSaid - 1);
  const int fd = running_size > kMaxSaved ? -1 : ::open(abort_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    write_all(fd, running_input, running_size);
    ::close(fd);
    static constexpr char kSaved[] = "saved to ";
    write_all(2, kSaved, sizeof kSaved - 1);
    write_all(2, abort_path.c_str(), abort_path.size());
  } else {
    static constexpr char kNotSaved[] = "not saved (over 1 MiB, or the file could not be made)";
    write_all(2, kNotSaved, sizeof kNotSaved - 1);
  }
  write_all(2, "\n", 1);
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

void install_abort_handler() {
  handler_installed = true;
  if (!under_libfuzzer) return;
  struct sigaction action {};
  action.sa_handler = save_input_and_die;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGABRT, &action, &libfuzzer_abort);
}
#endif

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
#ifdef POOLCHECK_FUZZ_SAVE_ABORTS
  // Installed at the first input: libFuzzer sets its handlers after
  // LLVMFuzzerInitialize, and would replace this one.
  if (!handler_installed) install_abort_handler();
  running_size = size <= kMaxSaved ? size : kMaxSaved + 1;
  if (size <= kMaxSaved && size > 0) std::memcpy(running_input, data, size);
#endif
  if (Report report = target.check_bytes({data, size})) {
    std::fprintf(stderr, "==== %s: check failed\n%s", target.name, report->c_str());
    std::fflush(stderr);
#ifdef POOLCHECK_FUZZ_SAVE_ABORTS
    if (under_libfuzzer) ::sigaction(SIGABRT, &libfuzzer_abort, nullptr);
#endif
    std::abort();
  }
  return 0;
}

}  // namespace poolcheck::fuzz

// libFuzzer (and AFL++'s libFuzzer driver) call this once, before any input;
// the replay driver does not.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
#ifdef POOLCHECK_FUZZ_SAVE_ABORTS
  using namespace poolcheck::fuzz;
  under_libfuzzer = true;
  std::string prefix;
  for (int i = 1; i < *argc; ++i) {
    const std::string_view arg = (*argv)[i];
    if (arg.starts_with("-artifact_prefix=")) prefix = arg.substr(std::strlen("-artifact_prefix="));
  }
  abort_path = prefix + "crash-abort-" + std::to_string(::getpid());
#else
  (void)argc;
  (void)argv;
#endif
  return 0;
}
