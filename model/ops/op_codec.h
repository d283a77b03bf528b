// Binary form of op sequences, for the fuzzers. Any byte string decodes to a
// valid sequence; sizes lean toward the edges (0, 1, alignment +- 1,
// threshold - 1, threshold, the exact room left, room + 1) because that is
// where pool allocators break. Text -> binary -> text is the identity, so a
// fuzz crash becomes a readable regression and back. Layout: docs/FORMATS.md.
//
// A sequence may request at most kMaxDecodedBytes in all (request_cost
// below: alloc N and from R A count N and R, an alignment above 64 counts
// too, an alloc above 1 MiB counts a quarter MiB; refused requests and
// empty ones cost nothing). Decoding ends at the op that would pass it: that
// keeps every input cheap for the fuzzers, and replay sees exactly what the
// fuzzer saw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <vector>

#include "model/ops/ops.h"
#include "model/ops/pool_view.h"

namespace poolcheck {

// Buffers the decoder may release, in an order both sides reproduce:
// creation order, with removal by swapping in the last one.
class LiveBuffers {
 public:
  void add(std::uint64_t buffer) { ids_.push_back(buffer); }
  std::size_t size() const { return ids_.size(); }
  std::uint64_t at(std::size_t index) const { return ids_[index]; }
  std::optional<std::size_t> index_of(std::uint64_t buffer) const;
  void remove_at(std::size_t index);
  // remove_at(index_of(buffer)) for a live buffer, searched from the end
  // (where a shorthand's buffers are).
  void remove(std::uint64_t buffer);
  // The k highest-numbered (newest) live buffers, newest first.
  std::pmr::vector<std::uint64_t> newest(std::uint64_t k) const;

 private:
  std::pmr::vector<std::uint64_t> ids_;  // the default resource (fuzz/fuzz_target.h)
};

inline constexpr std::uint64_t kMaxDecodedBytes = std::uint64_t{1} << 20;
// The most plain ops the shorthands of one input may stand for
// (model/ops/shorthand.h): the shorthand that would pass it ends the
// sequence, as the byte budget does. Enough for 1024 pool starts, a full
// cache and two trims at Node's window of 512.
inline constexpr std::uint64_t kMaxShorthandOps = 4096;

// Above kLargeRequest bytes a buffer is not written in full: the checkers
// pattern its ends and at most 64 short runs (model/checks/content_pattern.h,
// whose kFullPatternLimit is this bound) and the fuzz targets' upstream maps
// it lazily, so it costs what it touches, not what it asks.
inline constexpr std::uint64_t kLargeRequest = kMaxDecodedBytes;
inline constexpr std::uint64_t kLargeRequestCost = kMaxDecodedBytes / 4;

// What an op adds toward kMaxDecodedBytes: N of alloc, alloc_slow and
// realloc, R of from (refused requests, refusal_of, cost nothing: they touch
// no memory), and an alignment above 64 too, since the block it asks for may
// take up to N + A bytes (under AddressSanitizer it does); an empty request
// takes no block, whatever its alignment. An alloc or alloc_slow of more
// than kLargeRequest bytes counts kLargeRequestCost for its N (up to four in
// an input: a request of exactly 2^30, which must succeed, fits); realloc
// and from still count N and R, since realloc copies and from's writer
// writes what they keep.
inline std::uint64_t request_cost(const Op& op) {
  if (!creates_buffer(op) || refused(op) || requested_size(op) == 0) return 0;
  const bool aligned = op.kind == OpKind::kAlloc || op.kind == OpKind::kAllocSlow;
  const std::uint64_t size = aligned && op.a > kLargeRequest ? kLargeRequestCost : requested_size(op);
  return size + (aligned && op.b > kPoolBaseAlignment ? op.b : 0);
}

class OpDecoder {
 public:
  // `specs` is op_table.def's; a test may give a table in which some op
  // also has an extension number, to check the extension form on it.
  explicit OpDecoder(std::span<const std::uint8_t> bytes, std::span<const OpSpec> specs = kOpSpecs);

  const PoolOptions& settings() const { return settings_; }
  // The next op, or nullopt at the end of the input, its sizes aimed at the
  // pool it will meet: `view` is the reference model's (ReferenceModel::
  // view()). Every tool decodes through one loop that feeds it
  // (model/reference/decode_ops.h): call it directly only to test the codec.
  std::optional<Op> next(const PoolView& view);

 private:
  std::uint8_t byte();
  std::uint64_t varint();
  std::uint64_t size_choice(unsigned selector, const PoolView& view, std::uint64_t request_alignment = 1);
  std::uint64_t alignment_choice(unsigned index, const PoolView& view);
  Op aligned_request(OpKind kind, std::uint64_t alignment, const PoolView& view);
  std::uint64_t kept_choice(std::uint64_t reserve);
  std::optional<std::uint64_t> live_buffer(bool ends_it);
  std::optional<Op> extension_op(const PoolView& view);
  void expand(const Op& shorthand);

  std::span<const std::uint8_t> bytes_;
  std::span<const OpSpec> specs_;
  std::size_t pos_ = 0;
  PoolOptions settings_;
  LiveBuffers live_;
  std::uint64_t next_buffer_ = 0;
  std::uint64_t requested_ = 0;  // toward kMaxDecodedBytes
  std::pmr::vector<Op> pending_;  // the plain ops of the last shorthand not handed out yet
  std::size_t pending_at_ = 0;
  std::uint64_t expanded_ = 0;  // toward kMaxShorthandOps
};

// Valid ops (as parse_ops accepts them) to bytes that decode back to them.
// Throws std::invalid_argument for what the binary form cannot carry: a
// cache_limit other than 0..14 or the default, an initial pool size other than 8192,
// or more than kMaxDecodedBytes.
std::vector<std::uint8_t> encode_ops(std::span<const Op> ops, const PoolOptions& settings,
                                     std::span<const OpSpec> specs = kOpSpecs);

}  // namespace poolcheck
