// Recordings: op files written by `poolcheck record` from a real Node
// program, whose comments say where Node put each buffer
// (docs/FORMATS.md, "Recordings"). `poolcheck replay` checks, besides the
// usual checks, that the model places every recorded buffer exactly there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/pool_types.h"
#include "model/checks/allocator_run.h"
#include "model/ops/ops.h"
#include "model/reference/reference_model.h"
#include "model/reference/sequence_file.h"

namespace poolcheck {

// What the recording says of one op.
struct RecordedOp {
  std::size_t line = 0;
  bool inferred = false;             // pool traffic the recorder could not see, inferred from an offset jump
  std::optional<Placement> placed;   // for an op that creates a buffer: where Node put it
  std::string via;                   // the Buffer API ("allocUnsafe", "from", ...), empty for inferred ops
};

struct Recording {
  std::string node;               // the Node version that ran the program
  std::vector<RecordedOp> ops;    // one per op of the file
  std::size_t inferred_ops = 0;   // inferred allocs and their releases
  std::size_t collected = 0;      // releases timed by V8's collection
  bool stopped = false;           // --max-ops reached
};

// The buffers the program made (the recorder's own first buffer, `via
// recorder`, and inferred ones left out), and how many Node pooled.
inline constexpr std::string_view kRecorderProbe = "recorder";
struct ProgramBuffers {
  std::uint64_t buffers = 0;
  std::uint64_t pooled = 0;
};
ProgramBuffers program_buffers(const Recording& recording);

// Whether the file is a recording (its first line is the recorder's header).
bool is_recording(const std::string& text);

// Parses a recording's comments; nullopt after setting `error` to
// "FILE:LINE: problem" when a comment is missing or malformed.
std::optional<Recording> parse_recording(const SequenceFile& file, const std::string& text, LoadError& error);

// The first buffer placed elsewhere than Node put it.
struct Misplaced {
  std::size_t op_index = 0;
  std::uint64_t buffer = 0;
  Placement node;
  std::optional<Placement> placed;  // where the model put it; none when it made no buffer
};

// Runs `place(op)` (the placement an op's new buffer gets, nullopt for none)
// over the ops and compares with the recording. A template so that a test
// can put a deliberately wrong rule in the model's place.
template <class Place>
std::optional<Misplaced> first_misplaced(const SequenceFile& file, const Recording& recording, Place place) {
  std::uint64_t buffer = 0;
  for (std::size_t i = 0; i < file.ops.size(); ++i) {
    const std::optional<Placement> placed = place(file.ops[i]);
    const std::optional<Placement>& node = recording.ops[i].placed;
    if (!node) continue;
    if (!placed || !(*placed == *node)) return Misplaced{i, buffer, *node, placed};
    ++buffer;
  }
  return std::nullopt;
}

// The model's placements.
std::optional<Misplaced> model_misplaced(const SequenceFile& file, const Recording& recording);

// An allocator's (for tests: a broken rule in the model's place).
template <class Allocator>
std::optional<Misplaced> allocator_misplaced(const SequenceFile& file, const Recording& recording) {
  AllocatorRun<Allocator> run(file.settings);
  return first_misplaced(file, recording, [&](const Op& op) -> std::optional<Placement> {
    const auto step = run.step(op);
    if (!step.placed) return std::nullopt;
    return run.buffer(*step.placed).placement();
  });
}

// The divergence report: the op, the buffer, Node's placement against the
// model's, and the sequence up to that op (a valid op file).
std::string describe(const Misplaced& misplaced, const SequenceFile& file, const Recording& recording);

// For `poolcheck replay`: kOk (0) when the file is no recording or every
// placement agrees, 1 after printing "FAIL FILE" and the report, 2 after
// printing "ERROR FILE:LINE: problem".
int check_recorded(const SequenceFile& file, std::ostream& out);

}  // namespace poolcheck
