// vigil-server [config-file] [--directive value ...]
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/config/config_lexer.hpp"
#include "common/log/log.hpp"
#include "common/util/process.hpp"
#include "server/config_loader.hpp"
#include "server/runtime.hpp"
#include "server/version.hpp"
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char** argv) {
    using namespace vigil::server;
    namespace log = vigil::common::log;
    // Until the configuration says otherwise, log to stdout as a not-yet-server ('C').
    log::setup({'C', "", "notice"});
    ServerSetup setup;
    try {
        setup = load_server_setup(argc, argv);
    } catch (const vigil::common::config::ConfigError& e) {
        if (e.kind() == vigil::common::config::ConfigError::Kind::cannot_open) {
            spdlog::warn("{}", e.what());
        } else {
            std::fputs(e.fatal_report(kRedisCompatVersion).c_str(), stderr);
        }
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    if (setup.exit_code) {
        return *setup.exit_code;
    }
    ServerConfig& cfg = setup.config;
    if (cfg.daemonize) {
        vigil::common::daemonize();
    }
    try {
        log::setup({'M', cfg.logfile, cfg.loglevel});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "Can't open the log file: %s\n", e.what());
        return 1;
    }
    spdlog::warn("Vigil version={} (Redis {} compatible), bits={}, pid={}, just started",
                 kVigilVersion, kRedisCompatVersion, sizeof(void*) * 8, ::getpid());
    if (setup.config_file.empty()) {
        spdlog::warn(
            "Warning: no config file specified, using the default config. In order to specify "
            "a config file use {} /path/to/redis.conf",
            argv[0]);
    } else {
        spdlog::warn("Configuration loaded");
    }
    if (!setup.ignored_directives.empty()) {
        std::string names;
        for (const auto& n : setup.ignored_directives) {
            names += (names.empty() ? "" : ", ") + n;
        }
        spdlog::warn("Ignoring directives that have no effect in vigil-server: {}", names);
    }
    if (cfg.daemonize && cfg.pidfile.empty()) {
        cfg.pidfile = "/var/run/redis.pid";  // Redis's default for a daemon
    }
    bool pidfile_written = !cfg.pidfile.empty() && vigil::common::write_pidfile(cfg.pidfile);
    std::string pidfile = cfg.pidfile;
    int rc = 1;
    try {
        Server server(std::move(setup.config));
        server.executable = setup.executable;
        server.config_file = setup.config_file;
        for (const auto& [from, to] : server.config.rename_commands) {
            server.commands.rename(from, to);
        }
        for (const auto& line : server.config.acl_user_lines) {
            // `user <name> <rule> ...` lines: the same rules as ACL SETUSER.
            std::vector<std::string> rules(line.begin() + 1, line.end());
            if (auto error = server.set_acl_user(line[0], rules)) {
                throw std::runtime_error("Error in user declaration '" + line[0] + "': " + *error);
            }
        }
        spdlog::info("Server initialized");
        std::string error;
        if (!server.persistence->load(error)) {
            spdlog::warn("{}", error);
            std::fprintf(stderr, "%s\n", error.c_str());
        } else {
            server.replication->restore_from_rdb(server.persistence->loaded_aux());
            rc = run_server(server);
            // Like Redis: once the final save is done, exit without freeing the dataset key by
            // key (seconds for a large one). The AOF is flushed and fsynced first.
            server.persistence.reset();
            if (pidfile_written) {
                spdlog::info("Removing the pid file.");
                ::unlink(pidfile.c_str());
            }
            spdlog::shutdown();
            std::_Exit(rc);
        }
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        std::fprintf(stderr, "%s\n", e.what());
        rc = 1;
    }
    if (pidfile_written) {
        spdlog::info("Removing the pid file.");
        ::unlink(pidfile.c_str());
    }
    return rc;
}
