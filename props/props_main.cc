// main() of props_test: chooses RapidCheck's parameters before RapidCheck
// reads them (RC_PARAMS, read once, at the first property).
//
//   RC_PARAMS set        used as is (e.g. a reproduce= line from a failure)
//   POOLCHECK_SOAK=1     the soak: 100 times the cases, a random seed
//   neither              the CI run: kCiParams, a fixed seed
// RapidCheck prints the configuration it uses, the seed included, as
// "Using configuration: ..." when the first property runs.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "props/run_params.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* given = std::getenv("RC_PARAMS");
  const char* soak = std::getenv("POOLCHECK_SOAK");
  std::string params, source;
  if (given != nullptr && *given != '\0') {
    params = given;
    source = "from the environment";
  } else if (soak != nullptr && *soak != '\0' && std::string(soak) != "0") {
    params = poolcheck::props::kSoakParams;
    source = "soak: POOLCHECK_SOAK is set; RapidCheck picks the seed";
  } else {
    params = poolcheck::props::kCiParams;
    source = "CI default";
  }
  setenv("RC_PARAMS", params.c_str(), 1);
  // Not while CTest discovers the tests (--gtest_list_tests) at build time.
  if (!GTEST_FLAG_GET(list_tests))
    std::fprintf(stderr, "props_test: RC_PARAMS=\"%s\" (%s)\n", params.c_str(), source.c_str());
  return RUN_ALL_TESTS();
}
