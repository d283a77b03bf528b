// Recordings of real Node programs (model/node/recordings, made by
// `poolcheck record`): the model places every recorded buffer where Node
// did, a deliberately wrong rule in its place does not, malformed
// recordings are FILE:LINE errors, and whatif's figures on a sequence worked
// out by hand.
#include "model/tool/recording.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "model/testing/broken_rules.h"
#include "model/tool/whatif_command.h"

namespace poolcheck {
namespace {

const std::filesystem::path kRecordings = std::filesystem::path(POOLCHECK_SOURCE_DIR) / "model/node/recordings";

struct Loaded {
  SequenceFile file;
  Recording recording;
};

Loaded load_recording(const std::filesystem::path& path) {
  LoadResult loaded = load_sequence(path);
  EXPECT_FALSE(loaded.error) << loaded.error->to_string();
  std::string read_error;
  const std::string text = read_file(path, read_error).value_or("");
  EXPECT_TRUE(is_recording(text)) << path;
  LoadError error;
  std::optional<Recording> recording = parse_recording(*loaded.file, text, error);
  EXPECT_TRUE(recording) << error.to_string();
  return {*loaded.file, recording.value_or(Recording{})};
}

std::size_t placements(const Recording& recording) {
  std::size_t count = 0;
  for (const RecordedOp& op : recording.ops) count += op.placed ? 1 : 0;
  return count;
}

TEST(Recording, EveryCommittedRecordingAgreesWithTheModel) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kRecordings)) {
    if (entry.path().extension() != ".ops") continue;
    ++files;
    const Loaded loaded = load_recording(entry.path());
    EXPECT_GT(placements(loaded.recording), 0u) << entry.path();
    const std::optional<Misplaced> misplaced = model_misplaced(loaded.file, loaded.recording);
    EXPECT_FALSE(misplaced) << describe(*misplaced, loaded.file, loaded.recording);
    EXPECT_FALSE(allocator_misplaced<PoolAllocator>(loaded.file, loaded.recording)) << entry.path();
  }
  EXPECT_EQ(files, 12u);  // five programs and record_hidden.js, on two releases
}

// A wrong rule in the model's place puts a real program's buffer elsewhere
// than Node did, and the report names it.
TEST(Recording, BrokenRulesMisplaceARealProgramsBuffers) {
  const Loaded loaded = load_recording(kRecordings / "http-26.12.1.ops");
  for (const auto& misplaced : {allocator_misplaced<broken::NoAlignmentAllocator>(loaded.file, loaded.recording),
                                allocator_misplaced<broken::OverRoundingAllocator>(loaded.file, loaded.recording)}) {
    ASSERT_TRUE(misplaced);
    const std::string report = describe(*misplaced, loaded.file, loaded.recording);
    EXPECT_NE(report.find("# divergence (recorded placement) at op "), std::string::npos) << report;
    EXPECT_NE(report.find("#   buffer #" + std::to_string(misplaced->buffer) + " (via "), std::string::npos) << report;
    EXPECT_NE(report.find("(where Node put it)"), std::string::npos) << report;
  }
}

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

const std::string kHeader =
    "# poolcheck recording 1: node v26.12.1, pool over-allocation 64, aligned API yes\n#@ pool_size 65536\n";

// check_recorded as replay runs it: its exit code and what it printed.
std::pair<int, std::string> check_text(const std::string& name, const std::string& body) {
  const std::filesystem::path path = write_temp(name, kHeader + body);
  LoadResult loaded = load_sequence(path);
  if (loaded.error) return {2, loaded.error->to_string()};
  std::ostringstream out;
  const int code = check_recorded(*loaded.file, out);
  return {code, out.str()};
}

