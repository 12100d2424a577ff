# outboxd_add_plugin(): builds one sender plugin as a dlopen()able module that exports only its entry.
#
#   outboxd_add_plugin(<target> <sources...>)
#
# The module is named exactly <target>.so (no "lib" prefix) because the daemon resolves `plugin: log`
# to <plugin_dir>/log.so. It lands in the calling directory's binary dir, so plugins/ and
# tests/fixtures/plugins/ each get a flat directory of .so files the tests can point at.
#
# Why each setting:
#  - hidden visibility (C, C++ and inline functions): only OUTBOXD_EXPORT symbols, i.e.
#    outboxd_plugin_entry, leave the module; header-only libraries such as nlohmann-json stay private.
#  - a version script making everything but outboxd_plugin_entry local: hidden visibility alone still
#    exports the std:: template instances libstdc++ marks visible (and STB_GNU_UNIQUE ones, which
#    would keep the module from ever unloading).
#  - -Wl,--no-undefined: the link fails if the plugin uses anything it does not link itself, so a
#    plugin can never quietly depend on symbols from the daemon (core, spdlog, yaml-cpp).
#  - only include/ is on the include path, not the source root, so `#include "core/..."` cannot work.
set(OUTBOXD_PLUGIN_VERSION_SCRIPT ${CMAKE_BINARY_DIR}/outboxd_plugin.map)
file(CONFIGURE OUTPUT ${OUTBOXD_PLUGIN_VERSION_SCRIPT}
     CONTENT "{\n  global: outboxd_plugin_entry;\n  local: *;\n};\n")

function(outboxd_add_plugin target)
  if(ARGC LESS 2)
    message(FATAL_ERROR "outboxd_add_plugin(${target}): give at least one source file")
  endif()
  # OUTBOXD_GLIBC_COMPAT_SOURCES: empty unless the tree links libstdc++ in (cmake/linked_libraries.cmake).
  add_library(${target} MODULE ${ARGN} ${OUTBOXD_GLIBC_COMPAT_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${target}
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/include)
  target_compile_options(${target} PRIVATE ${OUTBOXD_WARNINGS})
  target_link_options(${target} PRIVATE -Wl,--no-undefined
                      -Wl,--version-script=${OUTBOXD_PLUGIN_VERSION_SCRIPT})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${OUTBOXD_PLUGIN_VERSION_SCRIPT})
endfunction()
