// vigil-server's directive table. Values and ranges follow redis-server 7.0.15 (checked with
// CONFIG SET against it): the texts of the errors are Redis's.
#include "server/config_table.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <limits>

#include <unistd.h>

namespace vigil::server {
namespace {

using common::config::Directive;
using common::config::DirectiveTable;
using common::config::ValueKind;
using namespace common::config;  // NOLINT(google-build-using-namespace): flags and helpers

constexpr std::int64_t kIntMax = INT_MAX;
constexpr std::int64_t kLLongMax = LLONG_MAX;
constexpr std::uint64_t kULLongMax = ULLONG_MAX;
constexpr std::uint64_t kMb = 1024ULL * 1024;

Directive alias(Directive d, std::string a) {
    d.aliases.push_back(std::move(a));
    return d;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        out += (i != 0 ? " " : "") + v[i];
    }
    return out;
}

// A directive that takes its own number of arguments and prints itself.
Directive special(std::string name,
                  std::uint32_t flags,
                  std::function<std::string()> get,
                  common::config::Setter set,
                  std::function<std::vector<std::string>()> rewrite = nullptr) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::special;
    d.flags = flags | kMultiArg;
    d.get = std::move(get);
    d.set = std::move(set);
    d.rewrite = std::move(rewrite);
    return d;
}

// A directive that refuses one value (e.g. cluster-enabled yes) with a reason.
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

// ---- special values ----

const char* policy_name(MaxmemoryPolicy p) {
    switch (p) {
        case MaxmemoryPolicy::volatile_lru:
            return "volatile-lru";
        case MaxmemoryPolicy::volatile_lfu:
            return "volatile-lfu";
        case MaxmemoryPolicy::volatile_random:
            return "volatile-random";
        case MaxmemoryPolicy::volatile_ttl:
            return "volatile-ttl";
        case MaxmemoryPolicy::allkeys_lru:
            return "allkeys-lru";
        case MaxmemoryPolicy::allkeys_lfu:
            return "allkeys-lfu";
        case MaxmemoryPolicy::allkeys_random:
            return "allkeys-random";
        case MaxmemoryPolicy::noeviction:
            return "noeviction";
    }
    return "noeviction";
}

Directive maxmemory_policy_directive(ServerConfig& cfg) {
    static constexpr MaxmemoryPolicy kOrder[] = {
        MaxmemoryPolicy::volatile_lru,    MaxmemoryPolicy::volatile_lfu,
        MaxmemoryPolicy::volatile_random, MaxmemoryPolicy::volatile_ttl,
        MaxmemoryPolicy::allkeys_lru,     MaxmemoryPolicy::allkeys_lfu,
        MaxmemoryPolicy::allkeys_random,  MaxmemoryPolicy::noeviction,
    };
    Directive d;
    d.name = "maxmemory-policy";
    d.kind = ValueKind::enumeration;
    d.get = [&cfg] {
        return std::string(policy_name(cfg.maxmemory_policy));
    };
    d.set = [&cfg](std::span<const std::string> a) -> std::string {
        std::string v = to_lower_ascii(a[0]);
        std::string names;
        for (MaxmemoryPolicy p : kOrder) {
            if (v == policy_name(p)) {
                cfg.maxmemory_policy = p;
                return {};
            }
            names += (names.empty() ? "" : ", ") + std::string(policy_name(p));
        }
        return "argument(s) must be one of the following: " + names;
    };
    return d;
}

Directive save_directive(ServerConfig& cfg) {
    auto parse = [&cfg](std::span<const std::string> a, bool append) -> std::string {
        if (a.empty() || (a.size() == 1 && a[0].empty())) {
            cfg.save_params.clear();
            return {};
        }
        if (a.size() % 2 != 0) {
            return "Invalid save parameters";
        }
        std::vector<std::pair<std::int64_t, std::int64_t>> params;
        for (std::size_t i = 0; i < a.size(); i += 2) {
            auto secs = parse_ll(a[i]);
            auto changes = parse_ll(a[i + 1]);
            if (!secs || !changes || *secs < 1 || *changes < 0) {
                return "Invalid save parameters";
            }
            params.emplace_back(*secs, *changes);
        }
        if (!append) {
            cfg.save_params.clear();
        }
        cfg.save_params.insert(cfg.save_params.end(), params.begin(), params.end());
        return {};
    };
    Directive d = special(
        "save", 0,
        [&cfg] {
            std::string out;
            for (const auto& [secs, changes] : cfg.save_params) {
                out +=
                    (out.empty() ? "" : " ") + std::to_string(secs) + " " + std::to_string(changes);
            }
            return out;
        },
        [parse](std::span<const std::string> a) { return parse(a, false); },
        [&cfg] {
            std::vector<std::string> lines;
            for (const auto& [secs, changes] : cfg.save_params) {
                lines.push_back(std::to_string(secs) + " " + std::to_string(changes));
            }
            if (lines.empty()) {
                lines.emplace_back("\"\"");
            }
            return lines;
        });
    d.append = [parse](std::span<const std::string> a) {
        return parse(a, true);
    };
    return d;
}

