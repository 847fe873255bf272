# CPack project config (read by cpack before it packages): refuses a tree
# configured for a prefix other than /usr. The Debian package installs under
# /usr with its config in /etc, and ruactl and ruactl-store carry their
# installed paths from configure time, so such a package would be broken.
if(NOT CPACK_RUA_CONFIGURED_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR
    "rua-milter: the Debian package needs a tree configured with -DCMAKE_INSTALL_PREFIX=/usr "
    "(this one has ${CPACK_RUA_CONFIGURED_PREFIX}; ruactl would look for its files there)")
endif()
