#include "model/tool/map_svg.h"

#include <algorithm>
#include <cstdio>

#include "model/tool/svg_text.h"

namespace poolcheck {
namespace {

// Layout of one panel, in px: pool labels, the bars, the unpooled list.
// Side by side, two panels are narrower so that the pair stays readable
// when a page scales it down.
struct Layout {
  double label = 120, bar = 620, gap = 20, list = 170;
  double panel() const { return label + bar + gap + list; }
};
constexpr Layout kSingle{};
constexpr Layout kPair{110, 430, 16, 140};
constexpr double kRowHeight = 46;
constexpr double kBarHeight = 22;
constexpr std::size_t kListedUnpooled = 30;  // more are summarized in one line
// A pool narrower than this at the common scale is drawn at its own scale
// across the whole bar, and says so: a 9-byte pool next to an 8 KiB one
// would otherwise be a line.
constexpr double kMinPoolWidth = 120;

// Colours chosen to stay apart for colour-blind readers (Okabe-Ito based).
constexpr const char* kLiveFill = "#0072b2";
constexpr const char* kReleasedFill = "#c8c8c8";
constexpr const char* kPaddingFill = "#e69f00";
constexpr const char* kTailFill = "#d55e00";
constexpr const char* kRoomFill = "#ffffff";
constexpr const char* kDeadRow = "#efefef";
constexpr const char* kOffsetColour = "#111111";

std::string life_text(const MapPool& pool) {
  switch (pool.life) {
    case PoolLife::kCurrent: return "current";
    case PoolLife::kReferenced: return "referenced";
    case PoolLife::kDead:
      return pool.died_at_op ? "dead since op " + std::to_string(*pool.died_at_op) : "dead";
  }
  return "";
}

struct Span {
  std::size_t begin, end;
};

// The pool's skipped bytes: between the end of each buffer and the start of
// the next one in offset order, and after the last one up to the offset.
std::vector<Span> padding_spans(const PoolMap& map, const MapPool& pool) {
  std::vector<Span> placed;
  for (std::uint64_t number : pool.buffers) {
    const Placement& p = map.buffers[number].placement;
    placed.push_back({p.offset, p.offset + p.length});
  }
  std::sort(placed.begin(), placed.end(), [](Span a, Span b) { return a.begin < b.begin; });
  std::vector<Span> gaps;
  std::size_t reached = 0;
  for (const Span& s : placed) {
    if (s.begin > reached) gaps.push_back({reached, s.begin});
    reached = std::max(reached, s.end);
  }
  const std::size_t limit = std::min(pool.offset, pool.capacity);
  if (!placed.empty() && limit > reached) gaps.push_back({reached, limit});
  return gaps;
}

class MapDrawer {
 public:
  MapDrawer(SvgText& svg, const PoolMap& map, std::optional<std::uint64_t> highlight, double scale_capacity,
            Layout layout)
      : svg_(svg), map_(map), highlight_(highlight), layout_(layout),
        common_scale_(scale_capacity > 0 ? layout.bar / scale_capacity : 0), scale_(common_scale_) {}

  // Draws the panel with its top left corner at (x, y); returns its height.
  double draw(double x, double y) {
    double row_y = y;
    axis(x + layout_.label, row_y);
    row_y += 22;
    for (const MapPool& pool : map_.pools) {
      row(pool, x, row_y);
      row_y += kRowHeight;
    }
    if (map_.pools.empty()) {
      svg_.text(x + layout_.label, row_y + 16, "no pool yet", "note");
      row_y += kRowHeight;
    }
    const double list_height = unpooled_list(x + layout_.label + layout_.bar + layout_.gap, y);
    return std::max(row_y - y, list_height);
  }

 private:
  double bar_x(double x0, std::size_t offset) const { return x0 + static_cast<double>(offset) * scale_; }

