// Reading op sequences from disk: `.ops` files are text, anything else is the
// fuzzers' binary form. Directories are walked recursively in sorted order.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model/ops/ops.h"

namespace poolcheck {

struct SequenceFile {
  std::filesystem::path path;
  bool text = false;
  PoolOptions settings;
  std::vector<Op> ops;
};

struct LoadError {
  std::filesystem::path path;
  std::size_t line = 0;  // 0 when the problem is not on a line
  std::string message;
  std::string to_string() const;  // "path:line: message"
};

bool is_text_sequence(const std::filesystem::path& path);

// `defaults` apply to text files; binary files carry their own settings.
struct LoadResult {
  std::optional<SequenceFile> file;
  std::optional<LoadError> error;
};
LoadResult load_sequence(const std::filesystem::path& path, const PoolOptions& defaults = {});

// Files named by `inputs`, directories expanded (hidden files, *.md, *.dict
// and *.options skipped). Missing paths become errors.
struct ExpandedInputs {
  std::vector<std::filesystem::path> files;
  std::vector<LoadError> errors;
};
ExpandedInputs expand_inputs(const std::vector<std::string>& inputs);

std::optional<std::string> read_file(const std::filesystem::path& path, std::string& error);

}  // namespace poolcheck
