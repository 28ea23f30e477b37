// vigil-server [config-file] [--directive value ...]
#include <cstdio>
#include <exception>
#include <string>

#include "server/config_loader.hpp"
#include "server/runtime.hpp"

int main(int argc, char** argv) {
    using namespace vigil::server;
    try {
        auto setup = load_server_setup(argc, argv);
        if (setup.exit_code) {
            return *setup.exit_code;
        }
        Server server(std::move(setup.config));
        server.executable = setup.executable;
        server.config_file = setup.config_file;
        std::string error;
        if (!server.persistence->load(error)) {
            std::fprintf(stderr, "%s\n", error.c_str());
            return 1;
        }
        return run_server(server);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
