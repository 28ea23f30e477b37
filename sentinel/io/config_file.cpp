// vigil-sentinel's config file. Defaults, rewrite rules and error texts follow redis-sentinel
// 7.0.15 (compared with the binary: see tests/unit/sentinel/config_test.cpp).
#include "sentinel/io/config_file.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "common/config/config_lexer.hpp"
#include "common/config/config_rewrite.hpp"
#include <unistd.h>

namespace vigil::sentinel {
namespace {

using common::config::ConfigError;
using common::config::ConfigLine;
using common::config::Directive;
using common::config::DirectiveTable;
using common::config::Setter;
using common::config::ValueKind;
using namespace common::config;  // NOLINT(google-build-using-namespace): flags and helpers

constexpr std::int64_t kIntMax = INT_MAX;
constexpr std::int64_t kLongMax = LONG_MAX;

// Redis's default bind (CONFIG_DEFAULT_BINDADDR).
const std::vector<std::string> kDefaultBind{"*", "-::*"};

// redis-server directives that a sentinel accepts but does not use (CONFIG GET * of
// redis-server 7.0.15, minus the ones the table handles). Their lines are kept as written.
constexpr const char* kOtherDirectives[] = {
    "acl-pubsub-default", "active-defrag-cycle-max", "active-defrag-cycle-min",
    "active-defrag-ignore-bytes", "active-defrag-max-scan-fields", "active-defrag-threshold-lower",
    "active-defrag-threshold-upper", "active-expire-effort", "activedefrag", "activerehashing",
    "aof-disable-auto-gc", "aof-load-truncated", "aof-rewrite-incremental-fsync",
    "aof-timestamp-enabled", "aof-use-rdb-preamble", "aof_rewrite_cpulist", "appenddirname",
    "appendfilename", "appendfsync", "appendonly", "auto-aof-rewrite-min-size",
    "auto-aof-rewrite-percentage", "bgsave_cpulist", "bio_cpulist", "busy-reply-threshold",
    "client-output-buffer-limit", "client-query-buffer-limit",
    "cluster-allow-pubsubshard-when-down", "cluster-allow-reads-when-down",
    "cluster-allow-replica-migration", "cluster-announce-bus-port", "cluster-announce-hostname",
    "cluster-announce-ip", "cluster-announce-port", "cluster-announce-tls-port",
    "cluster-config-file", "cluster-enabled", "cluster-link-sendbuf-limit",
    "cluster-migration-barrier", "cluster-node-timeout", "cluster-port",
    "cluster-preferred-endpoint-type", "cluster-replica-no-failover",
    "cluster-replica-validity-factor", "cluster-require-full-coverage", "cluster-slave-no-failover",
    "cluster-slave-validity-factor", "databases", "dbfilename", "dynamic-hz",
    "hash-max-listpack-entries", "hash-max-listpack-value", "hash-max-ziplist-entries",
    "hash-max-ziplist-value", "hll-sparse-max-bytes", "ignore-warnings", "io-threads",
    "io-threads-do-reads", "jemalloc-bg-thread", "latency-monitor-threshold", "latency-tracking",
    "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
    "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "lfu-decay-time", "lfu-log-factor",
    "list-compress-depth", "list-max-listpack-size", "list-max-ziplist-size", "lua-time-limit",
    "masterauth", "masteruser", "maxmemory", "maxmemory-clients", "maxmemory-eviction-tenacity",
    "maxmemory-policy", "maxmemory-samples", "min-replicas-max-lag", "min-replicas-to-write",
    "min-slaves-max-lag", "min-slaves-to-write", "no-appendfsync-on-rewrite",
    "notify-keyspace-events", "oom-score-adj", "oom-score-adj-values", "propagation-error-behavior",
    "proto-max-bulk-len", "rdb-del-sync-files", "rdb-save-incremental-fsync", "rdbchecksum",
    "rdbcompression", "repl-backlog-size", "repl-backlog-ttl", "repl-disable-tcp-nodelay",
    "repl-diskless-load", "repl-diskless-sync", "repl-diskless-sync-delay",
    "repl-diskless-sync-max-replicas", "repl-ping-replica-period", "repl-ping-slave-period",
    "repl-timeout", "replica-announce-ip", "replica-announce-port", "replica-announced",
    "replica-ignore-disk-write-errors", "replica-ignore-maxmemory", "replica-lazy-flush",
    "replica-priority", "replica-read-only", "replica-serve-stale-data", "replicaof",
    "sanitize-dump-payload", "save", "server_cpulist", "set-max-intset-entries",
    "shutdown-on-sigint", "shutdown-on-sigterm", "shutdown-timeout", "slave-announce-ip",
    "slave-announce-port", "slave-ignore-maxmemory", "slave-lazy-flush", "slave-priority",
    "slave-read-only", "slave-serve-stale-data", "slaveof", "slowlog-log-slower-than",
    "slowlog-max-len", "socket-mark-id", "stop-writes-on-bgsave-error", "stream-node-max-bytes",
    "stream-node-max-entries", "tls-auth-clients", "tls-ca-cert-dir", "tls-ca-cert-file",
    "tls-cert-file", "tls-ciphers", "tls-ciphersuites", "tls-client-cert-file",
    "tls-client-key-file", "tls-client-key-file-pass", "tls-cluster", "tls-dh-params-file",
    "tls-key-file", "tls-key-file-pass", "tls-prefer-server-ciphers", "tls-protocols",
    "tls-session-cache-size", "tls-session-cache-timeout", "tls-session-caching",
    "tracking-table-max-keys", "zset-max-listpack-entries", "zset-max-listpack-value",
    "zset-max-ziplist-entries", "zset-max-ziplist-value",
    // Removed in Redis 7 but still accepted by it.
    "list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"};

// A default no real value can have: the directive is written by every rewrite (dir,
// latency-tracking-info-percentiles), as redis-sentinel does.
constexpr const char* kAlwaysWritten = "\x01(always written)";

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        out += (out.empty() ? "" : " ") + s;
    }
    return out;
}