Directive bind_directive(ServerConfig& cfg) {
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
        [&cfg] { return std::vector<std::string>{cfg.bind.empty() ? "\"\"" : join(cfg.bind)}; });
}

Directive obuf_directive(ServerConfig& cfg) {
    struct Class {
        const char* name;
        OutputBufferLimit ServerConfig::*field;
    };
    static constexpr Class kClasses[] = {
        {"normal", &ServerConfig::obuf_normal},
        {"slave", &ServerConfig::obuf_replica},
        {"pubsub", &ServerConfig::obuf_pubsub},
    };
    static const ServerConfig kDefaults{};
    return special(
        "client-output-buffer-limit", 0,
        [&cfg] {
            std::string out;
            for (const auto& c : kClasses) {
                const OutputBufferLimit& l = cfg.*(c.field);
                out += (out.empty() ? "" : " ") + std::string(c.name) + " " +
                       std::to_string(l.hard_bytes) + " " + std::to_string(l.soft_bytes) + " " +
                       std::to_string(l.soft_seconds);
            }
            return out;
        },
        [&cfg](std::span<const std::string> a) -> std::string {
            if (a.empty() || a.size() % 4 != 0) {
                return "Wrong number of arguments in buffer limit configuration.";
            }
            std::vector<std::pair<OutputBufferLimit ServerConfig::*, OutputBufferLimit>> changes;
            for (std::size_t i = 0; i < a.size(); i += 4) {
                std::string cls = to_lower_ascii(a[i]);
                OutputBufferLimit ServerConfig::*field = nullptr;
                if (cls == "normal") {
                    field = &ServerConfig::obuf_normal;
                } else if (cls == "replica" || cls == "slave") {
                    field = &ServerConfig::obuf_replica;
                } else if (cls == "pubsub") {
                    field = &ServerConfig::obuf_pubsub;
                } else {
                    return "Invalid client class specified in buffer limit configuration.";
                }
                auto hard = parse_memory(a[i + 1]);
                auto soft = parse_memory(a[i + 2]);
                auto secs = parse_ll(a[i + 3]);
                if (!hard || !soft || !secs || *secs < 0) {
                    return "Error in hard, soft or soft_seconds setting in buffer limit "
                           "configuration.";
                }
                changes.emplace_back(field, OutputBufferLimit{*hard, *soft, *secs});
            }
            for (const auto& [field, limit] : changes) {
                cfg.*field = limit;
            }
            return {};
        },
        [&cfg] {
            std::vector<std::string> lines;
            for (const auto& c : kClasses) {
                const OutputBufferLimit& l = cfg.*(c.field);
                const OutputBufferLimit& def = kDefaults.*(c.field);
                if (l.hard_bytes == def.hard_bytes && l.soft_bytes == def.soft_bytes &&
                    l.soft_seconds == def.soft_seconds) {
                    continue;
                }
                lines.push_back(std::string(c.name) + " " + format_memory(l.hard_bytes) + " " +
                                format_memory(l.soft_bytes) + " " + std::to_string(l.soft_seconds));
            }
            return lines;
        });
}

std::string current_dir() {
    std::string buf(PATH_MAX, '\0');
    if (::getcwd(buf.data(), buf.size()) == nullptr) {
        return ".";
    }
    buf.resize(std::strlen(buf.c_str()));
    return buf;
}

Directive dir_directive(ServerConfig& cfg) {
    Directive d;
    d.name = "dir";
    d.kind = ValueKind::string;
    d.flags = kProtected;
    d.get = [] {
        return current_dir();
    };
    d.set = [&cfg](std::span<const std::string> a) -> std::string {
        if (::chdir(a[0].c_str()) != 0) {
            return std::strerror(errno);
        }
        cfg.dir = current_dir();
        return {};
    };
    return d;
}

Directive filename_directive(std::string name, std::string& var, std::uint32_t flags) {
    Directive d = string_directive(name, var, flags);
    auto inner = d.set;
    d.set = [inner, name](std::span<const std::string> a) -> std::string {
        if (a[0].find('/') != std::string::npos) {
            return name + " can't be a path, just a filename";
        }
        return inner(a);
    };
    return d;
}

