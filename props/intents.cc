#include "props/intents.h"

#include <algorithm>
#include <deque>
#include <iterator>

#include "model/ops/op_codec.h"
#include "model/ops/pool_view.h"
#include "model/ops/spec_limits.h"

namespace poolcheck::props {

namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
// clang 14 has no deduction for aggregates yet.
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

std::uint64_t saturating_sub(std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; }

// Pushes and applies `op` if the budget allows; the outcome if it ran.
std::optional<Outcome> run(const Op& op, GenState& state, std::vector<Op>& out) {
  if (!state.affordable(op)) return std::nullopt;
  out.push_back(op);
  return state.apply(op);
}

// For "pad to end": pooled allocations that bring the offset to one unit of
// the alignment setting before the pool's end, when that end is a multiple
// of a larger power of two up to 64, so that rounding lands exactly on it.
// At most four, each below the threshold; nothing when no such end exists.
void approach_the_end(GenState& state, std::vector<Op>& out) {
  const std::uint64_t unit = state.settings().alignment;
  for (int step = 0; step < 4; ++step) {
    const ReferenceModel& model = state.model();
    const std::optional<std::int64_t> room = model.room();
    if (!room || *room <= 0) return;
    const std::uint64_t end = model.offset() + static_cast<std::uint64_t>(*room);
    if (end % (2 * unit) != 0 || 2 * unit > kPoolBaseAlignment) return;
    const std::uint64_t target = end - unit;
    if (model.offset() >= target) return;
    const std::uint64_t threshold = model.pool_size() / 2;
    const std::uint64_t step_bytes = std::min<std::uint64_t>(target - model.offset(), saturating_sub(threshold, 1));
    if (step_bytes == 0 || model.pool_size() != static_cast<std::uint64_t>(end)) return;
    if (!run(Op::alloc(step_bytes), state, out)) return;
  }
}

void emit_alloc(const AllocIntent& intent, GenState& state, std::vector<Op>& out) {
  if (intent.align == AlignEdge::kPadToEnd && !intent.slow) approach_the_end(state, out);
  const std::uint64_t alignment = resolve(intent, state);
  const std::uint64_t n = resolve(intent.size, state, alignment == 0 ? 1 : alignment);
  run(intent.slow ? Op::alloc_slow(n, alignment) : Op::alloc(n, alignment), state, out);
}

void emit_from(const FromIntent& intent, GenState& state, std::vector<Op>& out) {
  const std::uint64_t reserve = resolve(intent.reserve, state);
  std::uint64_t kept = reserve;
  if (intent.kept == KeptEdge::kNone) kept = 0;
  // reserve + 1 cannot overflow: sizes stay far below 2^64.
  if (intent.kept == KeptEdge::kPart) kept = intent.literal % (reserve + 1);
  run(Op::from(reserve, kept), state, out);
}

void emit_release(const ReleaseIntent& intent, GenState& state, std::vector<Op>& out) {
  const auto live = state.live();
  if (live.empty()) return;
  std::size_t at = 0;
  if (intent.pick == ReleasePick::kNewest) at = live.size() - 1;
  if (intent.pick == ReleasePick::kAny) at = intent.index % live.size();
  run(Op::release(live[at]), state, out);
}

void emit_churn(const ChurnIntent& intent, GenState& state, std::vector<Op>& out) {
  std::deque<std::uint64_t> mine;  // this run's live buffers, oldest first
  for (std::uint32_t round = 0; round < intent.rounds; ++round) {
    const std::optional<Outcome> made = run(Op::alloc(resolve(intent.size, state)), state, out);
    if (!made) return;  // out of budget: the run ends here
    if (made->kind == Outcome::Kind::kBuffer) mine.push_back(made->buffer);
    if (mine.size() > intent.window) {
      run(Op::release(mine.front()), state, out);
      mine.pop_front();
    }
  }
}

void emit_extension(const ExtensionIntent& intent, GenState& state, std::vector<Op>& out) {
  if (const std::optional<Op> op = resolve(intent, state)) run(*op, state, out);
}

std::string describe(const SizeIntent& size) {
  const std::string literal = std::to_string(size.literal);
  switch (size.edge) {
    case SizeEdge::kSmall: return "small(" + literal + ")";
    case SizeEdge::kZero: return "0";
    case SizeEdge::kOne: return "1";
    case SizeEdge::kAlignmentMinusOne: return "alignment-1";
    case SizeEdge::kAlignmentPlusOne: return "alignment+1";
    case SizeEdge::kThresholdMinusOne: return "threshold-1";
    case SizeEdge::kThreshold: return "threshold";
    case SizeEdge::kPooledScaled: return "pooled-scaled(" + literal + ")";
    case SizeEdge::kScaled: return "scaled(" + literal + ")";
    case SizeEdge::kRoom: return "room";
    case SizeEdge::kRoomPlusOne: return "room+1";
    case SizeEdge::kBeyondMaxRequest: return "beyond-max(" + literal + ")";
  }
  return "?";
}

}  // namespace

