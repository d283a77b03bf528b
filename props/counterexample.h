// Counterexamples as op files that `poolcheck replay` reads.
//
// When a property finds a divergence, the ops up to the diverging one are
// written with describe() (the divergence as # comments, then a valid op
// file) to $POOLCHECK_COUNTEREXAMPLE_DIR, by default
// <build>/props/counterexamples, as <test name>.ops, and the failure message
// names the file. The file is rewritten at every failing case RapidCheck
// tries while shrinking, and shrinking ends on the smallest failing case
// (which RapidCheck evaluates once more to report it), so the file left
// behind is the shrunk counterexample that the failure message shows.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "model/checks/checker.h"
#include "model/ops/ops.h"

namespace poolcheck::props {

std::filesystem::path counterexample_dir();

// The file name (without .ops) for the property running now: the name set
// by the innermost ScopedCounterexampleName, else the running GoogleTest
// "Suite.Test", else "property".
std::string counterexample_name();

// For tests that run several properties in one GoogleTest test, so that
// each keeps its own file.
class ScopedCounterexampleName {
 public:
  explicit ScopedCounterexampleName(std::string name);
  ~ScopedCounterexampleName();
  ScopedCounterexampleName(const ScopedCounterexampleName&) = delete;
  ScopedCounterexampleName& operator=(const ScopedCounterexampleName&) = delete;

 private:
  std::optional<std::string> previous_;
};

// Writes the report, after `note` (extra # comment lines, e.g. which upstream
// request was made to fail), and returns its path; std::nullopt (with
// `error` set) if the file cannot be written.
std::optional<std::filesystem::path> write_counterexample(const Divergence& divergence, std::span<const Op> ops,
                                                          const PoolOptions& settings, const std::string& note,
                                                          std::string& error);

// Writes the counterexample and fails the running RapidCheck case with the
// report, the file's path and the replay command. Does not return.
void fail_with_counterexample(const Divergence& divergence, std::span<const Op> ops, const PoolOptions& settings,
                              const std::string& note = {});

}  // namespace poolcheck::props
