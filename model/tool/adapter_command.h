// `poolcheck replay|trace|map --allocator NAME` and `poolcheck replay
// --fail-each`: the tool's commands on the built-in adapters
// (model/adapter/builtin_adapters.h; docs/ADAPTERS.md).
#pragma once

#include <optional>

namespace poolcheck {

// Runs the command when the command line names --allocator or --fail-each
// and returns its exit code; nullopt otherwise, and the command runs as
// before. `trace` and `map` with `--allocator node_pool` and nothing else
// new are today's commands: the two words are taken out of argv (argc
// shrinks) and nullopt is returned.
std::optional<int> adapter_command(int& argc, char** argv);

}  // namespace poolcheck
