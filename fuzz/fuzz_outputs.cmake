# What fuzz/CMakeLists.txt writes for the scripts, ctest and OSS-Fuzz, from
# its one list of targets (included by it; see the comment at its top).

# fuzz/<target>.options: the target's libFuzzer flags in ClusterFuzz's format
# (OSS-Fuzz's run_fuzzer and ClusterFuzzLite read it next to the binary, where
# the dictionary is copied too, so `dict` is a bare file name).
set(poolcheck_fuzz_table "# target\tinput\tfuzzer\treplay\tseeds\tflags\n")
foreach(name ${poolcheck_fuzz_targets})
  set(target fuzz_${name})
  set(options "[libfuzzer]\nmax_len = ${${target}_max_len}\ntimeout = ${poolcheck_fuzz_timeout}\n")
  set(flags "-max_len=${${target}_max_len} -timeout=${poolcheck_fuzz_timeout}")
  if(${target}_dict)
    string(APPEND options "dict = ${${target}_dict}\n")
    string(APPEND flags " -dict=${CMAKE_CURRENT_BINARY_DIR}/${${target}_dict}")
  endif()
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/${target}.options
    "# ${target}: written by fuzz/CMakeLists.txt (edit there).\n${options}")
  set(${target}_flags ${flags})

  # One line per target for the scripts: the paths of what this build has
  # ("-" for what it does not build) and the flags for a local libFuzzer run.
  set(fuzzer -)
  set(replay -)
  set(seeds -)
  if(TARGET ${target})
    set(fuzzer $<TARGET_FILE:${target}>)
    set(seeds ${CMAKE_CURRENT_BINARY_DIR}/seeds/${target})
  endif()
  if(TARGET ${target}_replay)
    set(replay $<TARGET_FILE:${target}_replay>)
  endif()
  string(APPEND poolcheck_fuzz_table "${target}\t${${target}_input}\t${fuzzer}\t${replay}\t${seeds}\t${flags}\n")
endforeach()
string(APPEND poolcheck_fuzz_table "# poolcheck\t$<TARGET_FILE:poolcheck>\n")
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/fuzz_targets.tsv CONTENT "${poolcheck_fuzz_table}")

if(NOT POOLCHECK_BUILD_FUZZERS)
  return()
endif()

# Seed corpora: corpus/<target>/ plus the scenarios and regressions, as text
# for a text target and converted to the binary form (`poolcheck convert`)
# for the others; a directory for local runs and the zip OSS-Fuzz wants.
set(corpus ${PROJECT_SOURCE_DIR}/corpus)
set(zips "")
foreach(name ${poolcheck_fuzz_targets})
  set(target fuzz_${name})
  set(zip ${CMAKE_CURRENT_BINARY_DIR}/${target}_seed_corpus.zip)
  file(GLOB seed_files CONFIGURE_DEPENDS ${corpus}/${target}/* ${corpus}/scenarios/* ${corpus}/regressions/*)
  add_custom_command(OUTPUT ${zip}
    COMMAND ${CMAKE_COMMAND} -DPOOLCHECK=$<TARGET_FILE:poolcheck> -DINPUT=${${target}_input}
            -DCORPUS=${corpus} -DTARGET=${target} -DDIR=${CMAKE_CURRENT_BINARY_DIR}/seeds/${target} -DZIP=${zip}
            -P ${CMAKE_CURRENT_SOURCE_DIR}/seed_corpus.cmake
    DEPENDS poolcheck ${seed_files} ${CMAKE_CURRENT_SOURCE_DIR}/seed_corpus.cmake
    COMMENT "Seed corpus for ${target}" VERBATIM)
  list(APPEND zips ${zip})
endforeach()
add_custom_target(fuzz_seed_corpora ALL DEPENDS ${zips})

# What OSS-Fuzz wants in $OUT (.clusterfuzzlite/build.sh installs it):
# every target, its seed corpus, options and dictionary.
foreach(name ${poolcheck_fuzz_targets})
  set(target fuzz_${name})
  install(TARGETS ${target} RUNTIME DESTINATION . COMPONENT oss-fuzz)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${target}.options ${CMAKE_CURRENT_BINARY_DIR}/${target}_seed_corpus.zip
    DESTINATION . COMPONENT oss-fuzz)
  if(${target}_dict)
    install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${${target}_dict} DESTINATION . COMPONENT oss-fuzz)
  endif()
endforeach()

if(POOLCHECK_FUZZ_ENGINE)
  return()  # the tests below are for the libFuzzer build (the `fuzz` preset)
endif()

# ctest -L smoke: every target fuzzes POOLCHECK_FUZZ_SMOKE_SECONDS from its
# seeds on one core; any crash, leak or timeout fails. New inputs go to a
# scratch corpus in the build directory, never to corpus/; a crash is kept in
# build/fuzz/fuzz/smoke/<target>/crashes/ (scripts/replay.sh takes it).
set(smoke ${CMAKE_CURRENT_BINARY_DIR}/smoke)
set(smoke_dirs "")
foreach(name ${poolcheck_fuzz_targets})
  list(APPEND smoke_dirs ${smoke}/fuzz_${name}/corpus ${smoke}/fuzz_${name}/crashes)
endforeach()
add_test(NAME fuzz_smoke_dirs COMMAND ${CMAKE_COMMAND} -E make_directory ${smoke_dirs})
set_tests_properties(fuzz_smoke_dirs PROPERTIES LABELS "fuzz;smoke" FIXTURES_SETUP fuzz_smoke)
foreach(name ${poolcheck_fuzz_targets})
  set(target fuzz_${name})
  separate_arguments(flags UNIX_COMMAND "${${target}_flags}")
  add_test(NAME ${target}_smoke
    COMMAND ${target} -max_total_time=${POOLCHECK_FUZZ_SMOKE_SECONDS} -print_final_stats=1
            -artifact_prefix=${smoke}/${target}/crashes/ ${flags}
            ${smoke}/${target}/corpus ${corpus}/${target} ${CMAKE_CURRENT_BINARY_DIR}/seeds/${target})
  math(EXPR limit "${POOLCHECK_FUZZ_SMOKE_SECONDS} * 3 + 60")
  set_tests_properties(${target}_smoke PROPERTIES LABELS "fuzz;smoke" FIXTURES_REQUIRED fuzz_smoke TIMEOUT ${limit})
endforeach()

# The coverage ignorelist hides no allocator code from libFuzzer.
set(fuzzers "")
foreach(name ${poolcheck_fuzz_targets})
  list(APPEND fuzzers $<TARGET_FILE:fuzz_${name}>)
endforeach()
add_test(NAME fuzz_sancov_ignorelist
  COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/sancov-check.sh ${CMAKE_CURRENT_SOURCE_DIR}/sancov_ignorelist.txt ${fuzzers})
set_tests_properties(fuzz_sancov_ignorelist PROPERTIES LABELS "fuzz;smoke")

# ctest -L oss-fuzz: .clusterfuzzlite/build.sh as OSS-Fuzz runs it, without a
# container (scripts/oss-fuzz-check.sh), for the three configurations CI uses.
# Each builds with both cores, so ctest runs them one at a time.
foreach(config "libfuzzer address" "libfuzzer undefined" "afl address")
  separate_arguments(args UNIX_COMMAND "${config}")
  string(REPLACE " " "_" test_name "oss_fuzz_${config}")
  add_test(NAME ${test_name} COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/oss-fuzz-check.sh ${args})
  set_tests_properties(${test_name} PROPERTIES LABELS "fuzz;oss-fuzz" PROCESSORS 2 TIMEOUT 900)
endforeach()
