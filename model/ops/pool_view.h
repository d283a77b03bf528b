// Where the current pool stands, as the op that comes next will meet it, and
// the edges aimed from it: the one aiming module of the fuzzers' decoder
// (op_codec.cc) and the property generators (props/intents.cc). Sizes aimed
// at "the room left" must mean the same bytes in both, and the same in every
// fuzz target and in `poolcheck convert`: all of them take the view from the
// reference model (ReferenceModel::view()).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "allocator/pool_types.h"

namespace poolcheck {

struct PoolView {
  std::optional<std::int64_t> room;            // capacity - offset; nullopt before the first pool
  std::uint64_t offset = 0;                    // of the current pool
  std::uint64_t pool_size = kDefaultPoolSize;  // the setting: the next pool's capacity
};

// The bytes a request aligned to `request_alignment` can still take from the
// current pool: the room less the padding that rounds the offset up to that
// alignment (only alignments up to the pool base's are pooled), and none
// once the offset is past the end. Before the first pool, the room of the
// pool about to be made.
inline std::uint64_t usable_room(const PoolView& view, std::uint64_t request_alignment = 1) {
  if (!view.room) return view.pool_size;
  std::int64_t room = *view.room;
  if (request_alignment > 1 && request_alignment <= kPoolBaseAlignment)
    room -= static_cast<std::int64_t>(round_up(view.offset, request_alignment) - view.offset);
  return static_cast<std::uint64_t>(std::max<std::int64_t>(room, 0));
}

// The smallest alignment from 2 to the pool base's (64) that rounds the
// offset exactly onto the current pool's end, so that an aligned request
// meets a full pool through its padding alone; 64 when none does, or before
// the first pool.
inline std::uint64_t pad_to_end_alignment(const PoolView& view) {
  if (!view.room) return kPoolBaseAlignment;
  const std::int64_t end = static_cast<std::int64_t>(view.offset) + *view.room;
  for (std::uint64_t alignment = 2; alignment <= kPoolBaseAlignment; alignment *= 2)
    if (static_cast<std::int64_t>(round_up(view.offset, alignment)) == end) return alignment;
  return kPoolBaseAlignment;
}

}  // namespace poolcheck
