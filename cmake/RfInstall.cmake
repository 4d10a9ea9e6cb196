# What `cmake --install` puts on a host (docs/operations.md, "Deploying on several hosts"):
# the programs, the rule sets and their data, the SQL migrations (the sink applies them from
# its own copy; these are for reading), the configuration, rewritten from config/reportflow.conf
# for the installed paths, and the systemd units.
include(GNUInstallDirs)

set(RF_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(RF_DATADIR ${CMAKE_INSTALL_FULL_DATADIR}/reportflow)
set(RF_DOCDIR ${CMAKE_INSTALL_FULL_DOCDIR})
set(RF_SYSCONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/reportflow)
set(RF_STATEDIR ${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/reportflow)
set(RF_UNITDIR lib/systemd/system CACHE STRING "where the systemd units go, under the prefix")

install(TARGETS reportflow-producer reportflow-worker reportflow-sink reportflow-lag
                reportflow-topics reportflow-reprocess reportflow-report reportflow-extract
                reportflow-eval reportflow-officetext
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/rules ${PROJECT_SOURCE_DIR}/config/divisions
                  ${PROJECT_SOURCE_DIR}/config/fold ${PROJECT_SOURCE_DIR}/config/prometheus
        DESTINATION ${CMAKE_INSTALL_DATADIR}/reportflow)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sql/ DESTINATION ${CMAKE_INSTALL_DATADIR}/reportflow/sql
        FILES_MATCHING PATTERN "*.sql")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/schema DESTINATION ${CMAKE_INSTALL_DATADIR}/reportflow)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")

# The configuration: the checkout's, its relative paths made the installed ones.
file(READ ${PROJECT_SOURCE_DIR}/config/reportflow.conf rf_conf)
foreach(pair "watch.dir=inbox|watch.dir=${RF_STATEDIR}/inbox"
             "archive.dir=done|archive.dir=${RF_STATEDIR}/done"
             "failed.dir=failed|failed.dir=${RF_STATEDIR}/failed"
             "worker.rules=config/rules|worker.rules=${RF_DATADIR}/rules"
             "# kafka.bootstrap.servers=localhost:9092|kafka.bootstrap.servers=localhost:9092")
    string(REPLACE "|" ";" pair "${pair}")
    list(GET pair 0 from)
    list(GET pair 1 to)
    string(FIND "${rf_conf}" "${from}" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "config/reportflow.conf no longer has '${from}': update cmake/RfInstall.cmake")
    endif()
    string(REPLACE "${from}" "${to}" rf_conf "${rf_conf}")
endforeach()
file(WRITE ${PROJECT_BINARY_DIR}/install/reportflow.conf
     "# Installed by reportflow ${PROJECT_VERSION}: the paths are this host's; set\n"
     "# kafka.bootstrap.servers and pg.conninfo (readable by the reportflow group only).\n"
     "${rf_conf}")
# (absolute: under the prefix /usr, GNUInstallDirs names /etc, not /usr/etc)
install(FILES ${PROJECT_BINARY_DIR}/install/reportflow.conf
        DESTINATION ${RF_SYSCONFDIR}
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)

# The units, hardened alike (systemd-analyze verify and security: tests/integration/0011-install.sh);
# the worker alone may make namespaces, a network of none for its converters (childproc.c).
set(RF_HARDENING "NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
LockPersonality=yes
SystemCallArchitectures=native
CapabilityBoundingSet=
AmbientCapabilities=
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
PrivateMounts=yes
RemoveIPC=yes
UMask=0027")
foreach(unit reportflow-producer.service reportflow-worker@.service reportflow-sink.service)
    configure_file(${PROJECT_SOURCE_DIR}/config/systemd/${unit}.in
                   ${PROJECT_BINARY_DIR}/install/${unit} @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/install/${unit} DESTINATION ${RF_UNITDIR})
endforeach()

# A Debian package of the above (scripts/package.sh configures the prefix /usr and runs cpack):
# the libraries it links found by dpkg-shlibdeps, the converters it calls named; the maintainer
# scripts make the user the units run as and keep the configuration and the data.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME reportflow)
set(CPACK_PACKAGE_VENDOR "reportflow")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "government annual reports into PostgreSQL, through Kafka")
set(CPACK_PACKAGE_CONTACT "reportflow maintainers <reportflow@localhost>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "poppler-utils, adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tesseract-ocr, tesseract-ocr-chi-sim, libreoffice-writer-nogui")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/config/debian/postinst ${PROJECT_SOURCE_DIR}/config/debian/postrm
    ${PROJECT_SOURCE_DIR}/config/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
