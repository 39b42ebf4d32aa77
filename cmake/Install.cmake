# Install layout (FHS) and the Debian package (`make deb`: CPack's DEB generator).
# Configure with -DCMAKE_INSTALL_PREFIX=/usr for the package; /etc and the
# systemd unit directory are absolute, as Debian 12 wants them.
include(GNUInstallDirs)

set(ARGUS_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH "Where argus.service goes")
set(ARGUS_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/argus)

install(TARGETS argus RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/argus/web
        PATTERN .prettierrc.json EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/argus.yaml DESTINATION /etc/argus)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/argus.service DESTINATION ${ARGUS_SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/packaging/copyright
        DESTINATION ${ARGUS_DOC_DIR})

# Debian policy: the man page and the changelog gzipped (-n: no name or time
# stamp inside, so the package is reproducible).
find_program(ARGUS_GZIP gzip REQUIRED)
set(ARGUS_GZIPPED)
foreach(pair "argus.1;argus.1.gz" "changelog;changelog.gz")
  list(GET pair 0 in)
  list(GET pair 1 out)
  add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/packaging/${out}
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/packaging
                     COMMAND ${ARGUS_GZIP} -9nc ${PROJECT_SOURCE_DIR}/packaging/${in} >
                             ${PROJECT_BINARY_DIR}/packaging/${out}
                     DEPENDS ${PROJECT_SOURCE_DIR}/packaging/${in})
  list(APPEND ARGUS_GZIPPED ${PROJECT_BINARY_DIR}/packaging/${out})
endforeach()
add_custom_target(argus_packaging_gz ALL DEPENDS ${ARGUS_GZIPPED})
install(FILES ${PROJECT_BINARY_DIR}/packaging/argus.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_BINARY_DIR}/packaging/changelog.gz DESTINATION ${ARGUS_DOC_DIR})
# The changelog's latest entry names the version being packaged.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog)
file(STRINGS ${PROJECT_SOURCE_DIR}/packaging/changelog ARGUS_CHANGELOG_TOP LIMIT_COUNT 1)
if(NOT ARGUS_CHANGELOG_TOP MATCHES "^argus \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging/changelog: the first entry is not version ${PROJECT_VERSION} "
                      "(add an entry for it): ${ARGUS_CHANGELOG_TOP}")
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${ARGUS_DOC_DIR}/docs
        PATTERN screenshots EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/ DESTINATION ${ARGUS_DOC_DIR}/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME argus)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "video analytics for museum and site security")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "Argus watches CCTV cameras, detects and tracks people and objects, applies the\n"
       "rules a security team draws and raises alerts with evidence. It runs as the\n"
       "systemd service argus with a web dashboard, MQTT (Home Assistant discovery),\n"
       "webhooks and Prometheus metrics. No face recognition.")
set(ARGUS_DEB_MAINTAINER "Argus maintainers <maintainers@users.noreply.h-seed-67b7856b.example>"
    CACHE STRING "The package's Maintainer: field")
set(CPACK_PACKAGE_CONTACT ${ARGUS_DEB_MAINTAINER})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # argus_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The runtime libraries are computed by dpkg-shlibdeps from the binary.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mosquitto")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "opencv-doc, prometheus")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
