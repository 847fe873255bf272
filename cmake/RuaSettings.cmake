# Small INTERFACE targets that carry warnings and sanitizer flags; every
# project target links rua::settings.
add_library(rua_settings INTERFACE)
add_library(rua::settings ALIAS rua_settings)
target_compile_options(rua_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
  -Wformat=2 -Wimplicit-fallthrough)
if(RUA_WERROR)
  target_compile_options(rua_settings INTERFACE -Werror)
endif()
if(RUA_SANITIZE)
  target_compile_options(rua_settings INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(rua_settings INTERFACE -fsanitize=address,undefined)
endif()
