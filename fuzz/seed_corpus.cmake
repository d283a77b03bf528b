# cmake -P seed_corpus.cmake: one target's seed corpus (fuzz_outputs.cmake).
#   -DTARGET=fuzz_X -DINPUT=bytes|text -DCORPUS=<repo>/corpus -DPOOLCHECK=<tool>
#   -DDIR=<seed directory, rewritten> -DZIP=<TARGET_seed_corpus.zip>
# corpus/<target>/ is copied as it is. The text scenarios and regressions are
# copied for a text target, and converted to the binary op form for the
# others; a file the binary form cannot carry (docs/FORMATS.md) is left out.
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
file(GLOB own LIST_DIRECTORIES false ${CORPUS}/${TARGET}/*)
file(COPY ${own} DESTINATION ${DIR})
set(left_out 0)
foreach(kind scenarios regressions)
  file(GLOB texts LIST_DIRECTORIES false ${CORPUS}/${kind}/*.ops)
  foreach(text ${texts})
    get_filename_component(stem ${text} NAME_WE)
    if(INPUT STREQUAL "text")
      configure_file(${text} ${DIR}/${kind}-${stem}.ops COPYONLY)
    else()
      execute_process(COMMAND ${POOLCHECK} convert ${text} -o ${DIR}/${kind}-${stem}
        RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
      if(NOT status EQUAL 0)
        file(REMOVE ${DIR}/${kind}-${stem})
        math(EXPR left_out "${left_out} + 1")
      endif()
    endif()
  endforeach()
endforeach()
file(GLOB seeds RELATIVE ${DIR} ${DIR}/*)
list(LENGTH seeds count)
file(REMOVE ${ZIP})
execute_process(COMMAND ${CMAKE_COMMAND} -E tar cf ${ZIP} --format=zip -- ${seeds}
  WORKING_DIRECTORY ${DIR} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TARGET}: could not write ${ZIP}")
endif()
message(STATUS "${TARGET}: ${count} seeds (${left_out} text files not expressible in the binary form)")
