#include "model/tool/parse_json.h"

#include <cstdio>
#include <iostream>

#include "model/ops/settings.h"
#include "model/ops/spec_limits.h"
#include "model/reference/sequence_file.h"

namespace poolcheck {
namespace {

// A JSON string. Bytes outside printable ASCII (op files are read as bytes)
// are written as \u00XX, so the output is ASCII and valid JSON whatever the
// input held.
std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string field(std::string_view name, std::uint64_t value) {
  return "," + json_string(name) + ":" + std::to_string(value);
}

}  // namespace

std::string op_to_json(const Op& op, std::size_t line, std::optional<std::uint64_t> buffer) {
  // The op's name and fields as its row of op_table.def names them; an
  // optional field that is 0 ("none") is left out, as in the text form.
  const OpSpec& spec = spec_of(op.kind);
  std::string out = "{\"line\":" + std::to_string(line) + ",\"op\":" + json_string(spec.name);
  for (const auto& [row, value] : {std::pair{&spec.a, op.a}, std::pair{&spec.b, op.b}})
    if (row->exists() && !(row->optional() && value == 0)) out += field(row->json, value);
  if (buffer) out += field("creates", *buffer);
  if (const Refusal refused = refusal_of(op); refused != Refusal::kNone)
    out += ",\"refused\":" + json_string(refusal_name(refused));
  return out + ",\"text\":" + json_string(to_text(op)) + "}";
}

std::string settings_to_json(const PoolOptions& settings) {
  std::string out;
  for (const Setting& row : kSettings) out += field(row.name, settings.*row.field);
  return "{" + out.substr(1) + "}";
}

std::string parse_header_json() {
  std::string limits;
  for (const Setting& row : kSettings) limits += field("max_" + std::string(row.name), row.max);
  return "{\"format\":\"poolcheck parse\",\"version\":1,\"defaults\":" + settings_to_json(PoolOptions{}) +
         ",\"limits\":{" + limits.substr(1) + field("max_request", spec::kMaxRequest) + "}}";
}

int parse_command(const PoolOptions& defaults, const std::vector<std::string>& inputs) {
  std::cout << parse_header_json() << "\n";
  const ExpandedInputs expanded = expand_inputs(inputs);
  bool bad = false;
  auto report = [&](const LoadError& error) {
    bad = true;
    std::cerr << "poolcheck: " << error.to_string() << "\n";
    std::cout << "{\"file\":" << json_string(error.path.string()) << ",\"error\":{\"line\":" << error.line
              << ",\"message\":" << json_string(error.message) << "}}\n";
  };
  for (const LoadError& error : expanded.errors) report(error);
  for (const auto& path : expanded.files) {
    // Text files keep their line numbers; binary files (the fuzzers' form)
    // have none (line 0).
    OpFile file;
    if (is_text_sequence(path)) {
      std::string read_error;
      std::optional<std::string> bytes = read_file(path, read_error);
      if (!bytes) {
        report({path, 0, read_error});
        continue;
      }
      ParseResult parsed = parse_ops(*bytes, defaults);
      if (parsed.error) {
        report({path, parsed.error->line, parsed.error->message});
        continue;
      }
      file = std::move(*parsed.file);
    } else {
      LoadResult loaded = load_sequence(path, defaults);
      if (loaded.error) {
        report(*loaded.error);
        continue;
      }
      file.settings = loaded.file->settings;
      file.ops = std::move(loaded.file->ops);
      file.lines.assign(file.ops.size(), 0);
    }
    std::cout << "{\"file\":" << json_string(path.string()) << ",\"settings\":" << settings_to_json(file.settings)
              << ",\"ops\":[";
    // `realloc K N` is written as the plain ops it means (alloc N, release
    // K: realloc_as_plain_ops), as the shorthands are, so the Node runner
    // reads only ops it knows.
    std::uint64_t next_buffer = 0;
    const char* separator = "";
    auto write = [&](const Op& op, std::size_t line) {
      std::optional<std::uint64_t> buffer;
      if (creates_buffer(op) && !refused(op)) buffer = next_buffer++;
      std::cout << separator << op_to_json(op, line, buffer);
      separator = ",";
    };
    for (std::size_t i = 0; i < file.ops.size(); ++i) {
      if (file.ops[i].kind != OpKind::kRealloc) {
        write(file.ops[i], file.lines[i]);
        continue;
      }
      for (const Op& plain : realloc_as_plain_ops(file.ops[i])) write(plain, file.lines[i]);
    }
    std::cout << "]}\n";
  }
  std::cout.flush();
  return bad || !std::cout ? 2 : 0;
}

}  // namespace poolcheck
