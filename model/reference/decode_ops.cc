#include "model/reference/decode_ops.h"

#include <optional>

#include "model/reference/reference_model.h"

namespace poolcheck {

DecodedOps decode_ops(std::span<const std::uint8_t> bytes) {
  OpDecoder decoder(bytes);
  ReferenceModel model(decoder.settings());
  DecodedOps decoded{decoder.settings(), {}};
  while (std::optional<Op> op = decoder.next(model.room())) {
    model.apply(*op);
    decoded.ops.push_back(*op);
  }
  return decoded;
}

}  // namespace poolcheck
