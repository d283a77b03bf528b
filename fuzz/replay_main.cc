// A fuzz target without a fuzzing engine: replays files and directories
// through the target's check function, with any compiler. Text `.ops` files
// go through the target's sequence check when it has one (scenarios and
// regressions), every other file is a fuzzer input as libFuzzer would pass it.
// Exit codes as poolcheck's: 0 all passed, 1 a check failed, 2 bad usage or
// an unreadable or malformed file.
#include <cstdint>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "model/reference/sequence_file.h"

namespace poolcheck::fuzz {
namespace {

enum class Outcome { kPassed, kFailed, kBad };

Outcome replay_one(const std::filesystem::path& path, bool quiet) {
  Report report;
  if (is_text_sequence(path) && kFuzzTarget.check_sequence != nullptr) {
    LoadResult loaded = load_sequence(path);
    if (loaded.error) {
      std::cout << "ERROR " << loaded.error->to_string() << "\n";
      return Outcome::kBad;
    }
    report = kFuzzTarget.check_sequence(loaded.file->ops, loaded.file->settings);
  } else {
    std::string error;
    std::optional<std::string> bytes = read_file(path, error);
    if (!bytes) {
      std::cout << "ERROR " << path.string() << ": " << error << "\n";
      return Outcome::kBad;
    }
    report = kFuzzTarget.check_bytes({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()});
  }
  if (report) {
    std::cout << "FAIL " << path.string() << "\n" << *report;
    return Outcome::kFailed;
  }
  if (!quiet) std::cout << "ok   " << path.string() << "\n";
  return Outcome::kPassed;
}

int replay(int argc, char** argv) {
  bool quiet = false;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quiet") {
      quiet = true;
    } else if (arg.starts_with("-")) {
      // libFuzzer flags (-runs=, -max_len=, ...) mean the wrong binary.
      std::cerr << kFuzzTarget.name << "_replay: unknown option " << arg << "\n"
                << "usage: " << kFuzzTarget.name << "_replay [--quiet] FILE|DIR...\n";
      return 2;
    } else {
      inputs.emplace_back(arg);
    }
  }
  if (inputs.empty()) {
    std::cerr << "usage: " << kFuzzTarget.name << "_replay [--quiet] FILE|DIR...\n";
    return 2;
  }
  const ExpandedInputs expanded = expand_inputs(inputs);
  std::size_t passed = 0, failed = 0, bad = expanded.errors.size();
  for (const LoadError& error : expanded.errors) std::cout << "ERROR " << error.to_string() << "\n";
  for (const auto& path : expanded.files) {
    switch (replay_one(path, quiet)) {
      case Outcome::kPassed: ++passed; break;
      case Outcome::kFailed: ++failed; break;
      case Outcome::kBad: ++bad; break;
    }
  }
  std::cout << kFuzzTarget.name << " replay: " << passed + failed + bad << " files, " << passed << " ok, " << failed
            << " failed, " << bad << " unreadable or malformed\n";
  std::cout.flush();
  if (bad > 0) return 2;
  return failed > 0 ? 1 : 0;
}

}  // namespace
}  // namespace poolcheck::fuzz

int main(int argc, char** argv) { return poolcheck::fuzz::replay(argc, argv); }
