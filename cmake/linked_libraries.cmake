# The third-party libraries outboxd links, as targets of our own naming (outboxd_pqxx,
# outboxd_yaml_cpp, outboxd_logging, outboxd_hiredis), so that one switch decides how they are
# linked:
#
#  - OUTBOXD_BUNDLE_LIBRARIES=OFF (a developer's tree, the sanitizer trees): the shared libraries
#    the distribution ships, as any program on it would link them.
#  - ON (the package tree: scripts/test --packages, packaging/build-packages): libpqxx, yaml-cpp,
#    hiredis, spdlog and fmt, and the C++ runtime (libstdc++), are linked into the binaries and
#    plugins. What the packages then need at run time is what every current Linux distribution
#    ships under the same soname: glibc (and libgcc_s), libpq, libcurl and OpenSSL's libcrypto.
#    libpqxx 6.4, yaml-cpp 0.7, hiredis 0.14, spdlog 1.10 and fmt 9 are Debian 12's; Fedora and
#    RHEL ship other versions under other sonames (or none), and so do later Debian and Ubuntu
#    releases. GCC 12's libstdc++ is newer than RHEL 9's. tests/packaging/check-packages holds the
#    packages' requirements to that list (docs/packaging.md, "What the packages require").
#
# The libraries left shared are the ones whose security fixes should reach outboxd through the
# system's own updates: TLS (libcurl, OpenSSL) and the database client (libpq).
option(OUTBOXD_BUNDLE_LIBRARIES
       "Link libpqxx, yaml-cpp, hiredis, spdlog, fmt and libstdc++ into the binaries (the packages)" OFF)
if(OUTBOXD_BUNDLE_LIBRARIES AND (OUTBOXD_SANITIZE OR OUTBOXD_TSAN))
  # The sanitizer runtimes intercept the C++ runtime's allocation and threading calls; they expect
  # libstdc++ to be the shared one.
  message(FATAL_ERROR "OUTBOXD_BUNDLE_LIBRARIES is for the package tree; the sanitizer trees link shared libraries")
endif()

find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)  # PQconninfoParse, and api/readiness.cpp's non-blocking calls
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(CURL REQUIRED)
find_package(Threads REQUIRED)

# outboxd_static_archive(<var> <name> <dirs...>): the path of lib<name>.a, searched in <dirs> first.
function(outboxd_static_archive var name)
  find_library(${var} NAMES lib${name}.a HINTS ${ARGN} NO_CACHE)
  if(NOT ${var})
    message(FATAL_ERROR "OUTBOXD_BUNDLE_LIBRARIES needs the static library lib${name}.a (Debian ships "
                        "it in the same -dev package as the shared one); it was not found")
  endif()
  set(${var} ${${var}} PARENT_SCOPE)
endfunction()

add_library(outboxd_pqxx INTERFACE)
add_library(outboxd_yaml_cpp INTERFACE)
add_library(outboxd_logging INTERFACE)
add_library(outboxd_hiredis INTERFACE)
if(OUTBOXD_BUNDLE_LIBRARIES)
  outboxd_static_archive(pqxx_archive pqxx ${PQXX_LIBRARY_DIRS})
  target_include_directories(outboxd_pqxx SYSTEM INTERFACE ${PQXX_INCLUDE_DIRS})
  target_compile_options(outboxd_pqxx INTERFACE ${PQXX_CFLAGS_OTHER})
  target_link_libraries(outboxd_pqxx INTERFACE ${pqxx_archive} PkgConfig::PQ)

  get_target_property(yaml_include_dirs yaml-cpp INTERFACE_INCLUDE_DIRECTORIES)
  get_target_property(yaml_shared_library yaml-cpp LOCATION)
  get_filename_component(yaml_library_dir "${yaml_shared_library}" DIRECTORY)
  outboxd_static_archive(yaml_archive yaml-cpp ${yaml_library_dir})
  target_include_directories(outboxd_yaml_cpp SYSTEM INTERFACE ${yaml_include_dirs})
  target_link_libraries(outboxd_yaml_cpp INTERFACE ${yaml_archive})

  # spdlog and fmt header-only: their code is compiled into each target that logs, and nothing of
  # theirs is left to link. (spdlog::spdlog_header_only itself would still link the shared fmt.)
  get_target_property(spdlog_include_dirs spdlog::spdlog_header_only INTERFACE_INCLUDE_DIRECTORIES)
  target_include_directories(outboxd_logging SYSTEM INTERFACE ${spdlog_include_dirs})
  target_compile_definitions(outboxd_logging INTERFACE SPDLOG_FMT_EXTERNAL)
  target_link_libraries(outboxd_logging INTERFACE fmt::fmt-header-only Threads::Threads)

  outboxd_static_archive(hiredis_archive hiredis ${HIREDIS_LIBRARY_DIRS})
  target_include_directories(outboxd_hiredis SYSTEM INTERFACE ${HIREDIS_INCLUDE_DIRS})
  target_link_libraries(outboxd_hiredis INTERFACE ${hiredis_archive})

  # The C++ runtime, in every executable and plugin the tree links. Each plugin gets a copy of its
  # own, kept private by the plugin's version script; nothing C++ crosses the plugin ABI, which is C.
  add_link_options(-static-libstdc++)
  # ... and the one glibc 2.36 function that runtime refers to, answered inside each packaged
  # binary (compat/arc4random.c): added to `outboxd` and to every plugin (outboxd_add_plugin).
  set(OUTBOXD_GLIBC_COMPAT_SOURCES ${CMAKE_SOURCE_DIR}/compat/arc4random.c)
else()
  set(OUTBOXD_GLIBC_COMPAT_SOURCES)
  target_link_libraries(outboxd_pqxx INTERFACE PkgConfig::PQXX PkgConfig::PQ)
  target_link_libraries(outboxd_yaml_cpp INTERFACE yaml-cpp)
  target_link_libraries(outboxd_logging INTERFACE spdlog::spdlog fmt::fmt)
  target_link_libraries(outboxd_hiredis INTERFACE PkgConfig::HIREDIS)
endif()
