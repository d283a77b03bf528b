# find_package(poolcheck CONFIG REQUIRED): the installed package (top
# CMakeLists.txt, "Install"; docs/ADAPTERS.md, "Your own project").
#   poolcheck::checks   the checkers, the reference model and the op language
#                       (one static library) and their headers
#   poolcheck::harness  + RapidCheck and GoogleTest (with gtest_main): for
#                       POOLCHECK_PROPERTIES (model/adapter/properties.h)
#   poolcheck::fuzz     + -fsanitize=fuzzer (clang): for POOLCHECK_FUZZ_TARGET
#                       (model/adapter/fuzz_target.h)
include(CMakeFindDependencyMacro)
find_dependency(GTest)
find_dependency(rapidcheck)
include("${CMAKE_CURRENT_LIST_DIR}/poolcheckTargets.cmake")
if(NOT TARGET poolcheck::harness)
  add_library(poolcheck::harness INTERFACE IMPORTED)
  set_target_properties(poolcheck::harness PROPERTIES
    INTERFACE_LINK_LIBRARIES "poolcheck::checks;rapidcheck;rapidcheck_gtest;GTest::gtest;GTest::gtest_main")
  add_library(poolcheck::fuzz INTERFACE IMPORTED)
  set_target_properties(poolcheck::fuzz PROPERTIES INTERFACE_LINK_LIBRARIES poolcheck::checks
    INTERFACE_COMPILE_OPTIONS -fsanitize=fuzzer INTERFACE_LINK_OPTIONS -fsanitize=fuzzer)
endif()
