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
  explicit DecodeLoop(std::span<const std::uint8_t> bytes) : decoder_(bytes) {}

  const PoolOptions& settings() const { return decoder_.settings(); }

  // Reads the view from `model` instead of a model of its own: the caller
  // applies every op next() returns to `model`, once, before it calls next()
  // again (fuzz/fuzz_target.h: the DifferentialChecker's model, which only
  // ops change; the checker stops at its first divergence, and so does the
  // loop). Saves a second model per run. Call it before the first next().
  void follow(const ReferenceModel& model) { followed_ = &model; }

  // The next op, or nullopt at the end of the input.
  std::optional<Op> next() {
    if (followed_ != nullptr) return decoder_.next(followed_->view());
    if (!own_) own_.emplace(decoder_.settings());
    std::optional<Op> op = decoder_.next(own_->view());
    if (op) own_->apply(*op);
    return op;
  }

 private:
  OpDecoder decoder_;
  std::optional<ReferenceModel> own_;
  const ReferenceModel* followed_ = nullptr;
};

// A whole input.
struct DecodedOps {
  PoolOptions settings;
  std::vector<Op> ops;
};
DecodedOps decode_ops(std::span<const std::uint8_t> bytes);

}  // namespace poolcheck
