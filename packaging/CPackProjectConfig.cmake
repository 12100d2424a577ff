# Per-generator CPack settings (cpack evaluates this once per generator): one package per generator,
# each with the /etc files and its own copy of the systemd unit (CPackConfig.cmake says why two).
if(NOT CPACK_OUTBOXD_INSTALL_PREFIX STREQUAL "/usr" OR
   NOT CPACK_OUTBOXD_PLUGIN_DIR STREQUAL "/usr/lib/outboxd/plugins")
  message(FATAL_ERROR
    "outboxd packages need a build configured with -DCMAKE_INSTALL_PREFIX=/usr, so that the daemon "
    "looks for plugins in /usr/lib/outboxd/plugins; this build has CMAKE_INSTALL_PREFIX="
    "'${CPACK_OUTBOXD_INSTALL_PREFIX}' and OUTBOXD_PLUGIN_DIR='${CPACK_OUTBOXD_PLUGIN_DIR}'. "
    "Use packaging/build-packages, or a fresh build directory.")
endif()

# A tree that links Debian 12's shared libpqxx, yaml-cpp, hiredis, spdlog and fmt would make packages
# that install only on Debian 12 (an RPM that installs nowhere).
if(NOT CPACK_OUTBOXD_BUNDLE_LIBRARIES)
  message(FATAL_ERROR
    "outboxd packages need a build configured with -DOUTBOXD_BUNDLE_LIBRARIES=ON, so that they carry "
    "the libraries other distributions lack (cmake/linked_libraries.cmake). Use packaging/build-packages.")
endif()

if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_COMPONENTS_ALL Unspecified etc unit_deb dev)
else()
  set(CPACK_COMPONENTS_ALL Unspecified etc unit_rpm dev)
endif()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_RPM_COMPONENT_INSTALL ON)
# One package per group (CPackConfig.cmake): outboxd, and outboxd-dev / outboxd-devel.
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
