// The properties can fail: each deliberately broken allocator is caught by
// the property aimed at its bug (and, but for the one only failure
// injection reveals, by the stateful test), with the check each case names
// (model/checks/checks.def), RapidCheck shrinks the
// counterexample to at most a stated number of ops, and the file written
// for it is a real regression:
//   - it loads with the loader `poolcheck replay` uses;
//   - replayed on the broken variant, it diverges at the same op with the
//     same check as the property reported;
//   - replayed on the correct allocator, in process and with the
//     `poolcheck replay` binary, it passes (exit 0), as a file committed to
//     corpus/regressions/ must.
// Fixed RapidCheck parameters (kVariantParams), independent of RC_PARAMS
// and of the soak, so the shrunk lengths are the same on every run.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <sys/wait.h>

#include "allocator/pool_allocator.h"
#include "model/checks/checker.h"
#include "model/reference/sequence_file.h"
#include "model/testing/broken_alignment.h"
#include "model/testing/broken_rules.h"
#include "model/testing/broken_wrappers.h"
#include "props/checked_run.h"
#include "props/counterexample.h"
#include "props/properties.h"
#include "props/broken_variant.h"

#ifndef POOLCHECK_BINARY
#error "POOLCHECK_BINARY must name the poolcheck executable"
#endif

