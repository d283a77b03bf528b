#include "model/tool/map_command.h"

#include <fstream>
#include <iostream>

namespace poolcheck {

std::vector<std::string> divergence_caption(const Divergence& divergence) {
  std::vector<std::string> lines;
  const std::string report = describe(divergence, {}, PoolOptions{});
  std::size_t start = 0;
  while (start < report.size() && lines.size() < 3) {
    std::size_t end = report.find('\n', start);
    if (end == std::string::npos) end = report.size();
    std::string line = report.substr(start, end - start);
    if (line.starts_with("# ")) line.erase(0, 2);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::optional<std::uint64_t> divergence_highlight(const PoolMap& expected, const PoolMap& actual) {
  if (auto differs = first_difference(expected, actual)) return differs;
  // Same buffers (a statistics or lifetime divergence): the op's own buffer.
  if (expected.last_op && creates_buffer(*expected.last_op) && !expected.buffers.empty())
    return expected.buffers.size() - 1;
  return std::nullopt;
}

std::filesystem::path MapDirectory::path_for(const std::filesystem::path& input) {
  std::string name = input.filename().string();
  if (name.ends_with(".ops")) name.resize(name.size() - 4);
  if (name.empty()) name = "map";
  std::string candidate = name;
  for (int n = 2; taken_.contains(candidate); ++n) candidate = name + "-" + std::to_string(n);
  taken_.insert(candidate);
  return dir_ / (candidate + ".svg");
}

bool write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::error_code ignored;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ignored);
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "poolcheck: " << path.string() << ": cannot write\n";
    return false;
  }
  return true;
}

namespace {

constexpr int kOk = 0, kBadInput = 2;

std::string op_text(std::size_t index, const Op& op) { return "op " + std::to_string(index) + ": " + to_text(op); }

template <class Mapper>
std::string frames_page(const SequenceFile& file, Mapper& mapper) {
  std::vector<std::string> frames, texts;
  const std::string title = file.path.string();
  if (file.ops.empty()) {
    frames.push_back(map_svg(mapper.map(), {title, std::nullopt}));
    texts.push_back("no ops");
  }
  for (std::size_t i = 0; i < file.ops.size(); ++i) {
    mapper.step(file.ops[i]);
    frames.push_back(map_svg(mapper.map(), {title, std::nullopt}));
    texts.push_back(op_text(i, file.ops[i]));
  }
  return map_html(title, frames, texts);
}

}  // namespace

int write_map(const SequenceFile& file, bool model, std::optional<std::size_t> at, const std::string& out) {
  const bool html = out.ends_with(".html");
  if (!html && !out.ends_with(".svg")) {
    std::cerr << "poolcheck: map writes OUT.svg (one state) or OUT.html (every op): " << out << "\n";
    return kBadInput;
  }
  if (at && *at >= file.ops.size()) {
    std::cerr << "poolcheck: " << file.path.string() << ": --at " << *at << " is past the last op ("
              << file.ops.size() << " ops, numbered from 0)\n";
    return kBadInput;
  }
  if (html && at) {
    std::cerr << "poolcheck: --at is for SVG maps; the HTML map has every op\n";
    return kBadInput;
  }
  std::string text;
  if (html) {
    if (model) {
      ModelMapper mapper(file.settings);
      text = frames_page(file, mapper);
    } else {
      AllocatorMapper<> mapper(file.settings);
      text = frames_page(file, mapper);
    }
  } else {
    const PoolMap map = model ? model_map(file.ops, file.settings, at) : allocator_map(file.ops, file.settings, at);
    text = map_svg(map, {file.path.string(), std::nullopt});
  }
  return write_text_file(out, text) ? kOk : kBadInput;
}

}  // namespace poolcheck