Directive special(std::string name,
                  std::uint32_t flags,
                  std::function<std::string()> get,
                  Setter set,
                  std::function<std::vector<std::string>()> rewrite) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::special;
    d.flags = flags | kMultiArg;
    d.get = std::move(get);
    d.set = std::move(set);
    d.rewrite = std::move(rewrite);
    return d;
}

// A string that Redis keeps as NULL when empty: not written at all then (its old lines go).
Directive null_string(std::string name, std::string& var, std::uint32_t flags = 0) {
    Directive d = string_directive(std::move(name), var, flags);
    d.kind = ValueKind::special;
    d.rewrite = [&var] {
        return var.empty() ? std::vector<std::string>{} : std::vector<std::string>{quote_arg(var)};
    };
    return d;
}

Directive refuse_if(Directive d,
                    std::function<bool(const std::string& value)> bad,
                    std::string reason) {
    auto inner = d.set;
    d.set = [inner, bad = std::move(bad),
             reason = std::move(reason)](std::span<const std::string> a) -> std::string {
        if (!a.empty() && bad(to_lower_ascii(a[0]))) {
            return reason;
        }
        return inner(a);
    };
    return d;
}

std::string current_dir() {
    std::string buf(PATH_MAX, '\0');
    if (::getcwd(buf.data(), buf.size()) == nullptr) {
        return ".";
    }
    buf.resize(std::strlen(buf.c_str()));
    return buf;
}

Directive dir_directive(SentinelProcessConfig& cfg, bool change_directory) {
    Directive d;
    d.name = "dir";
    d.kind = ValueKind::string;
    d.flags = kProtected;
    d.get = [&cfg] {
        return cfg.dir.empty() ? current_dir() : cfg.dir;
    };
    d.set = [&cfg, change_directory](std::span<const std::string> a) -> std::string {
        if (!change_directory) {
            cfg.dir = a[0];
            return {};
        }
        if (::chdir(a[0].c_str()) != 0) {
            return std::strerror(errno);
        }
        cfg.dir = current_dir();
        return {};
    };
    return d;
}

Directive logfile_directive(SentinelProcessConfig& cfg, bool open_logfile) {
    Directive d = string_directive("logfile", cfg.logfile, kImmutable);
    auto inner = d.set;
    d.set = [inner, open_logfile](std::span<const std::string> a) -> std::string {
        if (open_logfile && !a[0].empty()) {
            std::FILE* f = std::fopen(a[0].c_str(), "a");
            if (f == nullptr) {
                return "Can't open the log file: " + std::string(std::strerror(errno));
            }
            std::fclose(f);
        }
        return inner(a);
    };
    return d;
}

