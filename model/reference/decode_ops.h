// Decoding a whole fuzzer input (model/ops/op_codec.h) with the room each op
// is sized by taken from a reference model: the decoder needs to know where
// the current pool stands, and the model is what knows it without an
// allocator.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/ops/op_codec.h"
#include "model/ops/ops.h"

namespace poolcheck {

// Decodes a whole input, taking the room from a reference model.
struct DecodedOps {
  PoolOptions settings;
  std::vector<Op> ops;
};
DecodedOps decode_ops(std::span<const std::uint8_t> bytes);

}  // namespace poolcheck
