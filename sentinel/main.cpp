// vigil-sentinel sentinel.conf [--directive value ...]
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/config/config_lexer.hpp"
#include "common/log/log.hpp"
#include "common/net/asio.hpp"
#include "common/net/listener.hpp"
#include "common/util/process.hpp"
#include "common/util/random_id.hpp"
#include "sentinel/core/detector.hpp"
#include "sentinel/io/config_file.hpp"
#include "sentinel/io/runtime.hpp"
#include "sentinel/io/service.hpp"
#include <fcntl.h>
#include <unistd.h>

namespace {

constexpr const char* kVigilVersion = "0.4.0";
constexpr const char* kRedisCompatVersion = "7.0.15";

using namespace vigil;
using namespace vigil::sentinel;

std::string executable_path() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

void usage() {
    std::fprintf(stderr,
                 "Usage: vigil-sentinel /path/to/sentinel.conf [--directive value ...]\n"
                 "       vigil-sentinel -v or --version\n"
                 "       vigil-sentinel -h or --help\n\n"
                 "Example:\n"
                 "       vigil-sentinel /etc/sentinel.conf --port 26380 --loglevel verbose\n");
}

// Every instance of the loaded state starts as redis-sentinel creates them: as if it had just
// answered, with a PING pending.
void init_instances(SentinelCore& core, Ms now) {
    for (auto& [name, m] : core.masters) {
        on_instance_created(m, now);
        for (auto& [key, r] : m.replicas) {
            on_instance_created(r, now);
        }
        for (auto& [runid, s] : m.sentinels) {
            on_instance_created(s, now);
        }
    }
}

// The users of an ACL file: `user <name> [rule ...]` per line, as redis-server reads them at
// start. Returns an error text, or "" with `users` filled.
constexpr const char* kAclUnchanged =
    "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

std::string read_acl_file(const std::string& path, std::vector<std::vector<std::string>>& users) {
    std::string text;
    std::string error;
    if (!common::config::read_text_file(path, text, error)) {
        return "Error loading ACLs, user file '" + path + "' can't be opened: " + error;
    }
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) {
            end = text.size();
        }
        ++line_no;
        const std::string_view line =
            common::config::trim(std::string_view(text).substr(pos, end - pos));
        pos = end + 1;
        std::vector<std::string> words;
        if (line.empty() || line[0] == '#') {
            continue;
        }
        if (!common::config::split_config_line(line, words)) {
            return path + ":" + std::to_string(line_no) + ": unbalanced quotes in acl line. " +
                   kAclUnchanged;
        }
        if (words.empty()) {
            continue;
        }
        if (words[0] != "user" || words.size() < 2) {
            return path + ":" + std::to_string(line_no) +
                   " should start with user keyword followed by the username. " + kAclUnchanged;
        }
        users.emplace_back(words.begin() + 1, words.end());
    }
    return "";
}

}  // namespace

