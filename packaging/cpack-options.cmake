# Read by cpack: the package's unit, conffile and maintainer scripts name /usr and /etc paths.
if(NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "The Debian package installs under /usr, not ${CPACK_PACKAGING_INSTALL_PREFIX}: "
                      "configure with -DCMAKE_INSTALL_PREFIX=/usr (make package does)")
endif()