TEST(Recording, AgreeingPlacementsPassAndAWrongOffsetFails) {
  const std::string good =
      "alloc 100    # node: pool 0 offset 0 length 100 via allocUnsafe\n"
      "from 44 11   # node: pool 0 offset 104 length 11 via from\n"
      "alloc 40000  # node: unpooled length 40000 via allocUnsafe\n"
      "alloc 8      # node: inferred pool 0 offset 120 length 8\n"
      "release 3    # node: inferred\n"
      "release 0    # node: collected\n";
  EXPECT_EQ(check_text("rec_good.ops", good), std::make_pair(0, std::string()));
  const auto [code, out] = check_text("rec_moved.ops",
      "alloc 100    # node: pool 0 offset 0 length 100 via allocUnsafe\n"
      "from 44 11   # node: pool 0 offset 112 length 11 via from\n");
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("#   buffer #1 (via from, Node v26.12.1)"), std::string::npos) << out;
  EXPECT_NE(out.find("#   expected: pool 0 offset 112 length 11 (where Node put it)"), std::string::npos) << out;
  EXPECT_NE(out.find("#   actual:   pool 0 offset 104 length 11"), std::string::npos) << out;
}

TEST(Recording, MalformedRecordingsAreFileLineErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"alloc 100\n", ":3: recorded op without its placement"},
      {"alloc 100  # node: pool 0 offst 0 length 100 via allocUnsafe\n", ":3: placement comment: expected pool P"},
      {"alloc 100  # node: pool 0 offset 0 length 99 via allocUnsafe\n", ":3: placement comment: length 99 is not"},
      {"alloc 100  # node: pool 0 offset 0 length 100\n", ":3: placement comment: a recorded buffer names its API"},
      {"alloc 100  # node: somewhere\n", ":3: placement comment: expected `pool P offset O length L` or"},
      {"alloc 1  # node: unpooled length 1 via x\nrelease 0  # node: gone\n", ":4: release comment"},
  };
  for (const auto& [body, message] : cases) {
    const auto [code, out] = check_text("rec_bad.ops", body);
    EXPECT_EQ(code, 2) << body;
    EXPECT_NE(out.find(std::string("rec_bad.ops") + message), std::string::npos) << body << " -> " << out;
  }
}

// Pool size 8192 (threshold 4096): 3000 at 0 and at 3000 (the offset rounds
// to 6000), the third does not fit in the 2192 left (tail waste) and starts
// pool 1; pool 0 stays held by its two live buffers: 8192, 8192, 16384 held
// after the three ops. 65536: one pool. 4096 (threshold 2048): none pooled.
TEST(WhatIf, FiguresOfASequenceWorkedOutByHand) {
  LoadResult loaded = load_sequence(write_temp("whatif.ops", "alloc 3000\nalloc 3000\nalloc 3000\n"));
  ASSERT_TRUE(loaded.file);
  const WhatIf small = what_if(*loaded.file, 8192, 8);
  EXPECT_EQ(small.pools, 2u);
  EXPECT_EQ(small.held_peak, 16384u);
  EXPECT_NEAR(small.held_mean, (8192.0 + 8192 + 16384) / 3, 1e-9);
  EXPECT_EQ(small.tail_waste, 2192u);
  EXPECT_EQ(small.padding, 0u);
  EXPECT_EQ(small.requests, 3u);
  EXPECT_EQ(small.pooled, 3u);
  const WhatIf large = what_if(*loaded.file, 65536, 8);
  EXPECT_EQ(large.pools, 1u);
  EXPECT_EQ(large.held_peak, 65536u);
  EXPECT_EQ(large.tail_waste, 0u);
  const WhatIf tiny = what_if(*loaded.file, 4096, 8);
  EXPECT_EQ(tiny.pools, 0u);
  EXPECT_EQ(tiny.held_peak, 0u);
  EXPECT_EQ(tiny.pooled, 0u);
  // Alignment 16 rounds each 3000 to 3008: 8 bytes of padding after each.
  const WhatIf aligned = what_if(*loaded.file, 8192, 16);
  EXPECT_EQ(aligned.padding, 24u);
}

}  // namespace
}  // namespace poolcheck
