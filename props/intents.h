// Intents: what the property generators choose, before it becomes ops.
//
// An intent names an edge ("the exact room left", "threshold - 1", "release
// the oldest live buffer") instead of a number. It becomes concrete ops only
// against a running ReferenceModel, the way model/ops/op_codec.cc's decoder reads
// model.room(). Generating intents rather than ops is what keeps shrinking
// meaningful: when RapidCheck drops an earlier op, "alloc room" still fills
// the pool exactly and "release oldest" still names a live buffer, so every
// shrunk candidate is a valid sequence that still aims at the same edge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "model/ops/ops.h"
#include "model/reference/reference_model.h"

namespace poolcheck::props {

// Request sizes, relative to the state they meet. Declaration order is shrink
// order (props/generators.cc): RapidCheck tries the earlier edges first, and
// the earlier ones depend less on what came before, so a shrunk intent keeps
// failing when the ops before it are gone.
enum class SizeEdge : std::uint8_t {
  kZero,
  kOne,
  kSmall,              // literal % 64
  kAlignmentMinusOne,
  kAlignmentPlusOne,
  kThresholdMinusOne,  // the largest pooled request
  kThreshold,          // the smallest unpooled request
  kPooledScaled,       // max(1, threshold * (literal % 256) / 256): pooled when any size is
  kScaled,             // pool_size * (literal % 256) / 128, anywhere in [0, 2 * pool_size)
  kRoom,               // fills the current pool exactly
  kRoomPlusOne,        // one byte too many: a new pool
  kBeyondMaxRequest,   // spec::kMaxRequest + 1 + literal % 4: std::length_error
};
inline constexpr std::size_t kSizeEdges = static_cast<std::size_t>(SizeEdge::kBeyondMaxRequest) + 1;
struct SizeIntent {
  SizeEdge edge = SizeEdge::kSmall;
  std::uint32_t literal = 0;
};

// The other choices too are in shrink order, simplest first.
// How much of its reservation `from R A` keeps.
enum class KeptEdge : std::uint8_t { kAll, kNone, kPart };  // A = R, A = 0, A = literal % (R + 1)
// Which live buffer a release names, in creation order.
enum class ReleasePick : std::uint8_t { kOldest, kNewest, kAny };  // kAny: index % live count
// New pool_size settings.
enum class PoolSizeEdge : std::uint8_t {
  kDefault,     // 8192
  kTiny,        // 0, 1, 2, 3, 7, 9, 101
  kMisaligned,  // not a multiple of the alignment (when the alignment is > 1)
  kScaled,      // 16 + literal % 16384
  kLarge,       // 65536 or 2^20; 2^30 (the largest) once in 32
};

// The alignment an alloc asks for (Buffer.allocUnsafe(size, alignment),
// Node v26.8+), in shrink order: none first, so that a shrunk counterexample
// is a plain alloc when the alignment does not matter.
enum class AlignEdge : std::uint8_t {
  kNone,           // alloc N
  kPoolBase,       // 64: the largest that is pooled
  kAbovePoolBase,  // 128: the smallest that never is
  kPadToEnd,       // the smallest A <= 64 that rounds the offset exactly onto the pool's end (else 64)
  kSmall,          // 2, 4, 8, 16 or 32 (by literal)
  kLarge,          // 256 .. 4096 (by literal)
  kOne,            // alloc N align 1
};
struct AllocIntent {
  SizeIntent size;
  AlignEdge align = AlignEdge::kNone;
  bool slow = false;  // alloc_slow (Buffer.allocUnsafeSlow): never pooled
  std::uint32_t literal = 0;
};
// fail_next K: the K-th upstream request from now fails (1..4).
struct FailNextIntent {
  std::uint32_t k = 1;
};
struct FromIntent {
  SizeIntent reserve;
  KeptEdge kept = KeptEdge::kAll;
  std::uint32_t literal = 0;
};
struct ReleaseIntent {
  ReleasePick pick = ReleasePick::kOldest;
  std::uint32_t index = 0;
};
struct PoolSizeIntent {
  PoolSizeEdge edge = PoolSizeEdge::kDefault;
  std::uint32_t literal = 0;
};
// A long run in one intent: `rounds` allocations of `size`, each followed by
// the release of this run's oldest buffer once more than `window` are live.
// Pools fill, fall behind, die and come back from the cache.
struct ChurnIntent {
  std::uint32_t rounds = 1;
  std::uint32_t window = 0;
  SizeIntent size;
};
// An op that has an extension number in op_table.def, its fields made from
// its row alone, so that a new op is generated without an intent of its
// own: a number is `size` aimed at the pool it meets, an alignment `align`,
// a part of the first field `literal % (first + 1)`, a buffer `pick` among
// the live ones, K >= 1 `1 + literal % 4`, a pool size `pool_size`.
struct ExtensionIntent {
  std::uint32_t which = 0;  // among the rows with an extension number, in table order
  SizeIntent size;
  AlignEdge align = AlignEdge::kNone;
  ReleasePick pick = ReleasePick::kOldest;
  PoolSizeIntent pool_size;
  std::uint32_t literal = 0;
};
using Intent =
    std::variant<AllocIntent, FromIntent, ReleaseIntent, PoolSizeIntent, ChurnIntent, FailNextIntent, ExtensionIntent>;


// The values behind the tiny and large pool_size edges. The largest, 2^30,
// is drawn once in kLargestPoolOneIn large picks: a pool that big costs
// nothing natively (untouched memory), but under AddressSanitizer freeing it
// poisons 128 MiB of shadow: 32768 page faults, about 0.4 s here (estimate).
inline constexpr std::uint64_t kTinyPoolSizes[] = {0, 1, 2, 3, 7, 9, 101};
inline constexpr std::uint64_t kLargePoolSizes[] = {65536, std::uint64_t{1} << 20};
inline constexpr std::uint64_t kLargestPoolOneIn = 32;

// The generator's running state: the reference model, the live buffers in
// creation order (so that "oldest" and "newest" mean something), and how
// many bytes the sequence has requested. Copyable, so it can be rc::state's
// model.
class GenState {
 public:
  explicit GenState(const PoolOptions& settings = {}) : model_(settings) {}

