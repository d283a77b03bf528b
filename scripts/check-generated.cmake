# A generated block of a document is exactly what its command prints now:
# the lines between `<!-- generated: NAME -->` and `<!-- end generated: NAME -->`
# in each of DOCS must be the output of COMMAND (a ;-list). Tables made by a
# program (the op table, the edge census) cannot drift from the program.
#   cmake -DNAME=op-table "-DCOMMAND=op_table;--markdown" "-DDOCS=docs/FORMATS.md" -P check-generated.cmake
set(begin "<!-- generated: ${NAME} -->\n")
set(end "<!-- end generated: ${NAME} -->")
execute_process(COMMAND ${COMMAND} OUTPUT_VARIABLE expected RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${COMMAND} failed (${status})")
endif()
foreach(doc ${DOCS})
  file(READ ${doc} text)
  string(FIND "${text}" "${begin}" from)
  string(FIND "${text}" "${end}" to)
  if(from EQUAL -1 OR to EQUAL -1)
    message(FATAL_ERROR "${doc}: no block `${NAME}` (the lines `<!-- generated: ${NAME} -->` and `${end}`)")
  endif()
  string(LENGTH "${begin}" skip)
  math(EXPR from "${from} + ${skip}")
  math(EXPR length "${to} - ${from}")
  string(SUBSTRING "${text}" ${from} ${length} actual)
  if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "${doc}: the block `${NAME}` is not what the command prints now; replace it with the "
                        "output of: ${COMMAND}\nexpected:\n${expected}\nfound:\n${actual}")
  endif()
  message(STATUS "${doc}: block `${NAME}` is current")
endforeach()
