// The op language: the one representation of an allocation sequence that the
// model, the checker, the property tests, the fuzzers and the tools share.
//
// Text form, one op per line ('#' starts a comment, blank lines and CRLF are
// fine):   pool_size N | alloc N | from R A | release K
// Buffers are numbered from 0 in creation order, empty ones included; an
// alloc or from that fails with std::length_error creates no buffer.
// Comment lines `#@ alignment N`, `#@ cache_limit N` and `#@ pool_size N`
// before the first op set the allocator's settings (see docs/FORMATS.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/pool_types.h"

namespace poolcheck {

enum class OpKind : std::uint8_t { kPoolSize, kAlloc, kFrom, kRelease };

struct Op {
  OpKind kind = OpKind::kAlloc;
  std::uint64_t a = 0;  // N for pool_size and alloc, R for from, K for release
  std::uint64_t b = 0;  // A for from
  bool operator==(const Op&) const = default;

  static Op pool_size(std::uint64_t n) { return {OpKind::kPoolSize, n, 0}; }
  static Op alloc(std::uint64_t n) { return {OpKind::kAlloc, n, 0}; }
  static Op from(std::uint64_t reserve, std::uint64_t kept) { return {OpKind::kFrom, reserve, kept}; }
  static Op release(std::uint64_t buffer) { return {OpKind::kRelease, buffer, 0}; }
};

// Whether the op asks for a new buffer (alloc, from) and whether that request
// is beyond kMaxRequest, so that it fails without creating one.
bool creates_buffer(const Op& op);
bool exceeds_max_request(const Op& op);

// A sequence's settings are the PoolOptions the allocator is made with
// (allocator/pool_types.h; model/ops/settings.h names them for the tools).
// `pool_size` is only the initial value: `pool_size N` ops change it.

std::string to_text(const Op& op);
// A whole file: the settings that differ from the defaults as #@ lines, then
// one op per line.
std::string to_text(std::span<const Op> ops, const PoolOptions& settings = {});

struct ParseError {
  std::size_t line = 0;  // 1-based
  std::string message;
};

struct OpFile {
  PoolOptions settings;
  std::vector<Op> ops;
  std::vector<std::size_t> lines;  // source line of each op
};

// Parses and validates: besides syntax it rejects `from R A` with A > R,
// pool_size beyond 2^30, and release of a buffer that does not exist or is
// already released. `settings` are the defaults that #@ lines override.
struct ParseResult {
  std::optional<OpFile> file;
  std::optional<ParseError> error;
};
ParseResult parse_ops(std::string_view text, const PoolOptions& defaults = {});

}  // namespace poolcheck