namespace poolcheck::props {
namespace {

std::vector<VariantCase> variant_cases() {
  using namespace broken;
  using P = Property;
  using C = Check;
  return {
      caught<NoAlignmentAllocator, P::kAlignment>("NoAlignment", C::kStats, 2),
      caught<NoAlignmentAllocator, P::kStateful>("NoAlignment", C::kStats, 2),
      caught<OverRoundingAllocator, P::kPlacement>("OverRounding", C::kStats, 2),
      caught<OverRoundingAllocator, P::kStateful>("OverRounding", C::kStats, 2),
      caught<OffByOneRoomAllocator, P::kBounds>("OffByOneRoom", C::kPlacement, 4),
      caught<OffByOneRoomAllocator, P::kStateful>("OffByOneRoom", C::kPlacement, 4),
      caught<ThresholdInclusiveAllocator, P::kPlacement>("ThresholdInclusive", C::kPlacement, 2),
      caught<ThresholdInclusiveAllocator, P::kStateful>("ThresholdInclusive", C::kPlacement, 2),
      caught<UnsignedRoomAllocator, P::kBounds>("UnsignedRoom", C::kPlacement, 5),
      caught<UnsignedRoomAllocator, P::kStateful>("UnsignedRoom", C::kPlacement, 5),
      caught<RecycleTooEarlyAllocator, P::kRecycling>("RecycleTooEarly", C::kStats, 4),
      caught<RecycleTooEarlyAllocator, P::kOverlap>("RecycleTooEarly", C::kStats, 4),
      caught<RecycleTooEarlyAllocator, P::kContent>("RecycleTooEarly", C::kStats, 4),
      caught<RecycleTooEarlyAllocator, P::kStateful>("RecycleTooEarly", C::kStats, 4),
      caught<NoTailWasteAllocator, P::kStatistics>("NoTailWaste", C::kStats, 4),
      caught<NoTailWasteAllocator, P::kStateful>("NoTailWaste", C::kStats, 4),
      caught<SkipAlignAfterFromAllocator, P::kAlignment>("SkipAlignAfterFrom", C::kStats, 2),
      caught<SkipAlignAfterFromAllocator, P::kStateful>("SkipAlignAfterFrom", C::kStats, 2),
      caught<CacheBoundOffByOneAllocator, P::kRecycling>("CacheBoundOffByOne", C::kSettings, 4),
      caught<CacheBoundOffByOneAllocator, P::kStateful>("CacheBoundOffByOne", C::kSettings, 4),
      caught<CacheBoundOffByOneAllocator, P::kCacheWindows>("CacheBoundOffByOne", C::kSettings, 8),
      caught<CacheBoundOffByOneHiddenAllocator, P::kRecycling>("CacheBoundOffByOneHidden", C::kStats, 3),
      caught<CacheBoundOffByOneHiddenAllocator, P::kStateful>("CacheBoundOffByOneHidden", C::kStats, 3),
      caught<CacheBoundOffByOneHiddenAllocator, P::kCacheWindows>("CacheBoundOffByOneHidden", C::kStats, 3),
      caught<LeakOnUpstreamFailureAllocator, P::kFailure>("LeakOnUpstreamFailure", C::kFailureAtomicity, 2),
  };
}

// Fixed, and independent of RC_PARAMS: the search stops at the first
// failing case, so a generous max_success costs nothing when a variant is
// caught early.
rc::detail::TestParams variant_params() {
  rc::detail::TestParams params;
  params.seed = 1;
  params.maxSuccess = 2000;
  params.maxSize = 100;
  return params;
}

// Expected failures should not end the run with "Some of your RapidCheck
// properties had failures", so the search reports to no one.
class SilentListener : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

// The divergence line of a report: "# divergence (check) at op N: op".
std::string divergence_line(const std::string& report) {
  const std::size_t at = report.find("# divergence");
  if (at == std::string::npos) return {};
  return report.substr(at, report.find('\n', at) - at);
}

struct Replay {
  int exit_code = -1;
  std::string output;
};
Replay run_poolcheck_replay(const std::filesystem::path& file) {
  Replay replay;
  const std::string command = std::string("'") + POOLCHECK_BINARY + "' replay '" + file.string() + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return replay;
  char chunk[512];
  while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) replay.output += chunk;
  const int status = pclose(pipe);
  replay.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return replay;
}

TEST_P(BrokenVariant, IsCaughtAndItsCounterexampleReplays) {
  const VariantCase& c = GetParam();
  const std::string name = "BrokenVariant." + c.name();
  ScopedCounterexampleName file_name(name);
  const std::filesystem::path path = counterexample_dir() / (name + ".ops");
  std::filesystem::remove(path);

  rc::detail::TestMetadata metadata{name, name};
  SilentListener listener;
  const rc::detail::TestResult result = rc::detail::checkTestable(c.run, metadata, variant_params(), listener);
  rc::detail::FailureResult failure;
  ASSERT_TRUE(result.match(failure)) << c.variant << " was not caught by the " << kPropertyNames[static_cast<int>(c.property)]
                                     << " property";
  EXPECT_NE(failure.description.find(path.string()), std::string::npos) << "the failure names its file:\n"
                                                                        << failure.description;

  rc::detail::Configuration config = rc::detail::configuration();
  config.testParams = variant_params();
  config.reproduce[name] = failure.reproduce;

  LoadResult loaded = load_sequence(path);
  ASSERT_TRUE(loaded.file) << (loaded.error ? loaded.error->to_string() : "no file");
  const SequenceFile& file = *loaded.file;
  std::string error;
  const std::string text = read_file(path, error).value_or("");

  std::printf("[variant] %-22s by %-10s caught after %3d passing cases; shrunk to %zu ops (bound %zu): %s\n",
              c.variant, kPropertyNames[static_cast<int>(c.property)], failure.numSuccess, file.ops.size(), c.max_ops,
              path.c_str());
  std::printf("[variant]   %s\n[variant]   RC_PARAMS=\"%s\"\n", divergence_line(text).c_str(),
              rc::detail::configToMinimalString(config).c_str());
  EXPECT_LE(file.ops.size(), c.max_ops) << text;

  const std::optional<Divergence> again = c.replay(file.ops, file.settings);
  ASSERT_TRUE(again) << "the counterexample no longer fails on " << c.variant << "\n" << text;
  EXPECT_EQ(again->check, c.check) << "the check that fired on " << c.variant << "\n" << text;
  EXPECT_EQ(divergence_line(describe(*again, file.ops, file.settings)), divergence_line(text));

  const std::optional<Divergence> correct = first_divergence<PoolAllocator>(file.ops, file.settings);
  EXPECT_FALSE(correct) << describe(*correct, file.ops, file.settings);
  const Replay replay = run_poolcheck_replay(path);
  EXPECT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_NE(replay.output.find("1 ok"), std::string::npos) << replay.output;
}

INSTANTIATE_TEST_SUITE_P(Variants, BrokenVariant, ::testing::ValuesIn(variant_cases()),
                         [](const ::testing::TestParamInfo<VariantCase>& info) { return info.param.name(); });

// The limits property runs no op sequence (ops cannot carry an invalid
// alignment), so it has no counterexample file: it is shown failing here.
TEST(BrokenVariantLimits, BadAlignmentRoundedUpIsCaughtByTheLimitsProperty) {
  rc::detail::TestMetadata metadata{"BadAlignmentRoundedUp", "BadAlignmentRoundedUp"};
  SilentListener listener;
  const rc::detail::TestResult result = rc::detail::checkTestable(
      &out_of_range_is_refused_and_changes_nothing<broken::BadAlignmentRoundedUpAllocator>, metadata, variant_params(),
      listener);
  rc::detail::FailureResult failure;
  EXPECT_TRUE(result.match(failure)) << "an alignment of 3 was taken as 4 and nothing noticed";
}

}  // namespace
}  // namespace poolcheck::props
