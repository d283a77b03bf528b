// `poolcheck whatif --pool-size LIST [--alignment LIST] FILE [-o OUT.svg]`:
// the model replays one sequence (a recording of a real program, or any op
// file) under each pool size (and fixed alignment) and says what each would
// cost: pools started, pool memory held (peak and mean over the ops; a pool
// is held while it is current or any slice of it is live), tail waste,
// padding, the share of requests pooled and how many buffers go unpooled.
// A table on stdout, and a chart with -o.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/reference/sequence_file.h"

namespace poolcheck {

struct WhatIf {
  std::uint64_t pool_size = 0;
  std::uint64_t alignment = 0;
  std::uint64_t pools = 0;       // pools started (fresh or reusing a dead pool's memory)
  std::uint64_t held_peak = 0;   // bytes of pool memory held, largest after any op
  double held_mean = 0;          // the same, averaged over the ops
  std::uint64_t tail_waste = 0;
  std::uint64_t padding = 0;
  std::uint64_t requests = 0;    // non-empty buffers from alloc and from (alloc_slow is never pooled)
  std::uint64_t pooled = 0;      // of those, pooled
};

// One replay of `file` by the model with the initial pool size and
// alignment replaced (pool_size ops in the file still apply).
WhatIf what_if(const SequenceFile& file, std::uint64_t pool_size, std::uint64_t alignment);

// The markdown table, one row per result.
std::string whatif_table(const std::vector<WhatIf>& results);

// The chart: per setting, memory held (peak and mean) as bars, with pools and
// pooled share beside them.
std::string whatif_svg(const std::string& title, const std::vector<WhatIf>& results);

// `--summary FILE...`: one row per recording (docs/NODE.md's table): what
// Node did (buffers, pooled share, inferred ops) and, per pool size, pools
// and memory held. Empty after printing "FILE:LINE: problem" on stderr.
std::string whatif_summary(const std::vector<std::string>& files, const std::vector<std::uint64_t>& sizes);

// argv[1] is "whatif". Exit 0, or 2 for bad usage or input.
int whatif_command(int argc, char** argv);

}  // namespace poolcheck
