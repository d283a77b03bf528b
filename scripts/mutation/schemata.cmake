# Included by the top-level CMakeLists.txt when POOLCHECK_MUTATION is on (the
# `mutation` and `mutation-fuzz` presets, scripts/mutate.sh): generates the
# mutant schemata of allocator/ (every mutant behind a run-time switch,
# POOLCHECK_MUTANT) and puts them in front of the real headers for every
# target. allocator/ itself is never written. Editing a header in allocator/
# re-runs this at the next build.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(POOLCHECK_MUTANT_SCHEMATA "${PROJECT_SOURCE_DIR}/build/mutation-schemata" CACHE PATH
    "where the generated mutant schemata go (shared by the mutation presets)")
file(GLOB poolcheck_mutation_inputs CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/allocator/*.h ${PROJECT_SOURCE_DIR}/allocator/*.cc
     ${PROJECT_SOURCE_DIR}/scripts/mutation/*.py)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${poolcheck_mutation_inputs})
# Mutants that do not compile are left out; both compilers are asked so that
# both mutation builds hold the same mutants under the same numbers.
set(probes --probe ${CMAKE_CXX_COMPILER})
foreach(other g++ clang++)
  find_program(poolcheck_probe_${other} ${other})
  if(poolcheck_probe_${other})
    list(APPEND probes --probe ${poolcheck_probe_${other}})
  endif()
endforeach()
execute_process(
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/mutation/mutants.py schemata
          ${POOLCHECK_MUTANT_SCHEMATA} ${probes}
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "scripts/mutation/mutants.py could not write the mutant schemata")
endif()
target_include_directories(poolcheck_allocator BEFORE INTERFACE ${POOLCHECK_MUTANT_SCHEMATA})
