#pragma once
// Reads the command line and config file into a ServerConfig.
#include <optional>
#include <string>

#include "server/server_config.hpp"

namespace vigil::server {

struct ServerSetup {
    ServerConfig config;
    std::string executable;
    std::string config_file;       // absolute path, empty when none
    std::optional<int> exit_code;  // set for --version / --help / --test-memory
};

// Throws std::runtime_error with file, line and reason on a bad directive.
ServerSetup load_server_setup(int argc, char** argv);

}  // namespace vigil::server
