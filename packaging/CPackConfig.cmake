# Install rules and CPack settings for the outboxd .deb and .rpm (docs/packaging.md).
#
# Included at the end of the top-level CMakeLists.txt. Packages must be built from a tree configured
# with -DCMAKE_INSTALL_PREFIX=/usr (packaging/build-packages does this): the plugin directory is
# compiled into the binary, and CPACK_PACKAGING_INSTALL_PREFIX cannot change it afterwards.
set(OUTBOXD_PKG_DIR ${CMAKE_CURRENT_LIST_DIR})

# --- files only the packages need -----------------------------------------------------------------
# The config, the environment file and the logrotate snippet are installed to absolute paths: /etc
# is /etc whatever the prefix. All are conffiles (deb/conffiles) and %config(noreplace) (CPACK_RPM_USER_FILELIST).
# Their modes are not set here: the yaml (which may hold a password) is root:outboxd 0640 and the
# environment file (read by systemd as root) root:root 0600, set with %attr in the RPM and with
# dpkg-statoverride by deb/postinst (the Debian way, which dpkg keeps when an upgrade replaces them).
# Component etc, EXCLUDE_FROM_ALL: a plain `cmake --install` of a development build leaves /etc alone.
install(FILES ${CMAKE_SOURCE_DIR}/etc/outboxd.yaml DESTINATION /etc/outboxd
        COMPONENT etc EXCLUDE_FROM_ALL)
install(FILES ${OUTBOXD_PKG_DIR}/default/outboxd DESTINATION /etc/default
        COMPONENT etc EXCLUDE_FROM_ALL)
# Rotation of the log plugin's files under /var/log/outboxd (the unit's LogsDirectory).
install(FILES ${CMAKE_SOURCE_DIR}/etc/outboxd.logrotate DESTINATION /etc/logrotate.d RENAME outboxd
        COMPONENT etc EXCLUDE_FROM_ALL)

# The unit: /lib/systemd/system for Debian 12, /usr/lib/systemd/system for RPM distros. The RPM copy
# has a relative destination because CPackRPM marks every absolute-path file as %config.
install(FILES ${CMAKE_SOURCE_DIR}/etc/outboxd.service DESTINATION /lib/systemd/system
        COMPONENT unit_deb EXCLUDE_FROM_ALL)
install(FILES ${CMAKE_SOURCE_DIR}/etc/outboxd.service DESTINATION lib/systemd/system
        COMPONENT unit_rpm EXCLUDE_FROM_ALL)
# The license's full text where RPM distributions keep it; the deb's is /usr/share/doc/outboxd/copyright
# (DEP-5, pointing at Debian's common-licenses copy), as Debian policy wants.
install(FILES ${CMAKE_SOURCE_DIR}/LICENSE DESTINATION share/licenses/outboxd
        COMPONENT unit_rpm EXCLUDE_FROM_ALL)