bool GenState::affordable(const Op& op) const {
  return requested_ + request_cost(op) <= kMaxDecodedBytes;
}

Outcome GenState::apply(const Op& op) {
  requested_ += request_cost(op);
  const Outcome outcome = model_.apply(op);
  if (outcome.kind == Outcome::Kind::kBuffer) live_.push_back(outcome.buffer);
  if (ends_buffer(spec_of(op.kind))) live_.erase(std::find(live_.begin(), live_.end(), op.a));
  return outcome;
}

std::uint64_t resolve(const AllocIntent& alloc, const GenState& state) {
  const std::uint32_t literal = alloc.literal;
  switch (alloc.align) {
    case AlignEdge::kNone: return 0;
    case AlignEdge::kOne: return 1;
    case AlignEdge::kPoolBase: return kPoolBaseAlignment;
    case AlignEdge::kAbovePoolBase: return 2 * kPoolBaseAlignment;
    case AlignEdge::kSmall: return std::uint64_t{2} << (literal % 5);
    case AlignEdge::kLarge: return std::uint64_t{256} << (literal % 5);
    case AlignEdge::kPadToEnd: return pad_to_end_alignment(state.model().view());
  }
  return 0;
}

std::uint64_t resolve(const SizeIntent& size, const GenState& state, std::uint64_t request_alignment) {
  const ReferenceModel& model = state.model();
  const std::uint64_t pool_size = model.pool_size();
  const std::uint64_t threshold = pool_size / 2;
  const std::uint64_t alignment = state.settings().alignment;
  // The room aimed at, as the fuzzers' decoder aims it (pool_view.h).
  const std::uint64_t left = usable_room(model.view(), request_alignment);
  switch (size.edge) {
    case SizeEdge::kSmall: return size.literal % 64;
    case SizeEdge::kZero: return 0;
    case SizeEdge::kOne: return 1;
    case SizeEdge::kAlignmentMinusOne: return alignment - 1;
    case SizeEdge::kAlignmentPlusOne: return alignment + 1;
    case SizeEdge::kThresholdMinusOne: return saturating_sub(threshold, 1);
    case SizeEdge::kThreshold: return threshold;
    case SizeEdge::kPooledScaled: return std::max<std::uint64_t>(1, threshold * (size.literal % 256) / 256);
    case SizeEdge::kScaled: return pool_size * (size.literal % 256) / 128;
    case SizeEdge::kRoom: return left;
    case SizeEdge::kRoomPlusOne: return left + 1;
    case SizeEdge::kBeyondMaxRequest: return spec::kMaxRequest + 1 + size.literal % 4;
  }
  return 0;
}

std::vector<const OpSpec*> extension_rows(std::span<const OpSpec> specs) {
  std::vector<const OpSpec*> rows;
  // Not the shorthands (model/ops/shorthand.h): drawn here, one intent
  // would stand for up to 1024 ops, past what the properties' size and
  // shrinking bounds are tuned for.
  for (const OpSpec& spec : specs)
    // Not the shorthands, nor realloc: on the Node pool it is alloc N and
    // release K (realloc_as_plain_ops), which the other intents draw
    // already; the adapters' properties draw it through the fuzzers' decoder.
    // Nor the try_S ops: they touch nothing a sequence's other ops see, and
    // the properties check every setting's refusal and words by themselves
    // (model/ops/spec_limits_test.cc, allocator/pool_allocator_test.cc);
    // drawn here, they changed every property's random stream (two broken
    // variants' shrunk counterexamples then passed their length bounds).
    if (spec.extension != 0 && spec.handler != OpHandler::kShorthand && spec.handler != OpHandler::kRealloc &&
        spec.handler != OpHandler::kTrySetting)
      rows.push_back(&spec);
  return rows;
}

std::optional<Op> resolve(const ExtensionIntent& intent, const GenState& state, std::span<const OpSpec> specs) {
  const std::vector<const OpSpec*> rows = extension_rows(specs);
  if (rows.empty()) return std::nullopt;
  const OpSpec& spec = *rows[intent.which % rows.size()];
  Op op{spec.kind, 0, 0};
  std::uint64_t alignment = 1;
  for (const auto& [field, value] : {std::pair{&spec.a, &op.a}, std::pair{&spec.b, &op.b}}) {
    if (!field->exists()) continue;
    switch (field->rule) {
      case FieldRule::kAny: *value = resolve(intent.size, state, alignment); break;
      case FieldRule::kRequestAlignment: {
        const std::uint64_t chosen = resolve(AllocIntent{intent.size, intent.align, false, intent.literal}, state);
        *value = chosen == 0 && !field->optional() ? 1 : chosen;
        alignment = std::max<std::uint64_t>(*value, 1);
        break;
      }
      case FieldRule::kAtMostA: *value = intent.literal % (op.a + 1); break;
      case FieldRule::kPositive: *value = 1 + intent.literal % 4; break;
      case FieldRule::kRepeat: *value = 1 + intent.literal % kMaxRepeat; break;  // no row drawn has one yet
      case FieldRule::kPoolSize: *value = resolve(intent.pool_size, state.settings()); break;
      case FieldRule::kSettingValue:  // no row drawn has one (try_S is not drawn)
        *value = intent.literal;
        break;
      case FieldRule::kRequestSize:  // no row drawn has one yet (realloc is not drawn)
        *value = resolve(intent.size, state, alignment) % (spec::kMaxRequest + 1);
        break;
      case FieldRule::kLiveBuffer: {
        const auto live = state.live();
        if (live.empty()) return std::nullopt;
        std::size_t at = 0;
        if (intent.pick == ReleasePick::kNewest) at = live.size() - 1;
        if (intent.pick == ReleasePick::kAny) at = intent.literal % live.size();
        *value = live[at];
        break;
      }
    }
  }
  return op;
}

