#include "model/reference/sequence_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

#include "model/ops/op_codec.h"
#include "model/reference/decode_ops.h"

namespace poolcheck {

namespace fs = std::filesystem;

std::string LoadError::to_string() const {
  // Appended piece by piece: g++ 12 -O3 warns falsely (-Wrestrict) about
  // `":" + std::to_string(line)`.
  std::string out = path.string();
  if (line > 0) out.append(":").append(std::to_string(line));
  return out.append(": ").append(message);
}

bool is_text_sequence(const fs::path& path) { return path.extension() == ".ops"; }

std::optional<std::string> read_file(const fs::path& path, std::string& error) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    error = "is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot open: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    error = "cannot read";
    return std::nullopt;
  }
  return std::move(content).str();
}

LoadResult load_sequence(const fs::path& path, const PoolOptions& defaults) {
  std::string error;
  std::optional<std::string> bytes = read_file(path, error);
  if (!bytes) return {std::nullopt, LoadError{path, 0, error}};
  SequenceFile file{path, is_text_sequence(path), defaults, {}};
  if (file.text) {
    ParseResult parsed = parse_ops(*bytes, defaults);
    if (parsed.error) return {std::nullopt, LoadError{path, parsed.error->line, parsed.error->message}};
    file.settings = parsed.file->settings;
    file.ops = std::move(parsed.file->ops);
  } else {
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes->data());
    DecodedOps decoded = decode_ops({data, bytes->size()});
    file.settings = decoded.settings;
    file.ops = std::move(decoded.ops);
  }
  return {std::move(file), std::nullopt};
}

namespace {

bool skipped(const fs::path& path) {
  const std::string name = path.filename().string();
  const std::string ext = path.extension().string();
  return name.starts_with(".") || ext == ".md" || ext == ".dict" || ext == ".options";
}

}  // namespace

ExpandedInputs expand_inputs(const std::vector<std::string>& inputs) {
  ExpandedInputs out;
  for (const std::string& input : inputs) {
    std::error_code ec;
    const fs::path path(input);
    if (!fs::exists(path, ec)) {
      out.errors.push_back({path, 0, "no such file or directory"});
      continue;
    }
    if (!fs::is_directory(path, ec)) {
      out.files.push_back(path);
      continue;
    }
    std::vector<fs::path> found;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (skipped(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file()) found.push_back(it->path());
    }
    if (ec) out.errors.push_back({path, 0, "cannot list directory: " + ec.message()});
    std::sort(found.begin(), found.end());
    out.files.insert(out.files.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace poolcheck
