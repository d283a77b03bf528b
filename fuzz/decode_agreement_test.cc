// One decode loop: the ops a fuzz target runs on an input are exactly the
// ops `poolcheck convert` prints for it (model/reference/decode_ops.h), for
// random inputs and for every file of corpus/. A target that aimed its edges
// from another view of the pool state than convert's would run another
// sequence than the one a crash is minimized and committed as.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "fuzz/pool_diff_check.h"
#include "fuzz/pool_invariants_check.h"
#include "model/reference/decode_ops.h"

#ifndef POOLCHECK_AGREEMENT_INPUTS
#define POOLCHECK_AGREEMENT_INPUTS 100000
#endif
#ifndef POOLCHECK_CORPUS_DIR
#error "POOLCHECK_CORPUS_DIR names corpus/ (fuzz/CMakeLists.txt)"
#endif

namespace poolcheck::fuzz {
namespace {

struct Target {
  const char* name;
  std::vector<Op> (*ops_run)(std::span<const std::uint8_t>);
};
constexpr Target kTargets[] = {{"fuzz_pool_diff", &ops_run_by_pool_diff},
                               {"fuzz_pool_invariants", &ops_run_by_pool_invariants}};

// How many of `inputs` some target decodes to other ops than convert; the
// first such input is described in `first`.
std::size_t disagreements(const std::vector<std::vector<std::uint8_t>>& inputs, std::string& first) {
  std::size_t count = 0;
  for (const auto& bytes : inputs) {
    const std::vector<Op> printed = decode_ops(bytes).ops;
    bool differs = false;
    for (const Target& target : kTargets) {
      const std::vector<Op> ran = target.ops_run(bytes);
      if (ran == printed) continue;
      if (first.empty())
        first = std::string(target.name) + " ran\n" + to_text(ran) + "where convert prints\n" + to_text(printed);
      differs = true;
    }
    count += differs;
  }
  return count;
}

TEST(DecodeAgreement, RandomInputsDecodeAlikeInEveryTargetAndConvert) {
  std::mt19937_64 random(20261204);
  std::vector<std::vector<std::uint8_t>> inputs(POOLCHECK_AGREEMENT_INPUTS);
  for (auto& bytes : inputs) {
    bytes.resize(64);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
  }
  std::string first;
  EXPECT_EQ(disagreements(inputs, first), 0u) << "of " << inputs.size() << " random 64-byte inputs; first:\n"
                                              << first;
}

TEST(DecodeAgreement, EveryCorpusFileDecodesAlikeInEveryTargetAndConvert) {
  std::vector<std::vector<std::uint8_t>> inputs;
  for (const char* folder : {"fuzz_pool_diff", "fuzz_pool_invariants"})
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(POOLCHECK_CORPUS_DIR) / folder)) {
      std::ifstream in(entry.path(), std::ios::binary);
      inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  ASSERT_GT(inputs.size(), 100u) << "corpus/ not found at " << POOLCHECK_CORPUS_DIR;
  std::string first;
  EXPECT_EQ(disagreements(inputs, first), 0u) << "of " << inputs.size() << " corpus files; first:\n" << first;
}

}  // namespace
}  // namespace poolcheck::fuzz
