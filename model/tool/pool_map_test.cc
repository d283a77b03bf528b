// Pool maps: what the maps say about known sequences, that the allocator's
// and the model's maps agree where the allocator is right and differ where
// it is not, and that the SVG draws each buffer, pool and gap at the right
// offset with the right width.
#include "model/tool/pool_map.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model/testing/broken_rules.h"
#include "model/tool/map_command.h"
#include "model/tool/map_svg.h"
#include "model/reference/sequence_file.h"

namespace poolcheck {
namespace {

std::vector<Op> ops_of(std::string_view text) {
  ParseResult parsed = parse_ops(text);
  EXPECT_FALSE(parsed.error) << parsed.error->message;
  return parsed.file->ops;
}

// The seed scenario, then buffer 0 released: pool 0 keeps buffer 1 alive.
constexpr std::string_view kSeed = "alloc 256\nalloc 4095\nalloc 4095\nrelease 0\nalloc 5000\n";

TEST(PoolMap, SeedScenarioFromTheAllocator) {
  const PoolMap map = allocator_map(ops_of(kSeed), PoolOptions{});
  ASSERT_EQ(map.pools.size(), 2u);
  EXPECT_EQ(map.pools[0].life, PoolLife::kReferenced);
  EXPECT_EQ(map.pools[0].offset, 4352u);
  EXPECT_EQ(map.pools[0].capacity, 8192u);
  EXPECT_EQ(map.pools[1].life, PoolLife::kCurrent);
  EXPECT_EQ(map.pools[1].offset, 4096u);
  ASSERT_EQ(map.buffers.size(), 4u);
  EXPECT_FALSE(map.buffers[0].live);
  EXPECT_EQ(map.buffers[2].placement, (Placement{true, 1, 0, 4095}));
  EXPECT_FALSE(map.buffers[3].placement.pooled);
  EXPECT_EQ(map.ops_run, 5u);
}

TEST(PoolMap, AtStopsAfterThatOp) {
  const PoolMap map = model_map(ops_of(kSeed), PoolOptions{}, 1);
  EXPECT_EQ(map.pools.size(), 1u);
  EXPECT_EQ(map.buffers.size(), 2u);
  EXPECT_EQ(map.pools[0].offset, 4352u);
  EXPECT_EQ(to_text(*map.last_op), "alloc 4095");
}

void expect_same_maps(const PoolMap& model, const PoolMap& allocator, const std::string& where) {
  ASSERT_EQ(model.pools.size(), allocator.pools.size()) << where;
  for (std::size_t i = 0; i < model.pools.size(); ++i) {
    const MapPool& m = model.pools[i];
    const MapPool& a = allocator.pools[i];
    EXPECT_EQ(m.capacity, a.capacity) << where << " pool " << i;
    EXPECT_EQ(m.offset, a.offset) << where << " pool " << i;
    EXPECT_EQ(m.life, a.life) << where << " pool " << i;
    EXPECT_EQ(m.reused, a.reused) << where << " pool " << i;
    EXPECT_EQ(m.memory_of, a.memory_of) << where << " pool " << i;
    EXPECT_EQ(m.buffers, a.buffers) << where << " pool " << i;
  }
  EXPECT_EQ(first_difference(model, allocator), std::nullopt) << where;
  EXPECT_EQ(model.stats, allocator.stats) << where;
}

// The allocator is right on every scenario, so both ways of drawing it must
// agree after every op: pools, offsets, deaths and reuse included.
TEST(PoolMap, AllocatorAndModelAgreeOnEveryScenario) {
  for (const auto& entry : std::filesystem::directory_iterator(POOLCHECK_SOURCE_DIR "/corpus/scenarios")) {
    LoadResult loaded = load_sequence(entry.path());
    ASSERT_FALSE(loaded.error) << loaded.error->to_string();
    const SequenceFile& file = *loaded.file;
    ModelMapper model(file.settings);
    AllocatorMapper<> allocator(file.settings);
    for (std::size_t i = 0; i < file.ops.size(); ++i) {
      model.step(file.ops[i]);
      allocator.step(file.ops[i]);
      expect_same_maps(model.map(), allocator.map(), entry.path().filename().string() + " op " + std::to_string(i));
    }
  }
}

TEST(PoolMap, DeathAndReuseAreRecorded) {
  // cache_limit 1: pool 0 dies and is cached, pool 1 dies when replaced and
  // pool 2 takes its memory directly.
  PoolOptions settings;
  settings.cache_limit = 1;
  const PoolMap map = allocator_map(
      ops_of("alloc 4000\nalloc 4000\nalloc 4000\nrelease 0\nrelease 1\nalloc 4000\nrelease 2\nrelease 3\nalloc 4000\n"),
      settings);
  ASSERT_EQ(map.pools.size(), 3u);
  EXPECT_EQ(map.pools[0].life, PoolLife::kDead);
  EXPECT_EQ(map.pools[0].died_at_op, 4u);
  EXPECT_EQ(map.pools[1].life, PoolLife::kDead);
  EXPECT_TRUE(map.pools[2].reused);
  EXPECT_EQ(map.pools[2].memory_of, 1u);
}

TEST(PoolMap, AWrongAllocatorDrawsDifferently) {
  const std::vector<Op> ops = ops_of("alloc 256\nalloc 4095\nalloc 3840\n");
  const PoolMap expected = model_map(ops, PoolOptions{});
  const PoolMap actual = allocator_map<broken::OffByOneRoomAllocator>(ops, PoolOptions{});
  EXPECT_EQ(expected.pools.size(), 1u);
  EXPECT_EQ(actual.pools.size(), 2u);
  EXPECT_EQ(first_difference(expected, actual), 2u);
  const std::optional<Divergence> divergence = check_ops<broken::OffByOneRoomAllocator>(ops, PoolOptions{});
  ASSERT_TRUE(divergence);
  SequenceFile file{"exact.ops", true, PoolOptions{}, ops};
  const std::string svg = divergence_picture<broken::OffByOneRoomAllocator>(file, *divergence);
  EXPECT_NE(svg.find("divergence (placement) at op 2: alloc 3840"), std::string::npos);
  // Outlined once in each panel.
  std::size_t outlines = 0;
  for (std::size_t at = svg.find("class=\"highlight\" data-buffer=\"2\""); at != std::string::npos;
       at = svg.find("class=\"highlight\" data-buffer=\"2\"", at + 1))
    ++outlines;
  EXPECT_EQ(outlines, 2u);
}

// The attributes of every <rect> and <line> of `svg` with the given class.
// (A scan, not std::regex: g++ 12 warns inside <regex> under -O1 and ASan.)
std::vector<std::map<std::string, std::string>> shapes(const std::string& svg, const std::string& cls) {
  std::vector<std::map<std::string, std::string>> found;
  for (std::size_t at = svg.find('<'); at != std::string::npos; at = svg.find('<', at + 1)) {
    if (svg.compare(at, 6, "<rect ") != 0 && svg.compare(at, 6, "<line ") != 0) continue;
    const std::string tag = svg.substr(at, svg.find('>', at) - at);
    std::map<std::string, std::string> attributes;
    for (std::size_t eq = tag.find("=\""); eq != std::string::npos; eq = tag.find("=\"", eq + 1)) {
      const std::size_t name_start = tag.rfind(' ', eq) + 1;
      const std::size_t value_end = tag.find('"', eq + 2);
      attributes[tag.substr(name_start, eq - name_start)] = tag.substr(eq + 2, value_end - eq - 2);
      eq = value_end;
    }
    if (attributes["class"] == cls) found.push_back(attributes);
  }
  return found;
}

// The single map's bars start at x = 136 (margin 16 + labels 120) and 620 px
// stand for the largest pool, 8192 bytes here.
constexpr double kBarX = 136, kScale = 620.0 / 8192;

void expect_span(const std::map<std::string, std::string>& shape, std::size_t offset, std::size_t length) {
  EXPECT_EQ(shape.at("data-offset"), std::to_string(offset));
  EXPECT_EQ(shape.at("data-length"), std::to_string(length));
  EXPECT_NEAR(std::stod(shape.at("x")), kBarX + static_cast<double>(offset) * kScale, 0.006);
  EXPECT_NEAR(std::stod(shape.at("width")), std::max(static_cast<double>(length) * kScale, 1.0), 0.006);
}

TEST(PoolMapSvg, OneShapePerBufferPoolAndGapAtItsOffset) {
  const std::string svg = map_svg(allocator_map(ops_of(kSeed), PoolOptions{}), {"seed", std::nullopt});
  const auto pools = shapes(svg, "pool");
  ASSERT_EQ(pools.size(), 2u);
  for (const auto& pool : pools) {
    EXPECT_EQ(pool.at("data-capacity"), "8192");
    EXPECT_NEAR(std::stod(pool.at("width")), 620, 0.006);
  }
  const auto live = shapes(svg, "buffer");
  const auto released = shapes(svg, "buffer released");
  ASSERT_EQ(live.size(), 2u);
  ASSERT_EQ(released.size(), 1u);
  expect_span(released[0], 0, 256);
  expect_span(live[0], 256, 4095);
  expect_span(live[1], 0, 4095);
  EXPECT_EQ(live[1].at("data-buffer"), "2");
  const auto padding = shapes(svg, "padding");
  ASSERT_EQ(padding.size(), 2u);  // 4095 rounds up to 4096 in each pool
  expect_span(padding[0], 4351, 1);
  expect_span(padding[1], 4095, 1);
  const auto tail = shapes(svg, "tail");
  ASSERT_EQ(tail.size(), 1u);
  expect_span(tail[0], 4352, 3840);
  const auto room = shapes(svg, "room");
  ASSERT_EQ(room.size(), 1u);
  expect_span(room[0], 4096, 4096);
  const auto offset = shapes(svg, "offset");
  ASSERT_EQ(offset.size(), 1u);
  EXPECT_EQ(offset[0].at("data-pool"), "1");
  EXPECT_NEAR(std::stod(offset[0].at("x1")), kBarX + 4096 * kScale, 0.006);
  const auto unpooled = shapes(svg, "unpooled");
  ASSERT_EQ(unpooled.size(), 1u);
  EXPECT_EQ(unpooled[0].at("data-length"), "5000");
}

TEST(PoolMapSvg, EscapesTextAndLoadsNothing) {
  const std::string svg = map_svg(model_map(ops_of(kSeed), PoolOptions{}), {"a<b>&\"c\"", std::nullopt});
  EXPECT_NE(svg.find("a&lt;b&gt;&amp;&quot;c&quot;"), std::string::npos);
  for (const char* external : {"href", "src=", "url(", "@import", "<script", "<image"})
    EXPECT_EQ(svg.find(external), std::string::npos) << external;
}

TEST(PoolMapHtml, OneFramePerOpAndNoExternalResource) {
  const std::vector<Op> ops = ops_of(kSeed);
  ModelMapper mapper(PoolOptions{});
  std::vector<std::string> frames, texts;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    mapper.step(ops[i]);
    frames.push_back(map_svg(mapper.map(), {"seed", std::nullopt}));
    texts.push_back("op " + std::to_string(i) + ": " + to_text(ops[i]));
  }
  const std::string html = map_html("seed", frames, texts);
  std::size_t count = 0;
  for (std::size_t at = html.find("<div class=\"frame\""); at != std::string::npos;
       at = html.find("<div class=\"frame\"", at + 1))
    ++count;
  EXPECT_EQ(count, ops.size());
  EXPECT_NE(html.find("type=\"range\""), std::string::npos);
  EXPECT_NE(html.find("data-op=\"op 4: alloc 5000\">"), std::string::npos);  // the last frame shows first
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  for (const char* external : {"href", "src=", "url(", "@import"}) EXPECT_EQ(html.find(external), std::string::npos);
}

TEST(MapDirectory, OneNamePerFailingFile) {
  MapDirectory maps("out");
  EXPECT_EQ(maps.path_for("corpus/regressions/alignment_skipped.ops"), std::filesystem::path("out/alignment_skipped.svg"));
  EXPECT_EQ(maps.path_for("build/fuzz-work/fuzz_pool_diff/crashes/crash-8ea6"), std::filesystem::path("out/crash-8ea6.svg"));
  EXPECT_EQ(maps.path_for("elsewhere/alignment_skipped.ops"), std::filesystem::path("out/alignment_skipped-2.svg"));
}

}  // namespace
}  // namespace poolcheck
