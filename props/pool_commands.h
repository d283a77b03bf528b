// The stateful, model-based test's commands (rc::state).
//
// Model: GenState, i.e. model/'s ReferenceModel plus the live buffers in
// creation order. System: the allocator inside a DifferentialChecker, so
// that every op is checked for placement, bounds, alignment, overlap,
// content, statistics, lifetime and leaks, not only for what the command
// itself would assert.
//
// A command carries an intent ("alloc room+1"), not a fixed op: apply() and
// run() resolve it against the same pre-state s0, so model and system see
// the same ops, and an intent keeps aiming at its edge when shrinking drops
// earlier commands.
#pragma once

#include <memory>
#include <ostream>
#include <utility>
#include <variant>
#include <vector>

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include "model/checks/checker.h"
#include "props/counterexample.h"
#include "props/diverged.h"
#include "props/generators.h"
#include "props/intents.h"

namespace poolcheck::props {

// What the commands drive; one implementation per allocator under test.
class OpSystem {
 public:
  virtual ~OpSystem() = default;
  virtual void run(const Op& op) = 0;
};

template <class Allocator>
class CheckedSystem final : public OpSystem {
 public:
  explicit CheckedSystem(const PoolOptions& settings)
      : settings_(settings), checker_(std::make_unique<DifferentialChecker<Allocator>>(settings)) {}

  void run(const Op& op) override {
    ops_.push_back(op);
    if (std::optional<Divergence> divergence = checker_->step(op)) fail(*divergence);
  }
  // Verifies and releases what is still live, then tears down.
  void finish() {
    if (std::optional<Divergence> divergence = checker_->finish()) fail(*divergence);
  }

 private:
  void fail(const Divergence& divergence) {
    keep_diverged(std::move(checker_));
    fail_with_counterexample(divergence, ops_, settings_);
  }

  PoolOptions settings_;
  std::unique_ptr<DifferentialChecker<Allocator>> checker_;
  std::vector<Op> ops_;
};

using PoolCommand = rc::state::Command<GenState, OpSystem>;

class IntentCommand : public PoolCommand {
 public:
  explicit IntentCommand(Intent intent) : intent_(std::move(intent)) {}

  // Model side: the intent's ops change the reference model.
  void apply(GenState& s0) const override {
    std::vector<Op> ops;
    emit(intent_, s0, ops);
  }
  // System side: the same ops, resolved from the same state, go through the
  // checker.
  void run(const GenState& s0, OpSystem& system) const override {
    GenState state = s0;
    std::vector<Op> ops;
    emit(intent_, state, ops);
    for (const Op& op : ops) system.run(op);
  }
  void show(std::ostream& os) const override { os << describe(intent_); }

 private:
  Intent intent_;
};

struct Alloc final : IntentCommand {
  using IntentCommand::IntentCommand;
};
struct From final : IntentCommand {
  using IntentCommand::IntentCommand;
};
struct Release final : IntentCommand {
  using IntentCommand::IntentCommand;
  // Only while something is live, so that shrinking repairs (regenerates)
  // a release whose buffers were shrunk away instead of keeping a no-op.
  void checkPreconditions(const GenState& s0) const override { RC_PRE(!s0.live().empty()); }
};
struct SetPoolSize final : IntentCommand {
  using IntentCommand::IntentCommand;
};
// A long run of allocations and releases in one command (see ChurnIntent).
struct Churn final : IntentCommand {
  using IntentCommand::IntentCommand;
};
struct FailNext final : IntentCommand {
  using IntentCommand::IntentCommand;
};
struct Extension final : IntentCommand {
  using IntentCommand::IntentCommand;
};

inline std::shared_ptr<const PoolCommand> make_command(const Intent& intent) {
  if (std::holds_alternative<AllocIntent>(intent)) return std::make_shared<Alloc>(intent);
  if (std::holds_alternative<FromIntent>(intent)) return std::make_shared<From>(intent);
  if (std::holds_alternative<ReleaseIntent>(intent)) return std::make_shared<Release>(intent);
  if (std::holds_alternative<PoolSizeIntent>(intent)) return std::make_shared<SetPoolSize>(intent);
  if (std::holds_alternative<FailNextIntent>(intent)) return std::make_shared<FailNext>(intent);
  if (std::holds_alternative<ExtensionIntent>(intent)) return std::make_shared<Extension>(intent);
  return std::make_shared<Churn>(intent);
}

// Commands drawn with the general profile's weights. Intents are relative to
// the state they meet, so drawing one needs no state.
inline rc::Gen<std::shared_ptr<const PoolCommand>> pool_command() {
  return rc::gen::map(gen::intent(profiles::kGeneral), &make_command);
}

}  // namespace poolcheck::props
