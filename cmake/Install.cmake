# `cmake --install <build> --prefix <dir>` installs bin/nncc, lib/libnnrt.a,
# include/nnrt/*.h, the CMake package lib/cmake/nncc (find_package(nncc):
# nncc::nnrt, nncc::nncc, nncc_add_model) and lib/pkgconfig/nnrt.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS nnrt EXPORT nnccTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/nnrt
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS nncc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT nnccTargets NAMESPACE nncc::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nncc)

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/nnccConfig.cmake.in
  ${PROJECT_BINARY_DIR}/nnccConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nncc
  PATH_VARS CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nnccConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nnccConfig.cmake
  ${PROJECT_BINARY_DIR}/nnccConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nncc)

# The prefix is known only at install time (cmake --install --prefix).
install(CODE "
  set(CMAKE_INSTALL_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(CMAKE_INSTALL_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(CMAKE_INSTALL_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/cmake/nnrt.pc.in\"
    \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/nnrt.pc\" @ONLY)
")
