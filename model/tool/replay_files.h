// The replay loop of `poolcheck replay`, once for every allocator: expand
// the inputs (directories to their files), load each file, let the caller
// check it, and print what every file came to and a summary line. Both the
// Node pool's replay (poolcheck_main.cc) and `--allocator`/`--fail-each`
// (adapter_command.cc) run through it, so the two cannot count, print or
// exit differently.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/pool_types.h"
#include "model/reference/sequence_file.h"

namespace poolcheck {

// What the check made of one file. kDiverged: it printed "FAIL path" and its
// report; kBad: it printed "ERROR ..." (why the file is malformed, or what
// could not be written); kOk: `detail` ("12 ops" unless the check says
// more) goes on the "ok" line, which replay_files prints unless quiet.
enum class FileVerdict { kOk, kDiverged, kBad };
using FileCheck = std::function<FileVerdict(const std::filesystem::path&, const SequenceFile&, std::string& detail)>;

// Exit code: 0 every file ok, 1 a divergence, 2 a file unreadable or
// malformed (every other file is still checked and reported). The summary
// line is "LABEL: N files, K ok, F failed, B unreadable or malformed".
int replay_files(const std::vector<std::string>& inputs, const PoolOptions& settings, bool quiet,
                 std::string_view label, const FileCheck& check);

}  // namespace poolcheck
