#include "model/reference/decode_ops.h"

namespace poolcheck {

DecodedOps decode_ops(std::span<const std::uint8_t> bytes) {
  DecodeLoop loop(bytes);
  DecodedOps decoded{loop.settings(), {}};
  while (std::optional<Op> op = loop.next()) decoded.ops.push_back(*op);
  return decoded;
}

}  // namespace poolcheck
