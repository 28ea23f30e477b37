#pragma once
// Reads the command line and config file into a ServerConfig, like redis-server:
//   vigil-server [config-file | -] [--directive arg ...]
// The file is read first (`-` reads stdin), then every `--directive args` is applied as if it
// were a line appended to the file.
#include <optional>
#include <string>
#include <vector>

#include "common/config/config_lexer.hpp"
#include "server/server_config.hpp"

namespace vigil::server {

struct ServerSetup {
    ServerConfig config;
    std::string executable;
    std::string config_file;       // absolute path, empty when none
    std::optional<int> exit_code;  // set for --version / --help / --test-memory
    // Directives that were given but mean nothing to Vigil (one start-up warning names them).
    std::vector<std::string> ignored_directives;
};

// The text of the arguments after the file (shared with vigil-sentinel).
using common::config::command_line_options;

// Throws common::config::ConfigError (file, line, reason) on a bad directive or unreadable file.
ServerSetup load_server_setup(int argc, char** argv);

// Applies `text` (redis.conf syntax) to `setup` as the loader does; `source` names it in errors.
// `first_option_line`: lines from there on are reported as coming from the command line.
void apply_config_text(ServerSetup& setup,
                       const std::string& text,
                       const std::string& source,
                       int first_option_line = 0);

}  // namespace vigil::server
