# Every dependency is a Debian 12 package; scripts/install-deps.sh installs them.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(PkgConfig REQUIRED)
# hiredis 0.14 ships no CMake target: use pkg-config.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET GLOBAL hiredis)
add_library(hiredis::hiredis ALIAS PkgConfig::HIREDIS)
if(VIGIL_BUILD_TESTS)
    find_package(GTest REQUIRED)
endif()
