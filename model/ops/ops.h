// The op language: the one representation of an allocation sequence that the
// model, the checker, the property tests, the fuzzers and the tools share.
//
// Text form, one op per line ('#' starts a comment, blank lines and CRLF are
// fine), each op as its row of op_table.def says (docs/FORMATS.md lists
// them):  pool_size N | alloc N [align A] | from R A | release K |
//         alloc_slow N [align A] | fail_next [K] | realloc K N |
//         try_pool_size V | try_alignment V | try_cache_limit V |
//         try_cache_window V (and the shorthands burst, churn, drop, cycle)
// Buffers are numbered from 0 in creation order, empty ones included; a
// refused request (refusal_of below) creates no buffer. An op
// whose upstream request fails by `fail_next` throws and is then run once
// more (docs/SPEC.md), so it keeps its buffer number.
// Comment lines `#@ alignment N`, `#@ cache_limit N` and `#@ pool_size N`
// before the first op set the allocator's settings (see docs/FORMATS.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/pool_types.h"

namespace poolcheck {

enum class OpKind : std::uint8_t {
#define POOLCHECK_OP(Kind, ...) k##Kind,
#include "model/ops/op_table.def"
#undef POOLCHECK_OP
};

struct Op {
  OpKind kind = OpKind::kAlloc;
  // The first field of the op's row in op_table.def: N for pool_size, alloc
  // and alloc_slow, R for from, K for release and fail_next
  std::uint64_t a = 0;
  // The second: A (kept) for from; the requested alignment for alloc and
  // alloc_slow, 0 when the op names none (`alloc N` is allocate(n),
  // `alloc N align 1` is allocate(n, 1): the same placement, another call)
  std::uint64_t b = 0;
  bool operator==(const Op&) const = default;

