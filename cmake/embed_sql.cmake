# Turns every .sql file under SQL_DIR/migrations and SQL_DIR/queries into a C++ header of
# {name, text} pairs, so the daemon carries exactly the SQL it was built with.
file(GLOB migrations ${SQL_DIR}/migrations/*.sql)
file(GLOB queries ${SQL_DIR}/queries/*.sql)
list(SORT migrations)
list(SORT queries)

function(emit_entries files out_var)
  set(text "")
  foreach(f IN LISTS files)
    get_filename_component(name ${f} NAME)
    file(READ ${f} body)
    string(APPEND text "    {\"${name}\", R\"outboxd_sql(${body})outboxd_sql\"},\n")
  endforeach()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

emit_entries("${migrations}" migration_entries)
emit_entries("${queries}" query_entries)

set(content "// Generated from sql/ by cmake/embed_sql.cmake; do not edit.\n#pragma once\n#include <utility>\n\nnamespace outboxd::sql {\nstruct EmbeddedFile { const char *name; const char *text; };\n// Sorted by file name, so migrations come in the order they must be applied.\ninline constexpr EmbeddedFile kMigrations[] = {\n${migration_entries}    {nullptr, nullptr}};\ninline constexpr EmbeddedFile kQueries[] = {\n${query_entries}    {nullptr, nullptr}};\n}  // namespace outboxd::sql\n")
file(WRITE ${OUT}.tmp "${content}")
# Only touch the header when it changed, so unrelated edits do not rebuild the core.
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
file(REMOVE ${OUT}.tmp)