Directive bind_directive(SentinelProcessConfig& cfg) {
    return special(
        "bind", 0, [&cfg] { return join(cfg.bind); },
        [&cfg](std::span<const std::string> a) -> std::string {
            if (a.size() > 16) {
                return "Too many bind addresses specified.";
            }
            if (a.empty() || (a.size() == 1 && a[0].empty())) {
                cfg.bind.clear();
                return {};
            }
            cfg.bind.assign(a.begin(), a.end());
            return {};
        },
        [&cfg] {
            // The default is not written; an old line of it is removed.
            if (cfg.bind == kDefaultBind) {
                return std::vector<std::string>{};
            }
            return std::vector<std::string>{cfg.bind.empty() ? "\"\"" : join(cfg.bind)};
        });
}

Directive percentiles_directive(SentinelProcessConfig& cfg) {
    std::string& var = cfg.latency_tracking_info_percentiles;
    return special(
        "latency-tracking-info-percentiles", kIgnored, [&var] { return var; },
        [&var](std::span<const std::string> a) -> std::string {
            std::vector<std::string> vals;
            for (const auto& s : a) {
                char* end = nullptr;
                double v = std::strtod(s.c_str(), &end);
                if (s.empty() || end == nullptr || *end != '\0' || v < 0.0 || v > 100.0) {
                    return "Invalid latency-tracking-info-percentiles parameters";
                }
                vals.push_back(s);
            }
            var = join(vals);
            return {};
        },
        [&var] { return std::vector<std::string>{var.empty() ? "\"\"" : var}; });
}

Directive octal_directive(std::string name, int& var, std::uint32_t flags) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::integer;
    d.flags = flags;
    d.get = [&var] {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%o", static_cast<unsigned>(var));
        return std::string(buf);
    };
    d.set = [&var](std::span<const std::string> a) -> std::string {
        const std::string& v = a[0];
        if (v.empty() || v.find_first_not_of("01234567") != std::string::npos || v.size() > 6) {
            return "argument must be between 0 and 4095 inclusive";
        }
        long n = std::strtol(v.c_str(), nullptr, 8);
        if (n > 07777) {
            return "argument must be between 0 and 4095 inclusive";
        }
        var = static_cast<int>(n);
        return {};
    };
    return d;
}

Directive file_only(std::string name, std::uint32_t flags, Setter set) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::special;
    d.flags = flags | kFileOnly | kMultiArg;
    d.get = [] {
        return std::string();
    };
    d.set = std::move(set);
    return d;
}

