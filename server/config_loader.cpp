// Minimal command-line handling; the full redis.conf engine replaces this.
#include "server/config_loader.hpp"

#include <stdexcept>
#include <string_view>

namespace vigil::server {

ServerSetup load_server_setup(int argc, char** argv) {
    ServerSetup s;
    s.executable = argv[0];
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--port" && i + 1 < argc) {
            s.config.port = std::stoi(argv[++i]);
        } else if (a == "--bind" && i + 1 < argc) {
            s.config.bind = {argv[++i]};
        } else if (a == "--requirepass" && i + 1 < argc) {
            s.config.requirepass = argv[++i];
        } else if (a == "--enable-debug-command" && i + 1 < argc) {
            s.config.enable_debug_command = argv[++i];
        } else if (a == "--save" && i + 1 < argc) {
            ++i;
            s.config.save_params.clear();
        } else if (a == "--dir" && i + 1 < argc) {
            s.config.dir = argv[++i];
        } else {
            throw std::runtime_error("Bad directive or wrong number of arguments: " +
                                     std::string(a));
        }
    }
    return s;
}

}  // namespace vigil::server