  void axis(double x0, double y) {
    double largest = 0;
    for (const MapPool& pool : map_.pools) largest = std::max(largest, static_cast<double>(pool.capacity));
    if (largest <= 0) return;
    svg_.line(x0, y + 14, x0 + layout_.bar, y + 14, "#888888", 1, "axis");
    for (int i = 0; i <= 4; ++i) {
      const auto at = static_cast<std::size_t>(largest * i / 4);
      const double tx = bar_x(x0, at);
      svg_.line(tx, y + 10, tx, y + 14, "#888888", 1, "tick");
      svg_.text(tx, y + 8, std::to_string(at), i == 0 ? "small" : i == 4 ? "small end" : "small middle");
    }
  }

  void span_rect(const char* cls, const MapPool& pool, double x0, double y, Span s, const char* fill,
                 const std::string& title) {
    if (s.end <= s.begin) return;
    svg_.rect(bar_x(x0, s.begin), y, std::max(static_cast<double>(s.end - s.begin) * scale_, 1.0), kBarHeight, fill,
              cls,
              {{"data-pool", std::to_string(pool.number)}, {"data-offset", std::to_string(s.begin)},
               {"data-length", std::to_string(s.end - s.begin)}},
              title);
  }

  void row(const MapPool& pool, double x, double y) {
    const double common_width = static_cast<double>(pool.capacity) * common_scale_;
    zoomed_ = pool.capacity > 0 && common_width < kMinPoolWidth;
    scale_ = zoomed_ ? layout_.bar / static_cast<double>(pool.capacity) : common_scale_;
    const bool dead = pool.life == PoolLife::kDead;
    if (dead) svg_.rect(x, y - 2, layout_.label + layout_.bar, kRowHeight - 4, kDeadRow, "dead-row", {});
    svg_.text(x + 4, y + 15, "pool " + std::to_string(pool.number), dead ? "label dead" : "label");
    svg_.text(x + 4, y + 29, life_text(pool), "small");
    const double x0 = x + layout_.label;
    const double bar_y = y + 2;
    svg_.rect(x0, bar_y, std::max(static_cast<double>(pool.capacity) * scale_, 1.0), kBarHeight, kRoomFill, "pool",
              {{"data-pool", std::to_string(pool.number)}, {"data-capacity", std::to_string(pool.capacity)}},
              "pool " + std::to_string(pool.number) + ": " + std::to_string(pool.capacity) + " bytes");
    const std::size_t end = std::min(pool.offset, pool.capacity);
    if (end < pool.capacity) {
      const bool current = pool.life == PoolLife::kCurrent;
      span_rect(current ? "room" : "tail", pool, x0, bar_y, {end, pool.capacity}, current ? kRoomFill : kTailFill,
                (current ? "room left: " : "tail waste: ") + std::to_string(pool.capacity - end) + " bytes");
    }
    for (const Span& gap : padding_spans(map_, pool))
      span_rect("padding", pool, x0, bar_y, gap, kPaddingFill,
                "padding: " + std::to_string(gap.end - gap.begin) + " bytes at " + std::to_string(gap.begin));
    for (std::uint64_t number : pool.buffers) buffer(map_.buffers[number], x0, bar_y);
    // The outline again on top, so that the fills inside do not cover it.
    svg_.rect(x0, bar_y, std::max(static_cast<double>(pool.capacity) * scale_, 1.0), kBarHeight, "none",
              zoomed_ ? "pool-outline zoomed" : "pool-outline", {});
    for (std::uint64_t number : pool.buffers)
      if (highlight_ == number) {
        const Placement& p = map_.buffers[number].placement;
        const double width = std::max(static_cast<double>(p.length) * scale_, 1.0);
        svg_.rect(bar_x(x0, p.offset) - 2, bar_y - 3, width + 4, kBarHeight + 6, "none", "highlight",
                  {{"data-buffer", std::to_string(number)}});
      }
    if (pool.life == PoolLife::kCurrent) {
      const double ox = bar_x(x0, end);
      svg_.line(ox, bar_y - 3, ox, bar_y + kBarHeight + 3, kOffsetColour, 2, "offset",
                {{"data-pool", std::to_string(pool.number)}, {"data-offset", std::to_string(pool.offset)}});
    }
    svg_.text(x0, y + 38, summary(pool), "small");
  }

