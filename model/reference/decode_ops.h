// The one decode loop: fuzzer bytes (model/ops/op_codec.h) to ops, each
// aimed at the pool it will meet as the reference model sees it. Every fuzz
// target, `poolcheck convert`, `replay`, `trace` and `map`, the minimizer,
// the bench and the tests decode through it, so that the sequence a fuzz
// target ran is the sequence `poolcheck convert` prints and a minimized crash
// is committed as (fuzz/decode_agreement_test.cc checks it). The view comes
// from the model whatever the allocator under test does: a wrong allocator
// cannot change what an input means.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/ops/op_codec.h"
#include "model/ops/ops.h"
#include "model/reference/reference_model.h"

namespace poolcheck {

class DecodeLoop {
 public:
  explicit DecodeLoop(std::span<const std::uint8_t> bytes) : decoder_(bytes), model_(decoder_.settings()) {}

  const PoolOptions& settings() const { return decoder_.settings(); }
  // The next op, or nullopt at the end of the input.
  std::optional<Op> next() {
    std::optional<Op> op = decoder_.next(model_.view());
    if (op) model_.apply(*op);
    return op;
  }

 private:
  OpDecoder decoder_;
  ReferenceModel model_;
};

// A whole input.
struct DecodedOps {
  PoolOptions settings;
  std::vector<Op> ops;
};
DecodedOps decode_ops(std::span<const std::uint8_t> bytes);

}  // namespace poolcheck
