// Shorthands: the op_table.def rows whose handler is Shorthand stand for a
// run of plain ops. One definition of what each stands for, used by the text
// parser (ops.cc), the binary decoder (op_codec.cc) and the property
// generators (props/intents.cc); every tool then sees the plain ops only,
// so `poolcheck convert` prints them and a minimized crash is committed as
// them.
//   burst K N   K times `alloc N`
//   churn K N   K times `alloc N` then the release of that buffer (none when
//               N is beyond spec::kMaxRequest: the alloc then creates no buffer)
//   drop K      the release of the K newest live buffers, newest first (all
//               of them when fewer are live)
//   cycle K N   K times `alloc N`, the release of those K buffers newest
//               first (none when N is refused), then K times `alloc N` again:
//               pools the first K started die into the cache and the second
//               K's pool starts take them back
#pragma once

#include <cstdint>
#include <vector>

#include "model/ops/ops.h"

namespace poolcheck {

inline bool is_shorthand(const Op& op) { return spec_of(op.kind).handler == OpHandler::kShorthand; }

// Appends the plain ops `shorthand` stands for to `out`. `next_buffer` is
// the number the next buffer created gets; `newest_live(k)` returns the k
// newest live buffers (fewer when fewer are live), newest first; it is
// called only for drop.
template <class Out, class NewestLive>
void expand_shorthand(const Op& shorthand, std::uint64_t next_buffer, NewestLive&& newest_live, Out& out) {
  switch (shorthand.kind) {
    case OpKind::kBurst:
      for (std::uint64_t i = 0; i < shorthand.a; ++i) out.push_back(Op::alloc(shorthand.b));
      return;
    case OpKind::kChurn:
      for (std::uint64_t i = 0; i < shorthand.a; ++i) {
        const Op alloc = Op::alloc(shorthand.b);
        out.push_back(alloc);
        if (!refused(alloc)) out.push_back(Op::release(next_buffer++));
      }
      return;
    case OpKind::kDrop:
      for (const std::uint64_t buffer : newest_live(shorthand.a)) out.push_back(Op::release(buffer));
      return;
    case OpKind::kCycle: {
      const Op alloc = Op::alloc(shorthand.b);
      for (std::uint64_t i = 0; i < shorthand.a; ++i) out.push_back(alloc);
      if (!refused(alloc))
        for (std::uint64_t i = shorthand.a; i-- > 0;) out.push_back(Op::release(next_buffer + i));
      for (std::uint64_t i = 0; i < shorthand.a; ++i) out.push_back(alloc);
      return;
    }
    default:
      out.push_back(shorthand);  // a plain op stands for itself
      return;
  }
}

}  // namespace poolcheck