  std::string summary(const MapPool& pool) const {
    std::string out = std::to_string(pool.capacity) + " B" + (zoomed_ ? " (drawn to its own scale)" : "") +
                      ", offset " + std::to_string(pool.offset);
    if (pool.life != PoolLife::kCurrent && pool.offset < pool.capacity)
      out += ", tail waste " + std::to_string(pool.capacity - pool.offset) + " B";
    if (pool.reused)
      out += pool.memory_of ? ", reuses the memory of pool " + std::to_string(*pool.memory_of)
                            : ", memory reused from the cache";
    for (const MapPool& later : map_.pools)
      if (later.memory_of == pool.number && later.reused && later.number != pool.number)
        out += ", memory taken by pool " + std::to_string(later.number);
    return out;
  }

  void buffer(const MapBuffer& b, double x0, double y) {
    const Placement& p = b.placement;
    const double bx = bar_x(x0, p.offset);
    const double width = std::max(static_cast<double>(p.length) * scale_, 1.0);
    const std::string name = "#" + std::to_string(b.number);
    svg_.rect(bx, y, width, kBarHeight, b.live ? kLiveFill : kReleasedFill, b.live ? "buffer" : "buffer released",
              {{"data-buffer", std::to_string(b.number)}, {"data-offset", std::to_string(p.offset)},
               {"data-length", std::to_string(p.length)}, {"data-live", b.live ? "1" : "0"}},
              "buffer " + std::to_string(b.number) + (b.live ? "" : " (released)") + ": offset " +
                  std::to_string(p.offset) + ", length " + std::to_string(p.length));
    // "#N" when it fits, else "N", else nothing (the tooltip still names it).
    std::string label = name;
    if (width < 7.0 * static_cast<double>(label.size()) + 4) label.erase(0, 1);
    if (width >= 7.0 * static_cast<double>(label.size()) + 3)
      svg_.text(bx + width / 2, y + 15, label, b.live ? "buffer-label middle" : "buffer-label released-text middle");
  }

  double unpooled_list(double x, double y) {
    std::size_t count = 0, shown = 0;
    for (const MapBuffer& b : map_.buffers) count += b.placement.pooled ? 0 : 1;
    svg_.text(x, y + 14, count == 0 ? "unpooled: none" : "unpooled buffers", "label");
    double line_y = y + 34;
    for (const MapBuffer& b : map_.buffers) {
      if (b.placement.pooled) continue;
      if (shown == kListedUnpooled && highlight_ != b.number) continue;
      ++shown;
      svg_.rect(x, line_y - 10, 12, 12, b.live ? kLiveFill : kReleasedFill, "unpooled",
                {{"data-buffer", std::to_string(b.number)},
                 {"data-length", std::to_string(b.placement.length)},
                 {"data-live", b.live ? "1" : "0"}});
      if (highlight_ == b.number)
        svg_.rect(x - 3, line_y - 13, layout_.list, 18, "none", "highlight", {{"data-buffer", std::to_string(b.number)}});
      const std::string size = b.placement.length == 0 ? "empty" : std::to_string(b.placement.length) + " B";
      svg_.text(x + 18, line_y, "#" + std::to_string(b.number) + "  " + size + (b.live ? "" : " (released)"),
                b.live ? "small" : "small released-text");
      line_y += 17;
    }
    if (count > shown) {
      svg_.text(x, line_y, "... and " + std::to_string(count - shown) + " more", "small");
      line_y += 17;
    }
    return line_y - y;
  }