  static Op pool_size(std::uint64_t n) { return {OpKind::kPoolSize, n, 0}; }
  static Op alloc(std::uint64_t n) { return {OpKind::kAlloc, n, 0}; }
  static Op alloc(std::uint64_t n, std::uint64_t alignment) { return {OpKind::kAlloc, n, alignment}; }
  static Op alloc_slow(std::uint64_t n, std::uint64_t alignment = 0) { return {OpKind::kAllocSlow, n, alignment}; }
  static Op from(std::uint64_t reserve, std::uint64_t kept) { return {OpKind::kFrom, reserve, kept}; }
  static Op release(std::uint64_t buffer) { return {OpKind::kRelease, buffer, 0}; }
  static Op fail_next(std::uint64_t k = 1) { return {OpKind::kFailNext, k, 0}; }
  static Op realloc(std::uint64_t buffer, std::uint64_t n) { return {OpKind::kRealloc, buffer, n}; }
};

// What the text parser accepts for a field (op_table.def).
enum class FieldRule : std::uint8_t {
  kAny,               // any 64-bit number
  kPoolSize,          // a pool size: any number; above 2^30 it is refused when run (refusal_of)
  kRequestAlignment,  // 1 or more (0 is "none"); one that is not a power of two 1 .. 2^30 is refused when run
  kAtMostA,           // at most the op's first field (from keeps at most what it reserves)
  kLiveBuffer,        // a buffer created before and not released yet
  kPositive,          // 1 or more
  kRepeat,            // 1 .. kMaxRepeat: how many times a shorthand repeats its ops
  kRequestSize,       // 0 .. spec::kMaxRequest: a size that is always served (realloc's N)
  kSettingValue,      // any number; one the spec refuses for the setting is refused when run (try_S V)
};
inline constexpr std::uint64_t kRequired = ~std::uint64_t{0};
// The most a shorthand (model/ops/shorthand.h) repeats its ops.
inline constexpr std::uint64_t kMaxRepeat = 1024;

struct OpField {
  std::string_view letter;   // empty: the op has no such field
  std::string_view keyword;  // written before the number, or empty
  FieldRule rule = FieldRule::kAny;
  std::uint64_t absent = kRequired;  // the value when the text leaves the field out
  std::string_view json;
  std::string_view what;
  bool exists() const { return !letter.empty(); }
  bool optional() const { return absent != kRequired; }
};

// The handler an op reaches in every tool (op_dispatch.h). kShorthand: the
// op stands for a run of plain ops, which the parser and the decoder put in
// its place (model/ops/shorthand.h); no tool runs a shorthand itself.
// kRealloc: a live buffer resized into a new one (it ends the old buffer's
// life and creates the next); a tool with no resize of its own runs it as
// the plain ops it means (realloc_as_plain_ops). kTrySetting: another
// allocator constructed with one setting changed, and destroyed (try_S V).
enum class OpHandler : std::uint8_t { kRequest, kPoolSize, kRelease, kFailNext, kShorthand, kRealloc, kTrySetting };

struct OpSpec {
  OpKind kind;
  std::string_view name;
  bool creates_buffer;
  OpHandler handler;
  std::uint8_t extension;  // after the binary form's extension tag; 0: a tag of its own
  OpField a, b;
  std::string_view help;
};

inline constexpr OpSpec kOpSpecs[] = {
#define POOLCHECK_FIELD(letter, keyword, rule, absent, json, what) \
  OpField { letter, keyword, FieldRule::rule, absent, json, what }
#define POOLCHECK_NO_FIELD \
  OpField {}
#define POOLCHECK_OP(Kind, name, creates, handler, extension, a, b, help) \
  {OpKind::k##Kind, name, creates, OpHandler::k##handler, extension, a, b, help},
#include "model/ops/op_table.def"
#undef POOLCHECK_OP
#undef POOLCHECK_NO_FIELD
#undef POOLCHECK_FIELD
};
static_assert([] {
  for (std::size_t i = 0; i < std::size(kOpSpecs); ++i)
    if (static_cast<std::size_t>(kOpSpecs[i].kind) != i) return false;
  return true;
}(), "op_table.def's rows are in OpKind order");

constexpr const OpSpec& spec_of(OpKind kind) { return kOpSpecs[static_cast<std::size_t>(kind)]; }
// Whether the op's buffer field (a kLiveBuffer rule) ends that buffer's life:
// release and realloc.
constexpr bool ends_buffer(const OpSpec& spec) {
  return spec.handler == OpHandler::kRelease || spec.handler == OpHandler::kRealloc;
}
// The row with this text name; nullptr if none.
const OpSpec* op_named(std::string_view name);
// "alloc N [align A]": the text syntax, made from the row's fields.
std::string syntax_of(const OpSpec& spec);

// The alignment an alloc or alloc_slow asks for (1 when it names none).
inline std::uint64_t requested_alignment(const Op& op) { return op.b == 0 ? 1 : op.b; }
// An alloc that names an alignment: allocate(n, alignment).
inline bool is_aligned_alloc(const Op& op) { return op.kind == OpKind::kAlloc && op.b != 0; }

// Whether the op asks for a new buffer (alloc, alloc_slow, from, realloc).
bool creates_buffer(const Op& op);

// The one rule for the ops the allocator refuses (docs/SPEC.md, Failure):
// the exception they throw, before anything changes (no statistic, no
// placement, no upstream request), and no buffer number is used. In order:
//   kInvalidArgument  an alloc or alloc_slow whose alignment is not a power
//                     of two 1 .. 2^30 (checked first, as Node does), a
//                     pool_size above 2^30, or a try_S V whose V the spec
//                     refuses for S
//   kLengthError      an alloc, alloc_slow or from whose request is above
//                     spec::kMaxRequest (2^30) (realloc's N is never above it:
//                     FieldRule::kRequestSize)
enum class Refusal : std::uint8_t { kNone, kInvalidArgument, kLengthError };
Refusal refusal_of(const Op& op);
inline bool refused(const Op& op) { return refusal_of(op) != Refusal::kNone; }
// The exception's name as traces and `poolcheck parse` print it
// ("invalid_argument", "length_error"); empty for kNone.
std::string_view refusal_name(Refusal refusal);
struct Setting;  // model/ops/settings.h
// The setting a try_S op tries (handler kTrySetting): the row of kSettings
// named S. Throws std::invalid_argument for any other op (try_null_upstream
// too: the upstream is no row of kSettings).
const Setting& setting_tried(const Op& op);
// The settings the allocator of a try op (handler kTrySetting) is built
// with: `options` with S = V for try_S V, with no upstream for
// try_null_upstream.
PoolOptions tried_options(const Op& op, PoolOptions options);

// What the exception of a refused op says, in docs/SPEC.md's words
// (spec_limits.h): "alignment must be a power of two from 1 to 2^30
// (1073741824), not 96", "request 1073741825 is beyond 2^30 (1073741824)",
// "pool_size 1073741825 is beyond 2^30 (1073741824)"; empty when the op is
// not refused.
std::string refusal_message(const Op& op);
// The bytes a buffer-creating op asks for: N of alloc, alloc_slow and
// realloc, R of from.
inline std::uint64_t requested_size(const Op& op) { return op.kind == OpKind::kRealloc ? op.b : op.a; }

// `realloc K N` as the plain ops it means where an allocator has no resize
// (the Node pool: a new Buffer.allocUnsafe(N), the bytes copied, buffer K
// dropped): `alloc N` (the next buffer), then `release K`. The copy is
// content only; placements, buffer numbers and upstream requests are those
// of the two ops.
inline std::array<Op, 2> realloc_as_plain_ops(const Op& realloc) {
  return {Op::alloc(realloc.b), Op::release(realloc.a)};
}

// Splits one line into its space- or tab-separated words (the text form's
// tokenizer; recordings' comments use it too).
std::vector<std::string_view> words_of(std::string_view line);

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
// `align 0` (0 is how an op says "no alignment"), fail_next 0, and release of a buffer that does not exist or is already
// released. `settings` are the defaults that #@ lines override.
struct ParseResult {
  std::optional<OpFile> file;
  std::optional<ParseError> error;
};
ParseResult parse_ops(std::string_view text, const PoolOptions& defaults = {});

}  // namespace poolcheck
