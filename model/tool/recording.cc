#include "model/tool/recording.h"

#include <charconv>
#include <sstream>
#include <string_view>

#include "model/checks/divergence.h"

namespace poolcheck {

namespace {

constexpr std::string_view kHeader = "# poolcheck recording ";
constexpr std::string_view kMark = "# node: ";

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

bool number(std::string_view text, std::uint64_t& value) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

// "[inferred] pool P offset O length L [via API...]" or
// "[inferred] unpooled length L [via API...]"; an error message or "".
std::string parse_placement(std::string_view comment, RecordedOp& recorded) {
  const std::vector<std::string_view> w = words_of(comment);
  std::size_t i = 0;
  if (i < w.size() && w[i] == "inferred") {
    recorded.inferred = true;
    ++i;
  }
  Placement placement;
  std::uint64_t value = 0;
  if (i + 3 < w.size() && w[i] == "pool") {
    if (!number(w[i + 1], placement.pool) || w[i + 2] != "offset" || !number(w[i + 3], value))
      return "placement comment: expected pool P offset O length L";
    placement.pooled = true;
    placement.offset = value;
    i += 4;
  } else if (i < w.size() && w[i] == "unpooled") {
    ++i;
  } else {
    return "placement comment: expected `pool P offset O length L` or `unpooled length L` after `# node:`";
  }
  if (i + 1 >= w.size() || w[i] != "length" || !number(w[i + 1], value))
    return "placement comment: expected `length L`";
  placement.length = value;
  i += 2;
  if (i < w.size()) {
    if (w[i] != "via" || i + 1 >= w.size()) return "placement comment: expected `via API` after the length";
    recorded.via = w[i + 1];
  } else if (!recorded.inferred) {
    return "placement comment: a recorded buffer names its API (`via NAME`)";
  }
  recorded.placed = placement;
  return "";
}

// An op that gets a buffer number (a request above 2^30 fails without one,
// though Node served it: its comment is not a placement).
bool makes_buffer(const Op& op) { return creates_buffer(op) && !refused(op); }

}  // namespace

bool is_recording(const std::string& text) { return text.starts_with(kHeader); }

std::optional<Recording> parse_recording(const SequenceFile& file, const std::string& text, LoadError& error) {
  ParseResult parsed = parse_ops(text, file.settings);
  const std::vector<std::string_view> lines = split_lines(text);
  auto fail = [&](std::size_t line, std::string message) {
    error = {file.path, line, std::move(message)};
    return std::nullopt;
  };
  if (!parsed.file) return fail(parsed.error ? parsed.error->line : 0, parsed.error ? parsed.error->message : "unreadable");
  Recording recording;
  const std::string_view header = lines.empty() ? std::string_view() : lines[0];
  const std::size_t node = header.find("node ");
  const std::vector<std::string_view> version =
      node == std::string_view::npos ? std::vector<std::string_view>() : words_of(header.substr(node + 5));
  if (version.empty()) return fail(1, "recording header: expected `# poolcheck recording 1: node vX.Y.Z, ...`");
  recording.node = std::string(version.front());
  if (recording.node.ends_with(',')) recording.node.pop_back();
  for (std::string_view line : lines)
    if (line.starts_with("# recording stopped")) recording.stopped = true;
  const OpFile& ops = *parsed.file;
  for (std::size_t i = 0; i < ops.ops.size(); ++i) {
    RecordedOp recorded;
    recorded.line = ops.lines[i];
    const std::string_view line = lines.at(recorded.line - 1);
    const std::size_t mark = line.find(kMark);
    const Op& op = ops.ops[i];
    if (mark == std::string_view::npos) {
      if (makes_buffer(op)) return fail(recorded.line, "recorded op without its placement (`# node: ...`)");
      recording.ops.push_back(recorded);
      continue;
    }
    const std::string_view comment = line.substr(mark + kMark.size());
    if (makes_buffer(op)) {
      if (std::string problem = parse_placement(comment, recorded); !problem.empty()) return fail(recorded.line, problem);
      if (recorded.placed->length != (op.kind == OpKind::kFrom ? op.b : op.a))
        return fail(recorded.line, "placement comment: length " + std::to_string(recorded.placed->length) +
                                       " is not what the op keeps");
    } else if (op.kind == OpKind::kRelease) {
      const std::vector<std::string_view> w = words_of(comment);
      if (w.size() != 1 || (w[0] != "collected" && w[0] != "inferred"))
        return fail(recorded.line, "release comment: expected `collected` or `inferred`");
      recorded.inferred = w[0] == "inferred";
      if (!recorded.inferred) ++recording.collected;
    }
    if (recorded.inferred) ++recording.inferred_ops;
    recording.ops.push_back(recorded);
  }
  return recording;
}

ProgramBuffers program_buffers(const Recording& recording) {
  ProgramBuffers counts;
  for (const RecordedOp& op : recording.ops) {
    if (!op.placed || op.inferred || op.via == kRecorderProbe) continue;
    ++counts.buffers;
    counts.pooled += op.placed->pooled ? 1 : 0;
  }
  return counts;
}

std::optional<Misplaced> model_misplaced(const SequenceFile& file, const Recording& recording) {
  ReferenceModel model(file.settings);
  return first_misplaced(file, recording, [&](const Op& op) -> std::optional<Placement> {
    const Outcome outcome = model.apply(op);
    if (outcome.kind != Outcome::Kind::kBuffer) return std::nullopt;
    return outcome.placement;
  });
}

std::string describe(const Misplaced& misplaced, const SequenceFile& file, const Recording& recording) {
  const RecordedOp& recorded = recording.ops[misplaced.op_index];
  std::string out = "# divergence (recorded placement) at op " + std::to_string(misplaced.op_index) + " (line " +
                    std::to_string(recorded.line) + "): " + to_text(file.ops[misplaced.op_index]) + "\n";
  out += "#   buffer #" + std::to_string(misplaced.buffer) + " (" +
         (recorded.inferred ? std::string("inferred") : "via " + recorded.via) + ", Node " + recording.node + ")\n";
  out += "#   expected: " + describe(misplaced.node) + " (where Node put it)\n";
  out += "#   actual:   " + (misplaced.placed ? describe(*misplaced.placed) : std::string("no buffer")) + "\n";
  out += "# the sequence up to that op:\n";
  out += to_text(std::span<const Op>(file.ops).first(misplaced.op_index + 1), file.settings);
  return out;
}

int check_recorded(const SequenceFile& file, std::ostream& out) {
  if (!file.text) return 0;
  std::string read_error;
  const std::optional<std::string> text = read_file(file.path, read_error);
  if (!text || !is_recording(*text)) return 0;
  LoadError error;
  const std::optional<Recording> recording = parse_recording(file, *text, error);
  if (!recording) {
    out << "ERROR " << error.to_string() << "\n";
    return 2;
  }
  if (const std::optional<Misplaced> misplaced = model_misplaced(file, *recording)) {
    out << "FAIL " << file.path.string() << "\n" << describe(*misplaced, file, *recording);
    return 1;
  }
  return 0;
}

}  // namespace poolcheck
