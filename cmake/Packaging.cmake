# Installation layout and the Debian package (CPack DEB): `scripts/package.sh OUTDIR`.
#
# The package installs into /usr (CPack's DEB prefix), the configuration files into /etc, the
# unit into /lib/systemd/system (Debian 12). Man pages are made from the programs' own --help
# and --version by help2man, and the bash completion from medmij-admin's command tree, both at
# build time, so neither can drift from the code.
include(GNUInstallDirs)

set(MEDMIJ_PACKAGE_MAINTAINER "MedMij registry maintainers <registry@medmij.example>"
  CACHE STRING "Maintainer field of the Debian package")
set(MEDMIJ_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH "Where the systemd unit goes")
set(debian_dir ${PROJECT_SOURCE_DIR}/deploy/debian)

# The changelog names the package version: it must agree with project(VERSION).
file(STRINGS ${debian_dir}/changelog changelog_head LIMIT_COUNT 1)
if(NOT changelog_head MATCHES "^medmij-registry \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "deploy/debian/changelog: the first entry must be version "
    "${PROJECT_VERSION} (project(VERSION) in CMakeLists.txt), found: ${changelog_head}")
endif()

install(TARGETS medmij-admin medmij-verify medmij-fetch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS medmij-registry RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/medmij-registry.service
  ${PROJECT_SOURCE_DIR}/deploy/systemd/medmij-fetch.service
  ${PROJECT_SOURCE_DIR}/deploy/systemd/medmij-fetch.timer
  DESTINATION ${MEDMIJ_SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/deploy/default/medmij-fetch DESTINATION /etc/default)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/nginx/medmij-registry.conf
  DESTINATION /etc/nginx/sites-available RENAME medmij-registry)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/config/registry.example.toml
  DESTINATION /etc/medmij-registry)

set(pkg_doc ${CMAKE_INSTALL_DATADIR}/doc/medmij-registry)
set(gen_dir ${PROJECT_BINARY_DIR}/package)
file(MAKE_DIRECTORY ${gen_dir})
add_custom_command(OUTPUT ${gen_dir}/changelog.gz
  COMMAND gzip -9nc ${debian_dir}/changelog > ${gen_dir}/changelog.gz
  DEPENDS ${debian_dir}/changelog VERBATIM)
install(FILES ${debian_dir}/copyright ${PROJECT_SOURCE_DIR}/README.md ${gen_dir}/changelog.gz
  DESTINATION ${pkg_doc})
install(PROGRAMS ${PROJECT_SOURCE_DIR}/deploy/make-dev-ca.sh DESTINATION ${pkg_doc}/examples)

# Bash, zsh and fish completion, generated from the command tree, where Debian's shells look.
foreach(shell bash zsh fish)
  add_custom_command(OUTPUT ${gen_dir}/medmij-admin.${shell}
    COMMAND $<TARGET_FILE:medmij-admin> completion ${shell} > ${gen_dir}/medmij-admin.${shell}
    DEPENDS medmij-admin VERBATIM)
endforeach()
install(FILES ${gen_dir}/medmij-admin.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME medmij-admin)
install(FILES ${gen_dir}/medmij-admin.zsh
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions RENAME _medmij-admin)
install(FILES ${gen_dir}/medmij-admin.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d RENAME medmij-admin.fish)
set(package_outputs ${gen_dir}/changelog.gz ${gen_dir}/medmij-admin.bash
  ${gen_dir}/medmij-admin.zsh ${gen_dir}/medmij-admin.fish)

# Man pages. Without help2man the build goes on (a developer machine), but there is no package.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  foreach(page "medmij-admin;1" "medmij-verify;1" "medmij-fetch;1" "medmij-registry;8")
    list(GET page 0 prog)
    list(GET page 1 section)
    set(out ${gen_dir}/${prog}.${section})
    add_custom_command(OUTPUT ${out}.gz
      COMMAND ${HELP2MAN} --no-info --section=${section} --source=MedMij
        --version-string=${PROJECT_VERSION} --include=${debian_dir}/man/${prog}.h2m
        --output=${out} $<TARGET_FILE:${prog}>
      COMMAND gzip -9nf ${out}
      DEPENDS ${prog} ${debian_dir}/man/${prog}.h2m VERBATIM)
    install(FILES ${out}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
    list(APPEND package_outputs ${out}.gz)
  endforeach()
else()
  message(STATUS "help2man not found: no man pages, so no Debian package (scripts/install-deps.sh)")
  install(CODE "message(FATAL_ERROR \"help2man was not found at configure time: no man pages\")")
endif()
add_custom_target(medmij_package_files ALL DEPENDS ${package_outputs})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME medmij-registry)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${MEDMIJ_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "MedMij registry: participants, compliance and signed lists")
set(CPACK_PACKAGE_DESCRIPTION
  "The MedMij foundation's system of record for the participants of the Dutch
personal-health-data network, and the publisher of the lists every node polls
(Whitelist, OAuth Client List, Zorgaanbiederslijst, Gegevensdienstnamenlijst).
.
medmij-admin is the staff's command line over an LMDB store with a
tamper-evident journal; medmij-registry derives, validates, signs (XMLDSig),
archives and serves the lists over HTTP; medmij-verify checks a signed list
for participants, and medmij-fetch (with a systemd timer) fetches, verifies
and installs the lists on a participant's node.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MEDMIJ_PACKAGE_MAINTAINER}")
# The shared libraries' packages come from dpkg-shlibdeps; adduser for the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nginx-light | nginx")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "xmlsec1, libxml2-utils")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${debian_dir}/postinst ${debian_dir}/prerm ${debian_dir}/postrm ${debian_dir}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
# Only the parts listed above: no tests, benchmarks or static libraries.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};ALL;/")
include(CPack)
