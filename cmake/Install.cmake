# Install layout (FHS) and the Debian package (`make deb`: CPack's DEB generator).
# Configure with -DCMAKE_INSTALL_PREFIX=/usr for the package; /etc and the
# systemd unit directory are absolute, as Debian 12 wants them.
include(GNUInstallDirs)

set(ARGUS_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH "Where argus.service goes")
set(ARGUS_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/argus)

install(TARGETS argus RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/argus/web)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/argus.yaml DESTINATION /etc/argus)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/argus.service DESTINATION ${ARGUS_SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/packaging/argus.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${ARGUS_DOC_DIR})
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
set(CPACK_PACKAGE_CONTACT "Argus maintainers <argus@localhost>")
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
