// Pool maps as pictures: SVG 1.1 with no external fonts, scripts or links,
// and a self-contained HTML page with one frame per op.
//
// Every shape carries what it stands for, so that tests (and curious
// readers) can check the drawing against the numbers:
//   class="pool"     data-pool, data-capacity      the pool's outline
//   class="buffer"   data-buffer, data-offset, data-length, data-live
//   class="padding"  data-pool, data-offset, data-length  bytes skipped by rounding
//   class="tail"     data-pool, data-offset, data-length  tail waste (pool abandoned)
//   class="room"     data-pool, data-offset, data-length  room left in the current pool
//   class="offset"   data-pool, data-offset            the current pool's offset
//   class="unpooled" data-buffer, data-length, data-live  one entry of the list
//   class="highlight" data-buffer                       the buffer a divergence is about
// Pooled buffers are drawn to scale (x = offset * scale, width = length *
// scale, one scale for every pool) but at least 1 px wide, so that an empty
// or tiny buffer stays visible. A pool that would be narrower than 120 px at
// that scale is drawn across the whole bar instead, and its caption says
// "drawn to its own scale".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/ops/ops.h"
#include "model/tool/pool_map.h"

namespace poolcheck {

struct MapPicture {
  std::string title;                    // first line, e.g. the file name
  std::optional<std::uint64_t> highlight;  // buffer to outline
};

// One map with its header, stats and legend.
std::string map_svg(const PoolMap& map, const MapPicture& picture);

// Expected (model) and actual (allocator) side by side under a caption (the
// divergence report's lines), the differing buffer outlined in both.
std::string divergence_svg(const PoolMap& expected, const PoolMap& actual, const std::string& title,
                           const std::vector<std::string>& caption, std::optional<std::uint64_t> highlight);

// One frame per op in one HTML page, a slider and the op text under it.
// `frames` are map_svg pictures (the state after each op), `op_texts` the op
// each frame follows; the last frame shows first.
std::string map_html(const std::string& title, std::span<const std::string> frames,
                     std::span<const std::string> op_texts);

}  // namespace poolcheck