void add_all(DirectiveTable& t, SentinelProcessConfig& c, const SentinelTableOptions& opt) {
    constexpr std::uint32_t IM = kImmutable;
    constexpr std::uint32_t IG = kIgnored;
    const std::vector<std::string> kNoYesLocal{"no", "yes", "local"};
    // The order of the first ones is the order new lines are appended in (Redis: hash order;
    // this is one order it was seen to use).
    t.add(dir_directive(c, opt.change_directory));
    t.add(percentiles_directive(c));
    t.add(bool_directive("protected-mode", c.protected_mode));
    t.add(logfile_directive(c, opt.open_logfile));
    t.add(int_directive("port", c.port, 0, 65535));
    t.add(bind_directive(c));
    t.add(null_string("bind-source-addr", c.bind_source_addr));
    t.add(bool_directive("daemonize", c.daemonize, IM));
    t.add(null_string("pidfile", c.pidfile, IM));
    t.add(enum_directive("loglevel", c.loglevel, {"debug", "verbose", "notice", "warning"}));
    t.add(null_string("requirepass", c.requirepass));
    t.add(string_directive("aclfile", c.aclfile, IM));
    t.add(int_directive("acllog-max-len", c.acllog_max_len, 0, kLongMax));
    t.add(uint_directive("maxclients", c.maxclients, 1, 4294967295ULL));
    t.add(enum_directive("supervised", c.supervised, {"upstart", "systemd", "auto", "no"}, IM));
    t.add(enum_directive("enable-protected-configs", c.enable_protected_configs, kNoYesLocal, IM));
    t.add(enum_directive("enable-debug-command", c.enable_debug_command, kNoYesLocal, IM));
    t.add(enum_directive("enable-module-command", c.enable_module_command, kNoYesLocal, IM));
    t.add(int_directive("tcp-keepalive", c.tcp_keepalive, 0, static_cast<int>(kIntMax)));
    t.add(int_directive("timeout", c.timeout, 0, static_cast<int>(kIntMax)));
    t.add(int_directive("tcp-backlog", c.tcp_backlog, 0, static_cast<int>(kIntMax), IM));
    t.add(int_directive("hz", c.hz, 0, static_cast<int>(kIntMax)));
    t.add(bool_directive("syslog-enabled", c.syslog_enabled, IM | IG));
    t.add(string_directive("syslog-ident", c.syslog_ident, IM | IG));
    t.add(enum_directive(
        "syslog-facility", c.syslog_facility,
        {"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"},
        IM | IG));
    t.add(refuse_if(
        null_string("unixsocket", c.unixsocket, IM),
        [](const std::string& v) { return !v.empty(); },
        "unix sockets are not supported by vigil-sentinel (use bind and port)"));
    t.add(octal_directive("unixsocketperm", c.unixsocketperm, IM));
    t.add(bool_directive("always-show-logo", c.always_show_logo, IM | IG));
    t.add(bool_directive("set-proc-title", c.set_proc_title, IM | IG));
    t.add(string_directive("proc-title-template", c.proc_title_template, IG));
    t.add(bool_directive("crash-log-enabled", c.crash_log_enabled, IG));
    t.add(bool_directive("crash-memcheck-enabled", c.crash_memcheck_enabled, IG));
    t.add(bool_directive("disable-thp", c.disable_thp, IM | IG));
    t.add(refuse_if(
        int_directive("tls-port", c.tls_port, 0, 65535),
        [](const std::string& v) { return v != "0"; },
        "TLS is not supported by vigil-sentinel (tls-port must be 0)"));
    t.add(refuse_if(
        bool_directive("tls-replication", c.tls_replication),
        [](const std::string& v) { return v == "yes"; },
        "TLS is not supported by vigil-sentinel (tls-replication must be no)"));
    // ---- file-only directives (the rewrite leaves rename-command alone and writes `user`
    // lines from the ACL) ----
    t.add(file_only("user", 0, [&c](std::span<const std::string> a) -> std::string {
        if (a.empty()) {
            return std::string(kErrBadDirective);
        }
        c.user_lines.emplace_back(a.begin(), a.end());
        return {};
    }));
    t.add(file_only("rename-command", 0, [&c, opt](std::span<const std::string> a) -> std::string {
        if (a.size() != 2) {
            return std::string(kErrBadDirective);
        }
        if (opt.command_exists && !opt.command_exists(a[0])) {
            return "No such command in rename-command";
        }
        c.rename_commands.emplace_back(a[0], a[1]);
        return {};
    }));
    t.add(file_only("loadmodule", 0, [](std::span<const std::string>) -> std::string {
        return "modules are not supported by vigil-sentinel (loadmodule)";
    }));
    for (const char* name : kOtherDirectives) {
        t.add(file_only(name, IG, [&c, name](std::span<const std::string> a) -> std::string {
            if (a.empty()) {
                return std::string(kErrWrongArgs);
            }
            c.other[name].assign(a.begin(), a.end());
            return {};
        }));
    }
}

}  // namespace

DirectiveTable build_sentinel_directive_table(SentinelProcessConfig& cfg,
                                              const SentinelTableOptions& options) {
    SentinelProcessConfig fresh;
    DirectiveTable defaults;
    add_all(defaults, fresh, SentinelTableOptions{false, false, nullptr});
    defaults.capture_defaults();

    DirectiveTable t;
    add_all(t, cfg, options);
    t.copy_defaults_from(defaults);
    // What CONFIG REWRITE compares with is redis-server's default, not the sentinel's start
    // value: `port 26379` and `protected-mode no` are written.
    t.find_mutable("port")->default_value = "6379";
    t.find_mutable("protected-mode")->default_value = "yes";
    t.find_mutable("dir")->default_value = kAlwaysWritten;
    t.find_mutable("latency-tracking-info-percentiles")->default_value = kAlwaysWritten;
    return t;
}

