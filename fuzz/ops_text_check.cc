#include "fuzz/ops_text_check.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "model/ops/op_codec.h"
#include "model/reference/decode_ops.h"

namespace poolcheck::fuzz {

namespace {

// Lines as the parser counts them: a last line without '\n' still counts.
std::size_t count_lines(std::string_view text) {
  const auto newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return newlines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

// The first `lines` lines of `text`, newlines included.
std::string_view first_lines(std::string_view text, std::size_t lines) {
  std::size_t end = 0;
  for (std::size_t i = 0; i < lines && end < text.size(); ++i) {
    const std::size_t newline = text.find('\n', end);
    end = newline == std::string_view::npos ? text.size() : newline + 1;
  }
  return text.substr(0, end);
}

std::string quoted(std::string_view text) {
  std::string out = "# ---- text:\n";
  out.append(text);
  if (!text.empty() && text.back() != '\n') out += '\n';
  return out + "# ----\n";
}

// A rejected input: the error must point at a real line, say something, and
// be the first problem (everything before that line parses).
Report check_error(std::string_view text, const ParseError& error, Parser parse) {
  const std::size_t lines = count_lines(text);
  if (error.line < 1 || error.line > lines)
    return "# parse error names line " + std::to_string(error.line) + " of a text with " + std::to_string(lines) +
           " lines: " + error.message + "\n";
  if (error.message.empty()) return "# parse error without a message at line " + std::to_string(error.line) + "\n";
  const ParseResult before = parse(first_lines(text, error.line - 1));
  if (!before.file)
    return "# parse error at line " + std::to_string(error.line) + " (" + error.message + "), but line " +
           std::to_string(before.error->line) + " before it is already wrong: " + before.error->message + "\n";
  return std::nullopt;
}

// The text that must be accepted: the bytes as binary ops, printed. The
// first 64 bytes are enough to reach every op, directive and number shape;
// the whole input would cost this target three quarters of its speed.
Report check_printed_is_accepted(std::string_view text, Printer print, Parser parse) {
  constexpr std::size_t kPrefix = 64;
  const DecodedOps generated =
      decode_ops({reinterpret_cast<const std::uint8_t*>(text.data()), std::min(text.size(), kPrefix)});
  const std::string printed = print(generated.ops, generated.settings);
  const ParseResult accepted = parse(printed);
  if (!accepted.file)
    return "# the parser rejects printed ops: line " + std::to_string(accepted.error->line) + ": " +
           accepted.error->message + "\n" + quoted(printed);
  if (!(accepted.file->settings == generated.settings) || accepted.file->ops != generated.ops)
    return "# printed ops parse to another sequence\n" + quoted(printed) + "# reprinted:\n" +
           quoted(print(accepted.file->ops, accepted.file->settings));
  return std::nullopt;
}

// The input as text: accepted and round-tripping, or rejected at a real line.
Report check_given_text(std::string_view text, Printer print, Parser parse) {
  const ParseResult parsed = parse(text);
  if (!parsed.file) return check_error(text, *parsed.error, parse);
  const OpFile& file = *parsed.file;
  if (file.lines.size() != file.ops.size() || !std::is_sorted(file.lines.begin(), file.lines.end()) ||
      (!file.lines.empty() && file.lines.back() > count_lines(text)))
    return "# the source lines of the ops are not the text's lines\n" + quoted(text);

  const std::string printed = print(file.ops, file.settings);
  const ParseResult reparsed = parse(printed);
  if (!reparsed.file)
    return "# printed ops do not parse: line " + std::to_string(reparsed.error->line) + ": " +
           reparsed.error->message + "\n" + quoted(printed);
  if (!(reparsed.file->settings == file.settings) || reparsed.file->ops != file.ops)
    return "# print then parse changed the sequence\n# input:\n" + quoted(text) + "# printed:\n" + quoted(printed) +
           "# reprinted:\n" + quoted(print(reparsed.file->ops, reparsed.file->settings));

  std::vector<std::uint8_t> bytes;
  try {
    bytes = encode_ops(file.ops, file.settings);
  } catch (const std::invalid_argument&) {
    return std::nullopt;  // beyond what the binary form carries (see op_codec.h)
  }
  const DecodedOps decoded = decode_ops(bytes);
  if (!(decoded.settings == file.settings) || decoded.ops != file.ops)
    return "# text -> binary -> text changed the sequence\n# input:\n" + quoted(printed) + "# decoded:\n" +
           quoted(to_text(decoded.ops, decoded.settings));
  return std::nullopt;
}

}  // namespace

std::string print_ops(std::span<const Op> ops, const PoolOptions& settings) { return to_text(ops, settings); }
ParseResult parse_text(std::string_view text) { return parse_ops(text); }

Report check_ops_text(std::string_view text, Printer print, Parser parse) {
  if (Report report = check_given_text(text, print, parse)) return report;
  return check_printed_is_accepted(text, print, parse);
}

}  // namespace poolcheck::fuzz
