// What `poolcheck map` and `poolcheck replay --map DIR` write: a pool map of
// one sequence (SVG, or HTML with a frame per op), and for a divergence the
// model's and the allocator's state at the diverging op side by side. The
// divergence picture is a template so that tests can draw deliberately
// wrong allocators with it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/checks/checker.h"
#include "model/tool/map_svg.h"
#include "model/tool/pool_map.h"
#include "model/reference/sequence_file.h"

namespace poolcheck {

// The first lines of the divergence report (what, expected, actual),
// without their "# ".
std::vector<std::string> divergence_caption(const Divergence& divergence);

// The buffer to outline: the first that differs, else the one the
// diverging op created.
std::optional<std::uint64_t> divergence_highlight(const PoolMap& expected, const PoolMap& actual);

template <class Allocator = PoolAllocator>
std::string divergence_picture(const SequenceFile& file, const Divergence& divergence) {
  // A divergence found at the end (op missing) concerns the whole sequence.
  const std::optional<std::size_t> at = divergence.op ? std::optional(divergence.op_index) : std::nullopt;
  const PoolMap expected = model_map(file.ops, file.settings, at);
  const PoolMap actual = allocator_map<Allocator>(file.ops, file.settings, at);
  return divergence_svg(expected, actual, file.path.string(), divergence_caption(divergence),
                        divergence_highlight(expected, actual));
}

// Picks DIR/NAME.svg for a failing file, NAME from its file name (.ops
// dropped); a name taken earlier in this run gets -2, -3, ...
class MapDirectory {
 public:
  explicit MapDirectory(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path path_for(const std::filesystem::path& input);

 private:
  std::filesystem::path dir_;
  std::set<std::string> taken_;
};

// Writes `text` to `path` (directories created); false after printing
// "poolcheck: PATH: cannot write" on stderr.
bool write_text_file(const std::filesystem::path& path, const std::string& text);

// `poolcheck map`: the state after op `at` (default: the end) from the
// allocator or the model, to OUT.svg; or every op's state to OUT.html.
// Returns the exit code (2 after printing the problem).
int write_map(const SequenceFile& file, bool model, std::optional<std::size_t> at, const std::string& out);

}  // namespace poolcheck