# outboxd(8) and outboxd.yaml(5), written from the built binary's --help and `check-config --keys`
# (packaging/man/make-man-pages), so they always match the daemon they ship with.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(OUTBOXD_MAN_DIR ${CMAKE_BINARY_DIR}/man)
  add_custom_command(
    OUTPUT ${OUTBOXD_MAN_DIR}/outboxd.8.gz ${OUTBOXD_MAN_DIR}/outboxd.yaml.5.gz
    COMMAND ${Python3_EXECUTABLE} ${OUTBOXD_PKG_DIR}/man/make-man-pages $<TARGET_FILE:outboxd> ${OUTBOXD_MAN_DIR}
            ${PROJECT_VERSION}
    DEPENDS outboxd ${OUTBOXD_PKG_DIR}/man/make-man-pages
    COMMENT "Writing the man pages")
  add_custom_target(man_pages ALL DEPENDS ${OUTBOXD_MAN_DIR}/outboxd.8.gz ${OUTBOXD_MAN_DIR}/outboxd.yaml.5.gz)
  install(FILES ${OUTBOXD_MAN_DIR}/outboxd.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
  install(FILES ${OUTBOXD_MAN_DIR}/outboxd.yaml.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
endif()

# Completion of commands, flags and destination names (etc/outboxd.bash-completion).
install(FILES ${CMAKE_SOURCE_DIR}/etc/outboxd.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME outboxd)

# /usr/share/doc/outboxd: copyright, a gzipped changelog (lintian wants `gzip -9n`, no timestamp),
# the README and the user docs.
set(OUTBOXD_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/packaging)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${OUTBOXD_PKG_DIR}/changelog)
execute_process(COMMAND gzip -9nc INPUT_FILE ${OUTBOXD_PKG_DIR}/changelog
                OUTPUT_FILE ${OUTBOXD_CHANGELOG_GZ} RESULT_VARIABLE outboxd_gzip_rc)
if(NOT outboxd_gzip_rc EQUAL 0)
  message(FATAL_ERROR "gzip of ${OUTBOXD_PKG_DIR}/changelog failed (${outboxd_gzip_rc}); is gzip installed?")
endif()
install(FILES ${OUTBOXD_PKG_DIR}/copyright ${OUTBOXD_CHANGELOG_GZ} ${CMAKE_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/outboxd)
# Every Debian package carries its own copyright and changelog, the SDK too.
install(FILES ${OUTBOXD_PKG_DIR}/copyright ${OUTBOXD_CHANGELOG_GZ}
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/outboxd-dev COMPONENT dev)
file(GLOB OUTBOXD_DOCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${OUTBOXD_DOCS} DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/outboxd)

# --- CPack: common --------------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME outboxd)
set(CPACK_PACKAGE_VENDOR "outboxd")
set(CPACK_PACKAGE_CONTACT "outboxd maintainers <maintainers@users.noreply.r-seed-268d5205.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "transactional-outbox delivery daemon for PostgreSQL")
# Debian's extended description: lines of at most 79 characters.
set(CPACK_PACKAGE_DESCRIPTION
    "outboxd delivers the messages an application writes to an outbox table in
its own PostgreSQL database, in the same transaction as the change that
causes them, to sender plugins, at least once, with retries and ordering.
This package holds the daemon, its sender plugins (webhook, SMTP, a Redis
forwarder writing asynq tasks, log and null) and the SQL migrations. The
daemon runs as the outboxd system user under systemd (Type=notify);
systemctl reload re-reads /etc/outboxd/outboxd.yaml.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_STRIP_FILES ON)
set(CPACK_PROJECT_CONFIG_FILE ${OUTBOXD_PKG_DIR}/CPackProjectConfig.cmake)
# Read back by CPackProjectConfig.cmake, which refuses to package a build whose compiled-in paths
# are not the packaged ones.
set(CPACK_OUTBOXD_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_OUTBOXD_PLUGIN_DIR ${OUTBOXD_PLUGIN_DIR})
set(CPACK_OUTBOXD_BUNDLE_LIBRARIES ${OUTBOXD_BUNDLE_LIBRARIES})

# --- DEB ------------------------------------------------------------------------------------------
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: the shared libraries (dpkg-shlibdeps), plus useradd/groupadd for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_DAEMON_PACKAGE_NAME outboxd)
set(CPACK_DEBIAN_DAEMON_PACKAGE_DEPENDS passwd)
# The extended description (one package per group does not take CPACK_PACKAGE_DESCRIPTION; CPack
# puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before it as the synopsis).
set(CPACK_DEBIAN_DAEMON_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_DEBIAN_DAEMON_PACKAGE_SUGGESTS "postgresql, outboxd-dev")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# Copied by basename into the control archive, so the files must be named exactly this.
set(CPACK_DEBIAN_DAEMON_PACKAGE_CONTROL_EXTRA
    "${OUTBOXD_PKG_DIR}/deb/postinst;${OUTBOXD_PKG_DIR}/deb/prerm;${OUTBOXD_PKG_DIR}/deb/postrm;${OUTBOXD_PKG_DIR}/deb/conffiles")
# The plugin SDK: the header and its pkg-config file, for any architecture.
set(CPACK_DEBIAN_DEV_PACKAGE_NAME outboxd-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "plugin SDK of outboxd, the transactional-outbox daemon for PostgreSQL
The C header outboxd/plugin.h, the versioned ABI sender plugins of outboxd are
built against, and a pkg-config file, outboxd-plugin, that names it and the
directory the daemon loads plugins from.")

# --- RPM ------------------------------------------------------------------------------------------
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
# AUTOREQ derives Requires from the ELF files. The tree links in what Fedora and RHEL lack or ship
# under other sonames (OUTBOXD_BUNDLE_LIBRARIES, cmake/linked_libraries.cmake), so what is left is
# glibc, libgcc, libpq, libcurl and OpenSSL's libcrypto (docs/packaging.md, "What the packages
# require"; tests/packaging/check-packages holds the list).
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
# Less one requirement: Debian builds libcurl with versioned symbols (CURL_OPENSSL_4), Fedora and
# RHEL without, and rpm would require that version by name, which no RPM libcurl provides. At run
# time the dynamic linker binds a versioned reference to a library without versions, so the plugins
# (smtp, webhook) load against either; the unversioned libcurl.so.4 requirement stays. Four
# backslashes: CPack halves them writing the spec, and rpm's macro expansion halves them again.
set(OUTBOXD_RPM_REQUIRES_EXCLUDE [[%global __requires_exclude ^libcurl\\\\.so\\\\.4\\\\(CURL_OPENSSL_4\\\\)]])
# The project's home page, where a release build has one (-DOUTBOXD_HOMEPAGE_URL=...); the RPM's URL
# tag and the deb's Homepage field are left out rather than filled with a placeholder.
set(OUTBOXD_HOMEPAGE_URL "" CACHE STRING "Home page named by the packages (URL, Homepage); empty: none")
if(OUTBOXD_HOMEPAGE_URL)
  set(CPACK_PACKAGE_HOMEPAGE_URL ${OUTBOXD_HOMEPAGE_URL})
endif()
set(CPACK_RPM_DAEMON_PACKAGE_REQUIRES_PRE "shadow-utils")  # groupadd, useradd in %pre
set(CPACK_RPM_DAEMON_PACKAGE_NAME outboxd)
# RPM summaries start with a capital (rpmlint); Debian's synopsis stays as it is.
set(CPACK_RPM_DAEMON_PACKAGE_SUMMARY "Transactional-outbox delivery daemon for PostgreSQL")
# The deb's extended description, which CPackRPM would otherwise replace with a line of its own.
set(CPACK_RPM_DAEMON_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
# %{packager}, which fills the Packager tag.
set(OUTBOXD_RPM_PACKAGER "%define packager ${CPACK_PACKAGE_CONTACT}")
# The log plugin's files are rotated by the snippet in /etc/logrotate.d, which rpmlint rightly
# wants backed by the program that reads it; every Fedora and RHEL installation has it.
set(CPACK_RPM_DAEMON_PACKAGE_REQUIRES "logrotate")
set(CPACK_RPM_DAEMON_PRE_INSTALL_SCRIPT_FILE ${OUTBOXD_PKG_DIR}/rpm/pre)
set(CPACK_RPM_DAEMON_POST_INSTALL_SCRIPT_FILE ${OUTBOXD_PKG_DIR}/rpm/post)
set(CPACK_RPM_DAEMON_PRE_UNINSTALL_SCRIPT_FILE ${OUTBOXD_PKG_DIR}/rpm/preun)
set(CPACK_RPM_DAEMON_POST_UNINSTALL_SCRIPT_FILE ${OUTBOXD_PKG_DIR}/rpm/postun)
set(CPACK_RPM_DAEMON_USER_FILELIST
    "%config(noreplace) %attr(0640,root,outboxd) /etc/outboxd/outboxd.yaml"
    "%config(noreplace) %attr(0600,root,root) /etc/default/outboxd"
    "%config(noreplace) /etc/logrotate.d/outboxd")
# The plugin SDK, named as Fedora names development packages.
set(CPACK_RPM_DEV_PACKAGE_NAME outboxd-devel)
set(CPACK_RPM_DEV_PACKAGE_ARCHITECTURE noarch)
set(CPACK_RPM_DEV_PACKAGE_SUMMARY "Plugin SDK of outboxd: outboxd/plugin.h and outboxd-plugin.pc")
set(CPACK_RPM_DEV_PACKAGE_DESCRIPTION "The C header outboxd/plugin.h, the versioned ABI sender plugins of outboxd are
built against, and a pkg-config file, outboxd-plugin, that names it and the
directory the daemon loads plugins from.")
set(CPACK_RPM_DEV_PACKAGE_GROUP "Development/Libraries")
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none\n${OUTBOXD_RPM_PACKAGER}\n${OUTBOXD_RPM_REQUIRES_EXCLUDE}")
# Directories other packages own; the RPM must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc/default /etc/logrotate.d /usr/share/man /usr/share/man/man5 /usr/share/man/man8
    /usr/share/bash-completion /usr/share/bash-completion/completions /usr/share/licenses
    /usr/share/pkgconfig /usr/include
    /lib /lib/systemd /lib/systemd/system /usr/lib/systemd /usr/lib/systemd/system)

include(CPack)
# Two packages: the daemon (with its /etc files and unit) and the plugin SDK.
cpack_add_component_group(daemon)
cpack_add_component_group(dev)
foreach(component Unspecified etc unit_deb unit_rpm)
  cpack_add_component(${component} GROUP daemon)
endforeach()
cpack_add_component(dev GROUP dev)