  SvgText& svg_;
  const PoolMap& map_;
  std::optional<std::uint64_t> highlight_;
  Layout layout_;
  double common_scale_;
  bool zoomed_ = false;
  double scale_;  // the row's: common_scale_, or its own for a narrow pool
};

std::string op_line(const PoolMap& map) {
  if (!map.last_op) return "before the first op";
  return "after op " + std::to_string(map.ops_run - 1) + ": " + to_text(*map.last_op);
}

std::string stats_line(const PoolStats& s) {
  return std::to_string(s.live_pools) + " live pools (" + std::to_string(s.pool_bytes) + " B), " +
         std::to_string(s.cached_pools) + " cached; " + std::to_string(s.live_buffers) + " live buffers, " +
         std::to_string(s.bytes_in_use) + " B in use (" + std::to_string(s.unpooled_bytes) + " B unpooled); padding " +
         std::to_string(s.padding_bytes) + " B, tail waste " + std::to_string(s.tail_waste_bytes) +
         " B; pools created " + std::to_string(s.pools_created) + ", reused " + std::to_string(s.pools_reused);
}

double largest_capacity(std::initializer_list<const PoolMap*> maps) {
  double largest = 0;
  for (const PoolMap* map : maps)
    for (const MapPool& pool : map->pools) largest = std::max(largest, static_cast<double>(pool.capacity));
  return largest;
}

// The key to the colours, one line; returns its height.
double legend(SvgText& svg, double x, double y, bool with_highlight) {
  struct Entry {
    const char* fill;
    const char* text;
  };
  const Entry entries[] = {{kLiveFill, "live buffer #N"}, {kReleasedFill, "released"},
                           {kPaddingFill, "padding (rounding)"}, {kTailFill, "tail waste"},
                           {kRoomFill, "room left (current pool)"}, {kDeadRow, "dead pool (row)"}};
  svg.text(x, y + 12, "Legend:", "label");
  double lx = x + 62;
  for (const Entry& e : entries) {
    svg.rect(lx, y + 1, 14, 14, e.fill, "legend", {});
    svg.text(lx + 19, y + 12, e.text, "small");
    lx += 30 + 6.2 * static_cast<double>(std::string_view(e.text).size());
  }
  svg.line(lx + 7, y - 1, lx + 7, y + 17, kOffsetColour, 2, "legend");
  svg.text(lx + 15, y + 12, "current offset", "small");
  lx += 110;
  if (with_highlight) {
    svg.rect(lx, y, 16, 16, "none", "legend-highlight", {});
    svg.text(lx + 21, y + 12, "differs", "small");
  }
  return 24;
}

void draw_map_panel(SvgText& svg, const PoolMap& map, double x, double y, double scale_capacity,
                    std::optional<std::uint64_t> highlight, Layout layout, double& height) {
  MapDrawer drawer(svg, map, highlight, scale_capacity, layout);
  height = drawer.draw(x, y);
}

}  // namespace

std::string map_svg(const PoolMap& map, const MapPicture& picture) {
  SvgText body;
  constexpr double margin = 16;
  body.text(margin, 24, picture.title, "title");
  body.text(margin, 44, map.source + ", " + op_line(map), "label");
  body.text(margin, 62, stats_line(map.stats), "small");
  double height = 0;
  draw_map_panel(body, map, margin, 76, largest_capacity({&map}), picture.highlight, kSingle, height);
  const double legend_y = 76 + height + 12;
  legend(body, margin, legend_y, picture.highlight.has_value());
  return body.document(kSingle.panel() + 2 * margin, legend_y + 24 + margin);
}

std::string divergence_svg(const PoolMap& expected, const PoolMap& actual, const std::string& title,
                           const std::vector<std::string>& caption, std::optional<std::uint64_t> highlight) {
  SvgText body;
  constexpr double margin = 16, gap = 40;
  body.text(margin, 24, title, "title");
  double y = 46;
  for (const std::string& line : caption) {
    body.text(margin, y, line, "label");
    y += 18;
  }
  const double scale = largest_capacity({&expected, &actual});
  const double right = margin + kPair.panel() + gap;
  body.text(margin, y + 14, "expected: the reference model", "heading");
  body.text(right, y + 14, "actual: the allocator", "heading");
  body.text(margin, y + 32, stats_line(expected.stats), "tiny");
  body.text(right, y + 32, stats_line(actual.stats), "tiny");
  y += 44;
  double left_height = 0, right_height = 0;
  draw_map_panel(body, expected, margin, y, scale, highlight, kPair, left_height);
  draw_map_panel(body, actual, right, y, scale, highlight, kPair, right_height);
  body.line(right - gap / 2, y, right - gap / 2, y + std::max(left_height, right_height), "#999999", 1, "divider");
  const double legend_y = y + std::max(left_height, right_height) + 12;
  legend(body, margin, legend_y, true);
  return body.document(2 * kPair.panel() + gap + 2 * margin, legend_y + 24 + margin);
}

}  // namespace poolcheck