std::uint64_t resolve(const PoolSizeIntent& pool_size, const PoolOptions& settings) {
  const std::uint64_t literal = pool_size.literal;
  const std::uint64_t alignment = settings.alignment;
  switch (pool_size.edge) {
    case PoolSizeEdge::kDefault: return kDefaultPoolSize;
    case PoolSizeEdge::kTiny: return kTinyPoolSizes[literal % std::size(kTinyPoolSizes)];
    case PoolSizeEdge::kMisaligned: {
      // A multiple of the alignment plus 1 .. alignment - 1.
      const std::uint64_t multiple = alignment * (1 + literal % 64);
      return std::min<std::uint64_t>(multiple + 1 + (literal / 64) % std::max<std::uint64_t>(alignment - 1, 1),
                                     spec::kMaxPoolSize);
    }
    case PoolSizeEdge::kScaled: return 16 + literal % 16384;
    case PoolSizeEdge::kLarge:
      // Not at literal 0, where shrinking heads.
      if (literal % kLargestPoolOneIn == kLargestPoolOneIn - 1) return spec::kMaxPoolSize;
      return kLargePoolSizes[(literal / kLargestPoolOneIn) % std::size(kLargePoolSizes)];
  }
  return kDefaultPoolSize;
}

void emit(const Intent& intent, GenState& state, std::vector<Op>& out) {
  std::visit(Overloaded{
                 [&](const AllocIntent& i) { emit_alloc(i, state, out); },
                 [&](const FromIntent& i) { emit_from(i, state, out); },
                 [&](const ReleaseIntent& i) { emit_release(i, state, out); },
                 [&](const PoolSizeIntent& i) { run(Op::pool_size(resolve(i, state.settings())), state, out); },
                 [&](const ChurnIntent& i) { emit_churn(i, state, out); },
                 [&](const FailNextIntent& i) { run(Op::fail_next(i.k), state, out); },
                 [&](const ExtensionIntent& i) { emit_extension(i, state, out); },
             },
             intent);
}

std::vector<Op> realize(std::span<const Intent> intents, const PoolOptions& settings) {
  GenState state(settings);
  std::vector<Op> ops;
  for (const Intent& intent : intents) emit(intent, state, ops);
  return ops;
}

std::string describe(const Intent& intent) {
  return std::visit(
      Overloaded{
          [](const AllocIntent& i) {
            static constexpr const char* kAlign[] = {"", " align 64", " align 128", " align pad-to-end",
                                                     " align small", " align large", " align 1"};
            return std::string(i.slow ? "alloc_slow " : "alloc ") + describe(i.size) +
                   kAlign[static_cast<int>(i.align)] +
                   (i.align == AlignEdge::kSmall || i.align == AlignEdge::kLarge ? "(" + std::to_string(i.literal) + ")" : "");
          },
          [](const FailNextIntent& i) { return "fail_next " + std::to_string(i.k); },
          [](const FromIntent& i) {
            std::string kept = i.kept == KeptEdge::kAll    ? "all"
                               : i.kept == KeptEdge::kNone ? "none"
                                                           : "part(" + std::to_string(i.literal) + ")";
            return "from " + describe(i.reserve) + " keep " + kept;
          },
          [](const ReleaseIntent& i) {
            return std::string("release ") + (i.pick == ReleasePick::kOldest   ? "oldest"
                                              : i.pick == ReleasePick::kNewest ? "newest"
                                                                               : "any(" + std::to_string(i.index) + ")");
          },
          [](const PoolSizeIntent& i) {
            static constexpr const char* kNames[] = {"default", "tiny", "misaligned", "scaled", "large"};
            return std::string("pool_size ") + kNames[static_cast<int>(i.edge)] + "(" + std::to_string(i.literal) + ")";
          },
          [](const ChurnIntent& i) {
            return "churn " + std::to_string(i.rounds) + "x alloc " + describe(i.size) + " window " +
                   std::to_string(i.window);
          },
          [](const ExtensionIntent& i) {
            return "extension op " + std::to_string(i.which) + " size " + describe(i.size) + " literal " +
                   std::to_string(i.literal);
          },
      },
      intent);
}

}  // namespace poolcheck::props
