# reup_embed(OUT_VAR SYMBOL FILE...): turn text files (SQL migrations) into a C source that
# defines `const char *const SYMBOL[]` (NULL-terminated, in the order given), so programs
# need no files at run time.
function(reup_embed out_var symbol)
  set(src "${CMAKE_CURRENT_BINARY_DIR}/${symbol}.c")
  add_custom_command(
    OUTPUT "${src}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${src} -DSYMBOL=${symbol} "-DFILES=${ARGN}"
            -P ${CMAKE_SOURCE_DIR}/cmake/embed-run.cmake
    DEPENDS ${ARGN} ${CMAKE_SOURCE_DIR}/cmake/embed-run.cmake
    COMMENT "Embedding ${symbol}"
    VERBATIM)
  set(${out_var} "${src}" PARENT_SCOPE)
endfunction()
