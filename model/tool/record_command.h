// `poolcheck record -o FILE.ops [--max-ops N] -- COMMAND ARGS...`: runs a
// Node program (or a script that runs one) with model/node/record_preload.js
// preloaded through NODE_OPTIONS, so that its Buffer pool traffic lands in
// FILE.ops (docs/FORMATS.md, "Recordings"). The program's output and exit
// code pass through unchanged; a summary goes to stderr.
#pragma once

namespace poolcheck {

// argv[1] is "record". Returns the program's exit code (128 + N when a
// signal N ended it), or 2 for bad usage or when no recording was made.
int record_command(int argc, char** argv);

}  // namespace poolcheck