  const ReferenceModel& model() const { return model_; }
  const PoolOptions& settings() const { return model_.settings(); }
  std::span<const std::uint64_t> live() const { return live_; }
  std::uint64_t requested() const { return requested_; }

  // Whether the op keeps the sequence within kMaxDecodedBytes of requests
  // (the fuzzers' budget too): it bounds the bytes the checker fills and the
  // page faults a sequence can cost.
  bool affordable(const Op& op) const;
  Outcome apply(const Op& op);

 private:
  ReferenceModel model_;
  std::vector<std::uint64_t> live_;
  std::uint64_t requested_ = 0;
};

// The concrete size an intent names in this state. For a request aligned to
// `alignment` (2..64), the room is what is left after the offset is rounded
// up to it, so that `room` fills the pool exactly and `room + 1` is pushed
// over the end by the padding.
std::uint64_t resolve(const SizeIntent& size, const GenState& state, std::uint64_t alignment = 1);
// The alignment an alloc intent names in this state; 0 for none.
std::uint64_t resolve(const AllocIntent& alloc, const GenState& state);
std::uint64_t resolve(const PoolSizeIntent& pool_size, const PoolOptions& settings);
// The rows an ExtensionIntent picks from: op_table.def's with an extension
// number that are not shorthands, in table order. Empty until the first such op.
std::vector<const OpSpec*> extension_rows(std::span<const OpSpec> specs = kOpSpecs);
// The op an ExtensionIntent names in this state among `specs`' extension
// rows; nullopt when there is none, or no live buffer for a buffer field.
std::optional<Op> resolve(const ExtensionIntent& intent, const GenState& state,
                          std::span<const OpSpec> specs = kOpSpecs);

// Appends the intent's ops to `out`, applying each to `state`. An intent can
// yield nothing: a release with no live buffer, a request past the budget.
void emit(const Intent& intent, GenState& state, std::vector<Op>& out);

// The ops of a whole intent sequence, from a fresh state.
std::vector<Op> realize(std::span<const Intent> intents, const PoolOptions& settings);

// "alloc room+1", "from threshold-1 keep none", "churn 12x scaled(40) window 2".
std::string describe(const Intent& intent);

}  // namespace poolcheck::props
