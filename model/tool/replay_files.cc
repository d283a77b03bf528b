#include "model/tool/replay_files.h"

#include <cstddef>
#include <iostream>

namespace poolcheck {

int replay_files(const std::vector<std::string>& inputs, const PoolOptions& settings, bool quiet,
                 std::string_view label, const FileCheck& check) {
  const ExpandedInputs expanded = expand_inputs(inputs);
  std::size_t ok = 0, failed = 0, bad = expanded.errors.size();
  for (const LoadError& error : expanded.errors) std::cout << "ERROR " << error.to_string() << "\n";
  for (const auto& path : expanded.files) {
    LoadResult loaded = load_sequence(path, settings);
    if (loaded.error) {
      std::cout << "ERROR " << loaded.error->to_string() << "\n";
      ++bad;
      continue;
    }
    std::string detail = std::to_string(loaded.file->ops.size()) + " ops";
    switch (check(path, *loaded.file, detail)) {
      case FileVerdict::kOk:
        ++ok;
        if (!quiet) std::cout << "ok   " << path.string() << " (" << detail << ")\n";
        break;
      case FileVerdict::kDiverged: ++failed; break;
      case FileVerdict::kBad: ++bad; break;
    }
  }
  std::cout << label << ": " << ok + failed + bad << " files, " << ok << " ok, " << failed << " failed, " << bad
            << " unreadable or malformed\n";
  std::cout.flush();
  if (bad > 0) return 2;
  return failed > 0 ? 1 : 0;
}

}  // namespace poolcheck
