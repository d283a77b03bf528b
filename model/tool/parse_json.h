// `poolcheck parse`: the op language as JSON, for tools that are not C++ (the
// Node runner, model/node/) so that there is one parser, this one. The format
// is in docs/FORMATS.md ("poolcheck parse").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "allocator/pool_types.h"
#include "model/ops/ops.h"

namespace poolcheck {

// One op as a JSON object: {"line":L,"op":"alloc","size":N,"buffer":K,"text":"alloc N"}.
// `buffer` is the number of the buffer the op creates (absent when it creates
// none). New ops get their fields here and nowhere else.
std::string op_to_json(const Op& op, std::size_t line, std::optional<std::uint64_t> buffer);

// The settings of a sequence, one field per row of the settings table
// (model/ops/settings.h): {"pool_size":S,"alignment":A,"cache_limit":C}.
std::string settings_to_json(const PoolOptions& settings);

// The first line `poolcheck parse` prints: format version, the defaults and
// bounds of the settings table, and the largest request.
std::string parse_header_json();

// Prints the header, then one JSON line per file (directories expanded).
// A malformed or unreadable file gives {"file":..,"error":{"line":L,"message":..}}
// on stdout and `FILE:LINE: problem` on stderr. Returns 0, or 2 when any file
// was malformed or unreadable.
int parse_command(const PoolOptions& defaults, const std::vector<std::string>& inputs);

}  // namespace poolcheck
