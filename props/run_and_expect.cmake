# A test that needs both a zero exit and an expected output (ctest's
# PASS_REGULAR_EXPRESSION alone ignores the exit code):
#   cmake -DPROGRAM=EXE "-DARGS=ARG ARG..." -DEXPECT=REGEX [-DEXPECT_STDERR=REGEX] -P run_and_expect.cmake
# ARGS are split as a shell would (UNIX_COMMAND). The program's output is
# printed; the script fails on a non-zero exit, when no line of stdout
# matches EXPECT, or (if given) when no line of stderr matches EXPECT_STDERR.
foreach(name PROGRAM EXPECT)
  if(NOT DEFINED ${name})
    message(FATAL_ERROR "run_and_expect.cmake: -D${name}=... is missing")
  endif()
endforeach()
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${PROGRAM} ${args} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT code STREQUAL "0")
  message(FATAL_ERROR "${PROGRAM} ${ARGS}: exit ${code} (want 0)")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "${PROGRAM} ${ARGS}: exit 0, but no output matches '${EXPECT}'")
endif()
if(DEFINED EXPECT_STDERR AND NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "${PROGRAM} ${ARGS}: exit 0, but nothing on stderr matches '${EXPECT_STDERR}'")
endif()
message("${PROGRAM} ${ARGS}: exit 0 and '${EXPECT}' printed")
