# vigil_build_flags: an INTERFACE target carrying warnings and sanitizer flags.
add_library(vigil_build_flags INTERFACE)
target_compile_options(vigil_build_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast)
if(VIGIL_WARNINGS_AS_ERRORS)
    target_compile_options(vigil_build_flags INTERFACE -Werror)
endif()
