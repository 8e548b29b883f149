# medmij_embed_files(TEMPLATE file.cc.in OUTPUT file.cc VARIABLE NAME DELIMITER d BASE_DIR dir
#                    FILES a b ...)
# Compiles files of the source tree into the binary: sets NAME to one initialiser line per file,
# {"a", R"d(<text of dir/a>)d"}, and configures TEMPLATE (which places @NAME@ inside a table)
# into OUTPUT. Editing a file re-runs the configure step. A file that contains the raw-string
# delimiter is refused at configure time.
function(medmij_embed_files)
  cmake_parse_arguments(E "" "TEMPLATE;OUTPUT;VARIABLE;DELIMITER;BASE_DIR" "FILES" ${ARGN})
  set(table "")
  foreach(f ${E_FILES})
    set(path ${E_BASE_DIR}/${f})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
    file(READ ${path} text)
    string(FIND "${text}" ")${E_DELIMITER}\"" clash)
    if(NOT clash EQUAL -1)
      message(FATAL_ERROR "${f}: the file contains the raw-string delimiter ${E_DELIMITER}")
    endif()
    string(APPEND table "    {\"${f}\",\n     R\"${E_DELIMITER}(${text})${E_DELIMITER}\"},\n")
  endforeach()
  set(${E_VARIABLE} "${table}")
  configure_file(${E_TEMPLATE} ${E_OUTPUT} @ONLY)
endfunction()