int main(int argc, char** argv) {
    namespace log = vigil::common::log;
    log::setup({'X', "", "notice"});
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "-v" || args[0] == "--version")) {
        std::printf("Vigil sentinel v=%s (Redis %s compatible)\n", kVigilVersion,
                    kRedisCompatVersion);
        return 0;
    }
    if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
        usage();
        return 0;
    }
    std::string path;
    std::size_t first_option = 0;
    if (!args.empty() && args[0].rfind("--", 0) != 0) {
        path = args[0];
        first_option = 1;
    }
    std::vector<std::string> options;
    for (std::size_t i = first_option; i < args.size(); ++i) {
        if (args[i] != "--sentinel") {  // `redis-server --sentinel` style: we are one anyway
            options.push_back(args[i]);
        }
    }

    SentinelCore core(std::random_device{}());
    SentinelProcessConfig cfg;
    cfg.config_file = path.empty() ? std::string() : sentinel_absolute_path(path);
    try {
        load_sentinel_config(path, options, cfg, core.globals, core.masters, core.timers,
                             is_executable_file);
    } catch (const common::config::ConfigError& e) {
        if (e.kind() == common::config::ConfigError::Kind::cannot_open) {
            spdlog::warn("{}", e.what());
        } else {
            std::fputs(e.fatal_report(kRedisCompatVersion).c_str(), stderr);
        }
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    if (std::string error = check_sentinel_config_file(cfg.config_file); !error.empty()) {
        spdlog::warn("{}", error);
        return 1;
    }
    // The users: `user` lines of the config file, or an aclfile (not both, as in Redis).
    std::vector<std::vector<std::string>> acl_users = cfg.user_lines;
    if (!cfg.aclfile.empty()) {
        if (!cfg.user_lines.empty()) {
            spdlog::warn(
                "Configuring Redis with users defined in redis.conf and at the same setting an ACL "
                "file path is invalid. This setup is very likely to lead to configuration errors "
                "and security holes, please define either an ACL file or declare users directly "
                "in your redis.conf, but not both.");
            return 1;
        }
        if (std::string error = read_acl_file(cfg.aclfile, acl_users); !error.empty()) {
            spdlog::warn("Aborting Redis startup because of ACL errors: {}", error);
            return 1;
        }
    }
    if (cfg.daemonize) {
        vigil::common::daemonize();
    }
    try {
        log::setup({'X', cfg.logfile, cfg.loglevel});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "Can't open the log file: %s\n", e.what());
        return 1;
    }
    spdlog::warn("Vigil sentinel version={} (Redis {} compatible), bits={}, pid={}, just started",
                 kVigilVersion, kRedisCompatVersion, sizeof(void*) * 8, ::getpid());
    spdlog::warn("Configuration loaded");
    if (cfg.daemonize && cfg.pidfile.empty()) {
        cfg.pidfile = "/var/run/redis-sentinel.pid";
    }
    const bool pidfile_written = !cfg.pidfile.empty() && vigil::common::write_pidfile(cfg.pidfile);
    std::signal(SIGPIPE, SIG_IGN);

    const Ms started = unix_ms();
    init_instances(core, started);
    core.port = cfg.port;
    core.requirepass = cfg.requirepass;

    asio::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
    SentinelRuntime runtime(io, core);
    runtime.bind_source = cfg.bind_source_addr;
    SentinelTableOptions table_options;
    table_options.change_directory = false;
    table_options.open_logfile = false;
    common::config::DirectiveTable table = build_sentinel_directive_table(cfg, table_options);

    std::unique_ptr<SentinelService> service;
    auto save_config = [&]() -> bool {
        const std::vector<std::string> users = acl_rewrite_lines(service->acl(), cfg);
        SentinelRewriteState state{table, users, core.globals, core.masters, core.timers};
        state.hooks.master_address = [](const Master& m) {
            return SentinelCore::current_address(m);
        };
        const std::string error = rewrite_sentinel_config(cfg.config_file, state);
        if (!error.empty()) {
            spdlog::warn(
                "WARNING: Sentinel was not able to save the new configuration on disk!!!: {}",
                error);
            return false;
        }
        return true;
    };
    std::unique_ptr<common::Listener> listener;
    bool stopping = false;
    auto shutdown = [&] {
        if (stopping) {
            return;
        }
        stopping = true;
        spdlog::warn("User requested shutdown...");
        if (listener) {
            listener->stop();
        }
        runtime.stop();
        spdlog::warn("Sentinel is now ready to exit, bye bye...");
        io.stop();
    };

    ServiceHooks hooks;
    hooks.now = unix_ms;
    hooks.perform = [&](Actions& a) {
        runtime.perform(a);
    };
    hooks.save_config = save_config;
    hooks.shutdown = shutdown;
    hooks.pending_scripts = [&] {
        std::vector<PendingScript> out;
        const Ms now = unix_ms();
        for (const auto& job : runtime.scripts.jobs()) {
            PendingScript p;
            p.argv = job.argv;
            p.running = job.running;
            p.pid = job.pid;
            p.run_time_or_delay = job.running ? now - job.start_time : job.start_time - now;
            p.retries = job.retry_num;
            out.push_back(std::move(p));
        }
        return out;
    };
    const std::string run_id = common::random_hex_id();
    const std::string exe = executable_path();
    hooks.process_info = [&] {
        ProcessInfo p;
        p.run_id = run_id;
        p.tcp_port = cfg.port;
        p.executable = exe;
        p.config_file = cfg.config_file;
        p.process_id = static_cast<long>(::getpid());
        p.uptime_seconds = (unix_ms() - started) / 1000;
        return p;
    };
    ServiceSettings settings;
    settings.requirepass = cfg.requirepass;
    settings.users = std::move(acl_users);
    settings.renamed_commands = cfg.rename_commands;
    settings.maxclients = cfg.maxclients;
    int rc = 0;
    try {
        service = std::make_unique<SentinelService>(core, std::move(hooks), std::move(settings));
        runtime.publish = [&](const Event& e) {
            service->publish_event(e);
        };
        runtime.save_config = save_config;
        listener = std::make_unique<common::Listener>(io, *service);
        listener->bind(cfg.bind, static_cast<unsigned short>(cfg.port), cfg.tcp_backlog);
        cfg.port = listener->port();
        core.port = cfg.port;
    } catch (const std::exception& e) {
        spdlog::warn("{}", e.what());
        if (pidfile_written) {
            ::unlink(cfg.pidfile.c_str());
        }
        return 1;
    }
    listener->start();
    spdlog::info("Running mode=sentinel, port={}.", cfg.port);

    // sentinelIsRunning: a new sentinel picks its id and saves it at once.
    if (core.globals.self.myid.empty()) {
        core.globals.self.myid = common::random_hex_id();
        save_config();
    }
    spdlog::warn("Sentinel ID is {}", core.globals.self.myid);
    Actions initial;
    for (const auto& [name, m] : core.masters) {
        initial.events.push_back(
            {"+monitor", describe(m, nullptr) + " quorum " + std::to_string(m.quorum)});
    }
    runtime.perform(initial);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) {
            return;
        }
        spdlog::warn("Received {} scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
        shutdown();
    });
    runtime.start();
    try {
        io.run();
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        rc = 1;
    }
    if (pidfile_written) {
        ::unlink(cfg.pidfile.c_str());
    }
    spdlog::shutdown();
    std::_Exit(rc);
}
