// What every poolcheck fuzz target is: a check function that turns one input
// into a readable report when something is wrong. The libFuzzer entry point,
// the engine-less replay driver and the unit tests all call the same
// function, so a crash found by the fuzzer replays anywhere, and a broken
// allocator proves in a unit test that the target can fail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fuzz/recycled_blocks.h"
#include "model/checks/checker.h"
#include "model/ops/ops.h"
#include "model/reference/decode_ops.h"

namespace poolcheck::fuzz {

// A failure report, or nullopt when the input passed.
using Report = std::optional<std::string>;

struct FuzzTarget {
  const char* name;
  // One fuzzer input, exactly as libFuzzer hands it over.
  Report (*check_bytes)(std::span<const std::uint8_t> bytes);
  // A text `.ops` file already parsed (scenarios, regressions), or nullptr
  // when the target takes text files as raw bytes too.
  Report (*check_sequence)(std::span<const Op> ops, const PoolOptions& settings);
};

// Each target's .cc defines its own; the replay driver links one of them.
extern const FuzzTarget kFuzzTarget;

// The body of every LLVMFuzzerTestOneInput: a report is a crash, printed
// first so that libFuzzer's log says what went wrong before the stack.
int run_or_abort(const FuzzTarget& target, const std::uint8_t* data, std::size_t size);

// The checker's own memory during one run. Its containers (the model's
// records, the interval sets, the tracked blocks, the handles, the ops) are
// std::pmr ones on the default resource; for one run this points it at an
// arena that is reset when the run ends. Under AddressSanitizer a heap
// allocation costs a stack trace and a quarantine slot, and a run made
// about three per op: a tenth of a fuzz_pool_diff run went there. The arena
// changes nothing the allocator does: it has its own upstream
// (recycled_blocks()) and its own std::vector members on the heap, both
// still watched by ASan; what ASan no longer sees is an overflow inside the
// checker's standard containers. Declare it before the checker, so that it
// is reset after the checker is gone.
class RunArena {
 public:
  RunArena();
  ~RunArena();
  RunArena(const RunArena&) = delete;
  RunArena& operator=(const RunArena&) = delete;

 private:
  std::pmr::memory_resource* previous_;
};

// Streams a fuzzer input into a new `Checker` (DifferentialChecker or
// InvariantChecker: made from settings and an upstream, with step(op) and
// finish() returning std::optional<Divergence>) through the one decode loop
// (model/reference/decode_ops.h): the ops are those `poolcheck convert`
// prints for the input, whatever the allocator does (the view the loop aims
// sizes with comes from a model that only the ops change: the checker's own
// when it has one). They are kept for the
// report, and handed to `ran` when it is given (the tests compare them).
template <class Checker>
Report run_decoded(std::span<const std::uint8_t> bytes, std::vector<Op>* ran = nullptr) {
  RunArena arena;
  DecodeLoop loop(bytes);
  Checker checker(loop.settings(), &recycled_blocks());
  // A checker with a reference model of its own (DifferentialChecker)
  // applies every op to it in step(), and stops at its first divergence:
  // the loop reads the view from that model instead of keeping a second one.
  if constexpr (requires { checker.model(); }) loop.follow(checker.model());
  std::pmr::vector<Op> ops;
  ops.reserve(bytes.size());  // most ops take at least one byte (a shorthand's do not)
  while (std::optional<Op> op = loop.next()) {
    ops.push_back(*op);
    if (checker.step(*op)) break;
  }
  if (ran) ran->assign(ops.begin(), ops.end());
  if (std::optional<Divergence> failure = checker.finish()) return describe(*failure, ops, loop.settings());
  return std::nullopt;
}

// The same for a sequence that is already known (a text file).
template <class Checker>
Report run_sequence(std::span<const Op> ops, const PoolOptions& settings) {
  RunArena arena;
  Checker checker(settings, &recycled_blocks());
  for (const Op& op : ops)
    if (checker.step(op)) break;
  if (std::optional<Divergence> failure = checker.finish()) return describe(*failure, ops, settings);
  return std::nullopt;
}

}  // namespace poolcheck::fuzz