Directive logfile_directive(ServerConfig& cfg) {
    Directive d = string_directive("logfile", cfg.logfile, kImmutable);
    auto inner = d.set;
    d.set = [inner](std::span<const std::string> a) -> std::string {
        if (!a[0].empty()) {
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

Directive replicaof_directive(ServerConfig& cfg) {
    Directive d = special(
        "replicaof", kImmutable,
        [&cfg] {
            return cfg.replicaof_host.empty()
                       ? std::string()
                       : cfg.replicaof_host + " " + std::to_string(cfg.replicaof_port);
        },
        [&cfg](std::span<const std::string> a) -> std::string {
            if (a.size() != 2) {
                return std::string(kErrWrongArgs);
            }
            if (to_lower_ascii(a[0]) == "no" && to_lower_ascii(a[1]) == "one") {
                cfg.replicaof_host.clear();
                cfg.replicaof_port = 0;
                return {};
            }
            auto port = parse_ll(a[1]);
            if (!port || *port < 0 || *port > 65535) {
                return "Invalid master port";
            }
            cfg.replicaof_host = a[0];
            cfg.replicaof_port = static_cast<int>(*port);
            return {};
        },
        [&cfg] {
            std::vector<std::string> lines;
            if (!cfg.replicaof_host.empty()) {
                lines.push_back(cfg.replicaof_host + " " + std::to_string(cfg.replicaof_port));
            }
            return lines;
        });
    d.aliases.emplace_back("slaveof");
    return d;
}

// notify-keyspace-events: flag characters, printed in Redis's canonical order.
Directive notify_directive(ServerConfig& cfg) {
    Directive d;
    d.name = "notify-keyspace-events";
    d.kind = ValueKind::string;
    d.get = [&cfg] {
        return cfg.notify_keyspace_events;
    };
    d.set = [&cfg](std::span<const std::string> a) -> std::string {
        constexpr std::string_view kClasses = "g$lshzxetd";  // what 'A' stands for
        std::string set;
        for (char c : a[0]) {
            if (c == 'A') {
                set += kClasses;
            } else if (std::string_view("g$lshzxeKEtmdn").find(c) != std::string_view::npos) {
                set += c;
            } else {
                return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
            }
        }
        auto has = [&](char c) {
            return set.find(c) != std::string::npos;
        };
        std::string out;
        bool all = true;
        for (char c : kClasses) {
            all = all && has(c);
        }
        if (all) {
            out = "A";
        } else {
            for (char c : kClasses) {
                if (has(c)) {
                    out += c;
                }
            }
        }
        for (char c : std::string_view("KEmn")) {
            if (has(c)) {
                out += c;
            }
        }
        cfg.notify_keyspace_events = out;
        return {};
    };
    return d;
}

Directive maxmemory_clients_directive(ServerConfig& cfg) {
    Directive d;
    d.name = "maxmemory-clients";
    d.kind = ValueKind::special;
    auto show = [&cfg] {
        return std::to_string(cfg.maxmemory_clients) + (cfg.maxmemory_clients_pct ? "%" : "");
    };
    d.get = show;
    d.rewrite = [&cfg] {
        return std::vector<std::string>{cfg.maxmemory_clients_pct
                                            ? std::to_string(cfg.maxmemory_clients) + "%"
                                            : format_memory(cfg.maxmemory_clients)};
    };
    d.set = [&cfg](std::span<const std::string> a) -> std::string {
        const std::string& v = a[0];
        if (!v.empty() && v.back() == '%') {
            auto pct = parse_ll(std::string_view(v).substr(0, v.size() - 1));
            if (!pct || *pct < 0) {
                return "argument must be a memory or percent value";
            }
            cfg.maxmemory_clients = static_cast<std::uint64_t>(*pct);
            cfg.maxmemory_clients_pct = true;
            return {};
        }
        auto bytes = parse_memory(v);
        if (!bytes) {
            return "argument must be a memory or percent value";
        }
        cfg.maxmemory_clients = *bytes;
        cfg.maxmemory_clients_pct = false;
        return {};
    };
    return d;
}

// A flags value: one or more of `names` ("default" alone, or e.g. "nosave now").
Directive flags_directive(std::string name, std::string& var, std::vector<std::string> names) {
    return special(
        std::move(name), 0, [&var] { return var; },
        [&var, names](std::span<const std::string> a) -> std::string {
            std::string msg = "argument(s) must be one of the following: ";
            for (std::size_t i = 0; i < names.size(); ++i) {
                msg += (i != 0 ? ", " : "") + names[i];
            }
            if (a.empty()) {
                return msg;
            }
            std::vector<std::string> got;
            for (const auto& s : a) {
                std::string v = to_lower_ascii(s);
                if (std::find(names.begin(), names.end(), v) == names.end()) {
                    return msg;
                }
                got.push_back(v);
            }
            var = join(got);
            return {};
        },
        [&var] { return std::vector<std::string>{var}; });
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

// A list of numbers kept as text (oom-score-adj-values, latency-tracking-info-percentiles).
Directive number_list_directive(std::string name,
                                std::string& var,
                                std::size_t exact_count,
                                std::string bad_reason) {
    return special(
        std::move(name), 0, [&var] { return var; },
        [&var, exact_count, bad_reason](std::span<const std::string> a) -> std::string {
            if (exact_count != 0 && a.size() != exact_count) {
                return std::string(kErrWrongArgs);
            }
            std::vector<std::string> vals;
            for (const auto& s : a) {
                char* end = nullptr;
                std::strtod(s.c_str(), &end);
                if (s.empty() || end == nullptr || *end != '\0') {
                    return bad_reason;
                }
                vals.push_back(s);
            }
            var = join(vals);
            return {};
        },
        [&var] { return std::vector<std::string>{var.empty() ? "\"\"" : var}; });
}

// A file-only directive (no CONFIG GET/SET; REWRITE keeps its lines).
Directive file_only(std::string name, std::uint32_t flags, common::config::Setter set) {
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

void add_all(DirectiveTable& t, ServerConfig& c, const ConfigTableOptions& opt) {
    constexpr std::uint32_t IM = kImmutable;
    constexpr std::uint32_t IG = kIgnored;
    constexpr std::uint32_t H = kHidden;
    auto& ob = c.other_bools;
    auto& oi = c.other_ints;
    auto& om = c.other_memory;
    auto& os = c.other_strings;
    // Ignored and stored-only values live in the other_* maps, created with their defaults.
    auto ob_ = [&](const char* n, bool def) -> bool& {
        return ob.try_emplace(n, def).first->second;
    };
    auto oi_ = [&](const char* n, std::int64_t def) -> std::int64_t& {
        return oi.try_emplace(n, def).first->second;
    };
    auto om_ = [&](const char* n, std::uint64_t def) -> std::uint64_t& {
        return om.try_emplace(n, def).first->second;
    };
    auto os_ = [&](const char* n, const char* def) -> std::string& {
        return os.try_emplace(n, def).first->second;
    };
    const std::vector<std::string> kNoYesLocal{"no", "yes", "local"};

    // ---- network ----
    t.add(bind_directive(c));
    t.add(string_directive("bind-source-addr", os_("bind-source-addr", "")));
    t.add(int_directive("port", c.port, 0, 65535));
    t.add(int_directive("tcp-backlog", c.tcp_backlog, 0, kIntMax, IM));
    t.add(bool_directive("protected-mode", c.protected_mode));
    t.add(int_directive("timeout", c.timeout_s, 0, kIntMax));
    t.add(int_directive("tcp-keepalive", c.tcp_keepalive_s, 0, kIntMax));
    t.add(uint_directive("maxclients", c.maxclients, 1, 4294967295ULL));
    t.add(refuse_if(
        string_directive("unixsocket", c.unixsocket, IM),
        [](const std::string& v) { return !v.empty(); },
        "unix sockets are not supported by vigil-server (use bind and port)"));
    t.add(octal_directive("unixsocketperm", c.unixsocketperm, IM));
    t.add(int_directive("socket-mark-id", oi_("socket-mark-id", 0), 0, kIntMax, IM | IG));
    // ---- process ----
    t.add(bool_directive("daemonize", c.daemonize, IM));
    t.add(string_directive("pidfile", c.pidfile, IM));
    t.add(logfile_directive(c));
    t.add(enum_directive("loglevel", c.loglevel, {"debug", "verbose", "notice", "warning"}));
    t.add(bool_directive("syslog-enabled", ob_("syslog-enabled", false), IM | IG));
    t.add(string_directive("syslog-ident", os_("syslog-ident", "redis"), IM | IG));
    t.add(enum_directive(
        "syslog-facility", os_("syslog-facility", "local0"),
        {"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"},
        IM | IG));
    t.add(enum_directive("supervised", os_("supervised", "no"),
                         {"upstart", "systemd", "auto", "no"}, IM | IG));
    t.add(int_directive("databases", c.databases, 1, kIntMax, IM));
    t.add(bool_directive("always-show-logo", ob_("always-show-logo", false), IM | IG));
    t.add(bool_directive("set-proc-title", ob_("set-proc-title", true), IM | IG));
    t.add(string_directive("proc-title-template",
                           os_("proc-title-template", "{title} {listen-addr} {server-mode}"), IG));
    t.add(flags_directive("shutdown-on-sigint", c.shutdown_on_sigint,
                          {"default", "save", "nosave", "now", "force"}));
    t.add(flags_directive("shutdown-on-sigterm", c.shutdown_on_sigterm,
                          {"default", "save", "nosave", "now", "force"}));
    t.add(int_directive("shutdown-timeout", c.shutdown_timeout_s, 0, kIntMax));
    t.add(bool_directive("crash-log-enabled", ob_("crash-log-enabled", true), IG));
    t.add(bool_directive("crash-memcheck-enabled", ob_("crash-memcheck-enabled", true), IG));
    t.add(bool_directive("use-exit-on-panic", ob_("use-exit-on-panic", false), H | IG));
    t.add(int_directive("watchdog-period", oi_("watchdog-period", 0), 0, kIntMax, H | IG));
    t.add(bool_directive("disable-thp", ob_("disable-thp", true), IM | IG));
    t.add(enum_directive("oom-score-adj", os_("oom-score-adj", "no"),
                         {"no", "yes", "relative", "absolute"}, IG));
    {
        Directive d =
            number_list_directive("oom-score-adj-values", os_("oom-score-adj-values", "0 200 800"),
                                  3, "Invalid oom-score-adj-values");
        d.flags |= IG;
        t.add(std::move(d));
    }
    for (const char* n :
         {"server_cpulist", "bio_cpulist", "aof_rewrite_cpulist", "bgsave_cpulist"}) {
        t.add(string_directive(n, os_(n, ""), IM | IG));
    }
    t.add(string_directive("ignore-warnings", os_("ignore-warnings", ""), IG));
    // ---- security ----
    t.add(string_directive("requirepass", c.requirepass));
    t.add(string_directive("aclfile", c.aclfile, IM));
    t.add(int_directive("acllog-max-len", c.acllog_max_len, 0, kLLongMax));
    t.add(enum_directive("acl-pubsub-default", c.acl_pubsub_default,
                         {"allchannels", "resetchannels"}));
    t.add(enum_directive("enable-protected-configs", c.enable_protected_configs, kNoYesLocal, IM));
    t.add(enum_directive("enable-debug-command", c.enable_debug_command, kNoYesLocal, IM));
    t.add(enum_directive("enable-module-command", c.enable_module_command, kNoYesLocal, IM));
    // ---- memory ----
    t.add(memory_directive("maxmemory", c.maxmemory, 0, kULLongMax));
    t.add(maxmemory_policy_directive(c));
    t.add(int_directive("maxmemory-samples", c.maxmemory_samples, 1, kIntMax));
    t.add(int_directive("maxmemory-eviction-tenacity", c.maxmemory_eviction_tenacity, 0, 100));
    t.add(maxmemory_clients_directive(c));
    t.add(int_directive("lfu-log-factor", c.lfu_log_factor, 0, kIntMax));
    t.add(int_directive("lfu-decay-time", c.lfu_decay_time, 0, kIntMax));
    t.add(bool_directive("lazyfree-lazy-eviction", ob_("lazyfree-lazy-eviction", false), IG));
    t.add(bool_directive("lazyfree-lazy-expire", ob_("lazyfree-lazy-expire", false), IG));
    t.add(bool_directive("lazyfree-lazy-server-del", ob_("lazyfree-lazy-server-del", false), IG));
    t.add(bool_directive("lazyfree-lazy-user-del", ob_("lazyfree-lazy-user-del", false), IG));
    t.add(bool_directive("lazyfree-lazy-user-flush", ob_("lazyfree-lazy-user-flush", false), IG));
    t.add(bool_directive("jemalloc-bg-thread", ob_("jemalloc-bg-thread", true), IG));
    t.add(bool_directive("activedefrag", ob_("activedefrag", false), IG));
    t.add(memory_directive("active-defrag-ignore-bytes",
                           om_("active-defrag-ignore-bytes", 100 * kMb), 1, kLLongMax, IG));
    t.add(int_directive("active-defrag-threshold-lower", oi_("active-defrag-threshold-lower", 10),
                        0, 1000, IG));
    t.add(int_directive("active-defrag-threshold-upper", oi_("active-defrag-threshold-upper", 100),
                        0, 1000, IG));
    t.add(int_directive("active-defrag-cycle-min", oi_("active-defrag-cycle-min", 1), 1, 99, IG));
    t.add(int_directive("active-defrag-cycle-max", oi_("active-defrag-cycle-max", 25), 1, 99, IG));
    t.add(int_directive("active-defrag-max-scan-fields", oi_("active-defrag-max-scan-fields", 1000),
                        1, kLLongMax, IG));
    // ---- limits ----
    t.add(memory_directive("proto-max-bulk-len", c.proto_max_bulk_len, kMb, kLLongMax));
    t.add(
        memory_directive("client-query-buffer-limit", c.client_query_buffer_limit, kMb, kLLongMax));
    t.add(obuf_directive(c));
    t.add(alias(
        int_directive("busy-reply-threshold", oi_("busy-reply-threshold", 5000), 0, kLLongMax, IG),
        "lua-time-limit"));
    // ---- persistence ----
    t.add(dir_directive(c));
    t.add(filename_directive("dbfilename", c.dbfilename, kProtected));
    t.add(save_directive(c));
    t.add(bool_directive("rdbcompression", c.rdbcompression));
    t.add(bool_directive("rdbchecksum", c.rdbchecksum, IM));
    t.add(bool_directive("stop-writes-on-bgsave-error", c.stop_writes_on_bgsave_error));
    t.add(bool_directive("rdb-del-sync-files", c.rdb_del_sync_files));
    t.add(bool_directive("rdb-save-incremental-fsync", c.rdb_save_incremental_fsync));
    t.add(enum_directive("sanitize-dump-payload", os_("sanitize-dump-payload", "no"),
                         {"no", "yes", "clients"}));
    t.add(bool_directive("appendonly", c.appendonly));
    t.add(filename_directive("appendfilename", c.appendfilename, IM));
    t.add(filename_directive("appenddirname", c.appenddirname, IM));
    t.add(enum_directive("appendfsync", c.appendfsync, {"everysec", "always", "no"}));
    t.add(bool_directive("no-appendfsync-on-rewrite", c.no_appendfsync_on_rewrite));
    t.add(int_directive("auto-aof-rewrite-percentage", c.auto_aof_rewrite_percentage, 0, kIntMax));
    t.add(memory_directive("auto-aof-rewrite-min-size", c.auto_aof_rewrite_min_size, 0, kLLongMax));
    t.add(bool_directive("aof-load-truncated", c.aof_load_truncated));
    t.add(bool_directive("aof-use-rdb-preamble", c.aof_use_rdb_preamble));
    t.add(bool_directive("aof-timestamp-enabled", c.aof_timestamp_enabled));
    t.add(bool_directive("aof-rewrite-incremental-fsync", c.aof_rewrite_incremental_fsync));
    t.add(bool_directive("aof-disable-auto-gc", c.aof_disable_auto_gc));
    t.add(int_directive("key-load-delay", oi_("key-load-delay", 0), INT_MIN, kIntMax, H | IG));
    t.add(int_directive("rdb-key-save-delay", oi_("rdb-key-save-delay", 0), INT_MIN, kIntMax,
                        H | IG));
    t.add(int_directive("loading-process-events-interval-bytes",
                        oi_("loading-process-events-interval-bytes", 2 * 1024 * 1024), 1024,
                        kIntMax, H | IG));
    // ---- replication ----
    t.add(replicaof_directive(c));
    t.add(string_directive("masterauth", c.masterauth));
    t.add(string_directive("masteruser", c.masteruser));
    t.add(alias(bool_directive("replica-serve-stale-data", c.replica_serve_stale_data),
                "slave-serve-stale-data"));
    t.add(alias(bool_directive("replica-read-only", c.replica_read_only), "slave-read-only"));
    t.add(bool_directive("repl-diskless-sync", c.repl_diskless_sync));
    t.add(int_directive("repl-diskless-sync-delay", c.repl_diskless_sync_delay_s, 0, kIntMax));
    t.add(int_directive("repl-diskless-sync-max-replicas", c.repl_diskless_sync_max_replicas, 0,
                        kIntMax));
    t.add(enum_directive("repl-diskless-load", c.repl_diskless_load,
                         {"disabled", "on-empty-db", "swapdb"}));
    t.add(alias(int_directive("repl-ping-replica-period", c.repl_ping_replica_period_s, 1, kIntMax),
                "repl-ping-slave-period"));
    t.add(int_directive("repl-timeout", c.repl_timeout_s, 1, kIntMax));
    t.add(bool_directive("repl-disable-tcp-nodelay", c.repl_disable_tcp_nodelay));
    {
        // Redis raises a backlog below 16kb to 16kb.
        Directive d = memory_directive("repl-backlog-size", c.repl_backlog_size, 1, kLLongMax);
        auto inner = d.set;
        d.set = [inner, &c](std::span<const std::string> a) -> std::string {
            std::string err = inner(a);
            if (err.empty() && c.repl_backlog_size < 16 * 1024) {
                c.repl_backlog_size = 16 * 1024;
            }
            return err;
        };
        t.add(std::move(d));
    }
    t.add(int_directive("repl-backlog-ttl", c.repl_backlog_ttl_s, 0, kLLongMax));
    t.add(
        alias(int_directive("replica-priority", c.replica_priority, 0, kIntMax), "slave-priority"));
    t.add(
        alias(string_directive("replica-announce-ip", c.replica_announce_ip), "slave-announce-ip"));
    t.add(alias(int_directive("replica-announce-port", c.replica_announce_port, 0, 65535),
                "slave-announce-port"));
    t.add(bool_directive("replica-announced", c.replica_announced));
    t.add(alias(int_directive("min-replicas-to-write", c.min_replicas_to_write, 0, kIntMax),
                "min-slaves-to-write"));
    t.add(alias(int_directive("min-replicas-max-lag", c.min_replicas_max_lag_s, 0, kIntMax),
                "min-slaves-max-lag"));
    t.add(alias(bool_directive("replica-ignore-maxmemory", c.replica_ignore_maxmemory),
                "slave-ignore-maxmemory"));
    t.add(alias(bool_directive("replica-lazy-flush", ob_("replica-lazy-flush", false), IG),
                "slave-lazy-flush"));
    t.add(bool_directive("replica-ignore-disk-write-errors", c.replica_ignore_disk_write_errors));
    t.add(enum_directive("propagation-error-behavior", os_("propagation-error-behavior", "ignore"),
                         {"ignore", "panic", "panic-on-replicas"}));
    // ---- scripting, diagnostics, events ----
    t.add(bool_directive("lua-enable-deprecated-api", ob_("lua-enable-deprecated-api", false),
                         IM | H | IG));
    t.add(int_directive("slowlog-log-slower-than", c.slowlog_log_slower_than_us, -1, kLLongMax));
    t.add(int_directive("slowlog-max-len", c.slowlog_max_len, 0, kLLongMax));
    t.add(int_directive("latency-monitor-threshold", c.latency_monitor_threshold_ms, 0, kLLongMax));
    t.add(bool_directive("latency-tracking", ob_("latency-tracking", true), IG));
    {
        Directive d =
            number_list_directive("latency-tracking-info-percentiles",
                                  os_("latency-tracking-info-percentiles", "50 99 99.9"), 0,
                                  "Invalid latency-tracking-info-percentiles parameters");
        d.flags |= IG;
        t.add(std::move(d));
    }
    t.add(notify_directive(c));
    t.add(int_directive("tracking-table-max-keys", oi_("tracking-table-max-keys", 1000000), 0,
                        kLLongMax, IG));
    // ---- encodings: they decide small collections' element order and RDB encodings ----
    t.add(alias(int_directive("hash-max-listpack-entries", oi_("hash-max-listpack-entries", 512), 0,
                              kLLongMax, 0),
                "hash-max-ziplist-entries"));
    t.add(alias(memory_directive("hash-max-listpack-value", om_("hash-max-listpack-value", 64), 0,
                                 kLLongMax, 0),
                "hash-max-ziplist-value"));
    t.add(alias(int_directive("list-max-listpack-size", oi_("list-max-listpack-size", -2), INT_MIN,
                              kIntMax, IG),
                "list-max-ziplist-size"));
    t.add(int_directive("list-compress-depth", oi_("list-compress-depth", 0), 0, kIntMax, IG));
    t.add(int_directive("set-max-intset-entries", oi_("set-max-intset-entries", 512), 0, kLLongMax,
                        0));
    t.add(alias(int_directive("zset-max-listpack-entries", oi_("zset-max-listpack-entries", 128), 0,
                              kLLongMax, 0),
                "zset-max-ziplist-entries"));
    t.add(alias(memory_directive("zset-max-listpack-value", om_("zset-max-listpack-value", 64), 0,
                                 kLLongMax, 0),
                "zset-max-ziplist-value"));
    t.add(memory_directive("hll-sparse-max-bytes", om_("hll-sparse-max-bytes", 3000), 0, kLLongMax,
                           IG));
    t.add(memory_directive("stream-node-max-bytes", om_("stream-node-max-bytes", 4096), 0,
                           kLLongMax, IG));
    t.add(int_directive("stream-node-max-entries", oi_("stream-node-max-entries", 100), 0,
                        kLLongMax, IG));
    t.add(bool_directive("activerehashing", ob_("activerehashing", true), IG));
    t.add(int_directive("hz", oi_("hz", 10), 0, kIntMax, IG));
    t.add(bool_directive("dynamic-hz", ob_("dynamic-hz", true), IG));
    t.add(int_directive("active-expire-effort", oi_("active-expire-effort", 1), 1, 10, IG));
    t.add(int_directive("io-threads", oi_("io-threads", 1), 1, 128, IM | IG));
    t.add(bool_directive("io-threads-do-reads", ob_("io-threads-do-reads", false), IM | IG));
    // ---- cluster (refused when enabled) ----
    t.add(refuse_if(
        bool_directive("cluster-enabled", ob_("cluster-enabled", false), IM),
        [](const std::string& v) { return v == "yes"; }, std::string(kClusterUnsupported)));
    t.add(
        string_directive("cluster-config-file", os_("cluster-config-file", "nodes.conf"), IM | IG));
    t.add(int_directive("cluster-port", oi_("cluster-port", 0), 0, 65535, IM | IG));
    t.add(int_directive("cluster-node-timeout", oi_("cluster-node-timeout", 15000), 0, kLLongMax,
                        IG));
    t.add(int_directive("cluster-migration-barrier", oi_("cluster-migration-barrier", 1), 0,
                        kIntMax, IG));
    t.add(alias(int_directive("cluster-replica-validity-factor",
                              oi_("cluster-replica-validity-factor", 10), 0, kIntMax, IG),
                "cluster-slave-validity-factor"));
    t.add(alias(bool_directive("cluster-replica-no-failover",
                               ob_("cluster-replica-no-failover", false), IG),
                "cluster-slave-no-failover"));
    t.add(bool_directive("cluster-require-full-coverage",
                         ob_("cluster-require-full-coverage", true), IG));
    t.add(bool_directive("cluster-allow-reads-when-down",
                         ob_("cluster-allow-reads-when-down", false), IG));
    t.add(bool_directive("cluster-allow-pubsubshard-when-down",
                         ob_("cluster-allow-pubsubshard-when-down", true), IG));
    t.add(bool_directive("cluster-allow-replica-migration",
                         ob_("cluster-allow-replica-migration", true), IG));
    t.add(string_directive("cluster-announce-ip", os_("cluster-announce-ip", ""), IG));
    t.add(string_directive("cluster-announce-hostname", os_("cluster-announce-hostname", ""), IG));
    for (const char* n :
         {"cluster-announce-port", "cluster-announce-bus-port", "cluster-announce-tls-port"}) {
        t.add(int_directive(n, oi_(n, 0), 0, 65535, IG));
    }
    t.add(enum_directive("cluster-preferred-endpoint-type",
                         os_("cluster-preferred-endpoint-type", "ip"),
                         {"ip", "hostname", "unknown-endpoint"}, IG));
    t.add(memory_directive("cluster-link-sendbuf-limit", om_("cluster-link-sendbuf-limit", 0), 0,
                           kULLongMax, IG));
    // ---- TLS (refused when a TLS port is set) ----
    t.add(refuse_if(
        int_directive("tls-port", oi_("tls-port", 0), 0, 65535),
        [](const std::string& v) { return v != "0"; },
        "TLS is not supported by vigil-server (tls-port must be 0)"));
    for (const char* n : {"tls-cert-file", "tls-key-file", "tls-key-file-pass",
                          "tls-client-cert-file", "tls-client-key-file", "tls-client-key-file-pass",
                          "tls-dh-params-file", "tls-ca-cert-file", "tls-ca-cert-dir",
                          "tls-protocols", "tls-ciphers", "tls-ciphersuites"}) {
        t.add(string_directive(n, os_(n, ""), IG));
    }
    t.add(enum_directive("tls-auth-clients", os_("tls-auth-clients", "yes"),
                         {"no", "yes", "optional"}, IG));
    t.add(bool_directive("tls-replication", ob_("tls-replication", false), IG));
    t.add(bool_directive("tls-cluster", ob_("tls-cluster", false), IG));
    t.add(bool_directive("tls-prefer-server-ciphers", ob_("tls-prefer-server-ciphers", false), IG));
    t.add(bool_directive("tls-session-caching", ob_("tls-session-caching", true), IG));
    t.add(int_directive("tls-session-cache-size", oi_("tls-session-cache-size", 20480), 0, kIntMax,
                        IG));
    t.add(int_directive("tls-session-cache-timeout", oi_("tls-session-cache-timeout", 300), 0,
                        kIntMax, IG));
    // ---- file-only directives ----
    t.add(file_only("user", 0, [&c](std::span<const std::string> a) -> std::string {
        if (a.empty()) {
            return std::string(kErrBadDirective);
        }
        c.acl_user_lines.emplace_back(a.begin(), a.end());
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
        return "modules are not supported by vigil-server (loadmodule)";
    }));
    t.add(file_only("sentinel", 0, [](std::span<const std::string>) -> std::string {
        return "sentinel directive while not in sentinel mode";
    }));
    // Removed in Redis 7 but still accepted (and ignored) by it.
    for (const char* n :
         {"list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"}) {
        t.add(file_only(n, IG, [](std::span<const std::string> a) -> std::string {
            return a.size() == 1 ? std::string() : std::string(kErrBadDirective);
        }));
    }
}

}  // namespace

DirectiveTable make_config_table(ServerConfig& cfg, const ConfigTableOptions& options) {
    ServerConfig fresh;
    DirectiveTable defaults;
    add_all(defaults, fresh, {});
    defaults.capture_defaults();

    DirectiveTable t;
    add_all(t, cfg, options);
    t.copy_defaults_from(defaults);
    // Redis always writes dir: its default is "whatever the working directory is".
    if (Directive* d = t.find_mutable("dir")) {
        d->default_value.clear();
    }
    return t;
}

}  // namespace vigil::server
