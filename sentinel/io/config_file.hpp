#pragma once
// vigil-sentinel's configuration file, read and rewritten as redis-sentinel 7.0.15 does:
//   vigil-sentinel sentinel.conf [--directive value ...]
// The generic (redis-server) directives go through a DirectiveTable; the `sentinel ...` lines
// through sentinel/core/config. The file is also the sentinel's state: rewrite_sentinel_config
// brings it up to date in place (sentinelFlushConfig).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/auth/acl.hpp"
#include "common/config/directive_table.hpp"
#include "sentinel/core/config.hpp"
#include "sentinel/core/model.hpp"

namespace vigil::sentinel {

// The generic directives redis-sentinel accepts, with the values it starts with.
struct SentinelProcessConfig {
    std::string config_file;  // absolute path (as Redis makes it); empty when none was given
    int port = 26379;         // REDIS_SENTINEL_PORT (the rewrite compares with 6379)
    std::vector<std::string> bind{"*", "-::*"};
    std::string bind_source_addr;  // outgoing links bind to it when set
    bool daemonize = false;
    std::string pidfile;
    std::string logfile;  // "" = standard output
    std::string loglevel = "notice";
    std::string dir;  // the working directory set by `dir` ("" = the current one)
    // redis-sentinel turns protected mode off before reading the file (the rewrite compares
    // with Redis's default, yes, so `protected-mode no` is written).
    bool protected_mode = false;
    std::string requirepass;                           // "" = none
    std::vector<std::vector<std::string>> user_lines;  // `user` lines, the words after "user"
    std::string aclfile;
    std::int64_t acllog_max_len = 128;
    std::uint64_t maxclients = 10000;
    // Top-level `rename-command old new` (renames the sentinel's own commands), in file order.
    std::vector<std::pair<std::string, std::string>> rename_commands;
    std::string supervised = "no";
    std::string enable_protected_configs = "no";
    std::string enable_debug_command = "no";
    std::string enable_module_command = "no";
    int tcp_keepalive = 300;
    int timeout = 0;
    int tcp_backlog = 511;
    int hz = 10;
    bool syslog_enabled = false;
    std::string syslog_ident = "redis";
    std::string syslog_facility = "local0";
    std::string unixsocket;
    int unixsocketperm = 0;
    std::string latency_tracking_info_percentiles = "50 99 99.9";
    bool always_show_logo = false;
    bool set_proc_title = true;
    std::string proc_title_template = "{title} {listen-addr} {server-mode}";
    bool crash_log_enabled = true;
    bool crash_memcheck_enabled = true;
    bool disable_thp = true;
    int tls_port = 0;  // TLS is refused: tls-port must be 0, tls-replication no
    bool tls_replication = false;
    // Other redis-server directives: accepted (a sentinel file may carry them), unused, and
    // left as written by the rewrite. Name -> arguments of its last line.
    std::map<std::string, std::vector<std::string>> other;
};

// What the table may do to the process while loading.
struct SentinelTableOptions {
    bool change_directory = true;  // `dir` changes the working directory (else only recorded)
    bool open_logfile = true;      // `logfile` is opened for appending to check it
    // Top-level rename-command: the command must exist ("No such command in rename-command").
    std::function<bool(std::string_view)> command_exists;
};

// The generic directives, bound to `cfg` (which must outlive the table). Default values are
// Redis's (what CONFIG REWRITE compares with), whatever `cfg` holds when this is called.
common::config::DirectiveTable build_sentinel_directive_table(
    SentinelProcessConfig& cfg, const SentinelTableOptions& options = {});

using common::config::command_line_options;

// Loads `path` (empty: no file) and then the command-line `options` (the arguments after the
// file, as given): generic lines into `cfg` in file order, then the `sentinel` lines through
// apply_sentinel_directives. Throws common::config::ConfigError: a bad line (file, line,
// Redis's reason; lines from the options name "(command line)"), or an unreadable file
// ("Fatal error, can't open config file '<path>': <strerror>").
void load_sentinel_config(const std::string& path,
                          const std::vector<std::string>& options,
                          SentinelProcessConfig& cfg,
                          SentinelGlobals& g,
                          std::map<std::string, Master>& masters,
                          const Timers& timers,
                          const IsExecutable& is_executable,
                          const SentinelTableOptions& table_options = {});

// sentinelCheckConfigFile, after loading: "" when the sentinel can save its state, else the
// message redis-sentinel logs before exiting with status 1:
//   "Sentinel needs config file on disk to save state. Exiting..."            (no file)
//   "Sentinel config file <path> is not writable: <strerror>. Exiting..."      (access W_OK)
std::string check_sentinel_config_file(const std::string& path);

// Redis's getAbsolutePath: `path` joined to the working directory (leading "../" climb up),
// without resolving symlinks.
std::string sentinel_absolute_path(const std::string& path);

// access(path, X_OK) == 0: the script check for apply_sentinel_directives.
bool is_executable_file(const std::string& path);

// The ACL users of the configuration: requirepass (the default user's password), then each
// `user` line from a reset user, as redis-sentinel does at start-up. Returns Redis's error
// ("Error loading ACL rule '<rule>' for the user named '<name>': <reason>") or nullopt.
std::optional<std::string> load_acl_users(const SentinelProcessConfig& cfg,
                                          common::Acl& acl,
                                          const common::Acl::NameValidator& valid);

// The `user` lines the rewrite writes: one per ACL user by name ("user default on nopass ~* &*
// +@all"), none when an aclfile holds the users.
std::vector<std::string> acl_rewrite_lines(const common::Acl& acl,
                                           const SentinelProcessConfig& cfg);

// What the state rewrite needs besides the file.
struct SentinelRewriteState {
    const common::config::DirectiveTable& table;  // the generic directives
    const std::vector<std::string>& user_lines;   // acl_rewrite_lines
    const SentinelGlobals& globals;
    const std::map<std::string, Master>& masters;
    const Timers& timers;  // down-after / failover-timeout are written when not these defaults
    RewriteHooks hooks = {};
};

// The new text of a sentinel config file whose old text is `old_text`, as sentinelFlushConfig
// writes it: lines are kept in place and keyed by directive ("sentinel <option>" for sentinel
// lines); the k-th old line of a key takes the k-th new one (for keys with several lines, a new
// line equal to an old one keeps that line's place, so an unchanged state rewrites to the same
// bytes), unused old lines of the key become blank, new lines are appended under one
// "# Generated by CONFIG REWRITE". Order: the generic directives, the `user` lines, then
// sentinel_rewrite_lines.
std::string sentinel_config_text(std::string_view old_text, const SentinelRewriteState& state);

// Rewrites `path` atomically (temp file, fsync, rename, directory fsync; the file's mode is
// kept). Returns "" or the error (strerror).
std::string rewrite_sentinel_config(const std::string& path, const SentinelRewriteState& state);

}  // namespace vigil::sentinel