void load_sentinel_config(const std::string& path,
                          const std::vector<std::string>& options,
                          SentinelProcessConfig& cfg,
                          SentinelGlobals& g,
                          std::map<std::string, Master>& masters,
                          const Timers& timers,
                          const IsExecutable& is_executable,
                          const SentinelTableOptions& table_options) {
    std::string text;
    if (!path.empty()) {
        std::string error;
        if (!read_text_file(path, text, error)) {
            throw ConfigError::cannot_open(path, error);
        }
        cfg.config_file = sentinel_absolute_path(path);
    }
    const std::string source = path.empty() ? "(command line)" : path;
    int first_option_line = 0;
    if (std::string opts = command_line_options(options); !opts.empty()) {
        // Redis appends the options after a newline, so a last line without one stays whole.
        text += '\n';
        first_option_line = 1;
        for (char ch : text) {
            first_option_line += ch == '\n' ? 1 : 0;
        }
        text += opts;
        text += '\n';
    }
    std::vector<ConfigLine> lines = lex_config(text, source);
    std::vector<ConfigLine> sentinel_lines;
    DirectiveTable table = build_sentinel_directive_table(cfg, table_options);
    for (ConfigLine& l : lines) {
        if (first_option_line > 0 && l.source == source && l.line >= first_option_line) {
            l.source = "(command line)";
        }
        if (l.args[0] == "sentinel") {
            sentinel_lines.push_back(std::move(l));
        } else {
            table.apply(l);
        }
    }
    apply_sentinel_directives(sentinel_lines, g, masters, timers, is_executable);
}

std::string check_sentinel_config_file(const std::string& path) {
    if (path.empty()) {
        return "Sentinel needs config file on disk to save state. Exiting...";
    }
    if (::access(path.c_str(), W_OK) != 0) {
        return "Sentinel config file " + path + " is not writable: " + std::strerror(errno) +
               ". Exiting...";
    }
    return {};
}

std::string sentinel_absolute_path(const std::string& path) {
    if (!path.empty() && path.front() == '/') {
        return path;
    }
    std::string cwd = current_dir();
    std::string_view rel = path;
    // Each leading "../" removes the last component of the working directory.
    while (rel.substr(0, 3) == "../") {
        rel.remove_prefix(3);
        auto slash = cwd.rfind('/');
        if (slash != std::string::npos && slash != 0) {
            cwd.resize(slash);
        } else {
            cwd = "/";
        }
    }
    if (cwd.empty() || cwd.back() != '/') {
        cwd += '/';
    }
    return cwd + std::string(rel);
}

bool is_executable_file(const std::string& path) {
    return ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> load_acl_users(const SentinelProcessConfig& cfg,
                                          common::Acl& acl,
                                          const common::Acl::NameValidator& valid) {
    acl.set_default_password(cfg.requirepass);
    for (const auto& words : cfg.user_lines) {
        const std::string& name = words[0];
        if (auto err = acl.set_user(name, {"reset"}, valid)) {
            return *err;
        }
        for (std::size_t i = 1; i < words.size(); ++i) {
            if (auto err = acl.set_user(name, {words[i]}, valid)) {
                // Keep the reason only: "ERR Error in ACL SETUSER modifier '<rule>': <reason>".
                const std::string prefix = "ERR Error in ACL SETUSER modifier '" + words[i] + "': ";
                std::string reason = err->rfind(prefix, 0) == 0 ? err->substr(prefix.size()) : *err;
                return "Error loading ACL rule '" + words[i] + "' for the user named '" + name +
                       "': " + reason;
            }
        }
    }
    return std::nullopt;
}

std::vector<std::string> acl_rewrite_lines(const common::Acl& acl,
                                           const SentinelProcessConfig& cfg) {
    std::vector<std::string> out;
    if (!cfg.aclfile.empty()) {
        return out;
    }
    for (const auto& [name, user] : acl.users()) {
        out.push_back(user.describe());
    }
    return out;
}

std::string sentinel_config_text(std::string_view old_text, const SentinelRewriteState& state) {
    auto generic = RedisRewrite::table_keys(state.table, {"include"});
    RedisRewrite rw(old_text, [&generic](const std::vector<std::string>& args) {
        if (args[0] == "sentinel") {
            return std::optional<std::string>(sentinel_line_key(args));
        }
        return generic(args);
    });
    rw.rewrite_table(state.table);
    rw.mark_processed("user");
    for (const auto& line : state.user_lines) {
        rw.rewrite_line("user", line, true);
    }
    for (const auto& option : sentinel_rewrite_options()) {
        rw.mark_processed("sentinel " + option);
    }
    for (const auto& line :
         sentinel_rewrite_lines(state.globals, state.masters, state.timers, state.hooks)) {
        rw.rewrite_line(line.key(), line.text(), line.force);
    }
    return rw.text();
}

std::string rewrite_sentinel_config(const std::string& path, const SentinelRewriteState& state) {
    std::string old;
    if (::access(path.c_str(), F_OK) == 0) {
        std::string error;
        if (!read_text_file(path, old, error)) {
            return error;
        }
    }
    return write_file_atomically(path, sentinel_config_text(old, state));
}

}  // namespace vigil::sentinel
