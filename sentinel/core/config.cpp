#include "sentinel/core/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "common/config/directive_table.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>

namespace vigil::sentinel {
namespace {

using common::config::ConfigError;
using common::config::ConfigLine;
using common::config::to_lower_ascii;

// Reason texts of redis-sentinel 7.0.15 (sentinelHandleConfiguration and
// sentinelCheckCreateInstanceErrors).
constexpr const char* kErrUnrecognized = "Unrecognized sentinel configuration statement.";
constexpr const char* kErrNoMaster = "No such master with specified name.";
constexpr const char* kErrQuorum = "Quorum must be 1 or greater.";
constexpr const char* kErrTime = "negative or zero time parameter.";
constexpr const char* kErrNegativeTime = "negative time parameter.";
constexpr const char* kErrMyid = "Malformed Sentinel id in myid option.";
constexpr const char* kErrPort = "Invalid port number.";
constexpr const char* kErrResolve = "Can't resolve instance hostname.";
constexpr const char* kErrDupMaster = "Duplicate master name.";
constexpr const char* kErrDupReplica = "Duplicate hostname and port for replica.";
constexpr const char* kErrDupSentinel = "Duplicate runid for sentinel.";
constexpr const char* kErrRenamedTwice = "Same command renamed multiple times with rename-command.";
constexpr const char* kErrNotifyScript =
    "Notification script seems non existing or non executable.";
constexpr const char* kErrReconfigScript =
    "Client reconfiguration script seems non existing or non executable.";

constexpr std::size_t kRunIdSize = 40;
constexpr int kDefaultParallelSyncs = 1;

// Options applied before the monitor lines (loadSentinelConfigFromQueue).
constexpr const char* kPreMonitor[] = {
    "announce-ip",   "announce-port",     "deny-scripts-reconfig",
    "sentinel-user", "sentinel-pass",     "current-epoch",
    "myid",          "resolve-hostnames", "announce-hostnames",
};

bool is_pre_monitor(const std::string& option) {
    return std::any_of(std::begin(kPreMonitor), std::end(kPreMonitor),
                       [&](const char* o) { return option == o; });
}

// C's atoi and strtoull, which redis-sentinel uses: leading digits count, the rest is ignored
// ("abc" is 0, "-5" read by strtoull wraps around).
int c_atoi(const std::string& s) {
    return static_cast<int>(std::strtol(s.c_str(), nullptr, 10));
}

std::uint64_t c_strtoull(const std::string& s) {
    return std::strtoull(s.c_str(), nullptr, 10);
}

// yesnotoi: 1, 0, or -1 for anything else.
int yes_no(const std::string& s) {
    std::string v = to_lower_ascii(s);
    if (v == "yes") {
        return 1;
    }
    if (v == "no") {
        return 0;
    }
    return -1;
}

// A numeric host (as getaddrinfo with AI_NUMERICHOST reads it) in its canonical form.
std::optional<std::string> numeric_ip(const std::string& host) {
    char buf[INET6_ADDRSTRLEN] = {};
    in_addr v4{};
    if (host.find_first_of(" \t\r\n\v\f") == std::string::npos &&
        ::inet_aton(host.c_str(), &v4) != 0 &&
        ::inet_ntop(AF_INET, &v4, buf, sizeof buf) != nullptr) {
        return std::string(buf);
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1 &&
        ::inet_ntop(AF_INET6, &v6, buf, sizeof buf) != nullptr) {
        return std::string(buf);
    }
    return std::nullopt;
}

// Builds an instance's address as createSentinelAddr does; returns an error reason or "".
std::string make_address(const SentinelGlobals& g,
                         const std::string& host,
                         const std::string& port_text,
                         Address& out) {
    const int port = c_atoi(port_text);
    if (port < 0 || port > 65535) {
        return kErrPort;
    }
    if (auto ip = numeric_ip(host)) {
        out = Address{*ip, port};
        return {};
    }
    if (!g.resolve_hostnames) {
        return kErrResolve;
    }
    out = Address{host, port};  // resolved by sentinel/io
    return {};
}

// True when `s` reads back unchanged as one unquoted config argument.
bool plain_word(const std::string& s) {
    static const std::string kSpecial(" \t\r\n\v\f\"'\0", 9);
    return !s.empty() && s.find_first_of(kSpecial) == std::string::npos;
}

// A value as redis-sentinel writes it (%s), quoted only when it could not be read back.
std::string word(const std::string& s) {
    return plain_word(s) ? s : common::config::quote_arg(s);
}

class Applier {
public:
    Applier(SentinelGlobals& g,
            std::map<std::string, Master>& masters,
            const Timers& timers,
            const IsExecutable& is_executable)
        : g_(g), masters_(masters), timers_(timers), is_executable_(is_executable) {}

    void apply(const ConfigLine& line) {
        std::string err = handle(line.args);
        if (!err.empty()) {
            throw ConfigError(line.source, line.line, line.text, std::move(err));
        }
    }

private:
    // args[0] is "sentinel"; argc counts the arguments after it, as in sentinel.c.
    std::string handle(const std::vector<std::string>& args) {
        const std::size_t argc = args.size() - 1;
        const std::string option = to_lower_ascii(args[1]);
        auto a = [&](std::size_t i) -> const std::string& {
            return args[i + 1];
        };
        if (option == "monitor" && argc == 5) {
            return monitor(a(1), a(2), a(3), a(4));
        }
        if (option == "announce-ip" && argc == 2) {
            g_.announce_ip = a(1);  // empty: unset
            return {};
        }
        if (option == "announce-port" && argc == 2) {
            g_.announce_port = c_atoi(a(1));
            return {};
        }
        if (option == "deny-scripts-reconfig" && argc == 2) {
            return yes_no_option(a(1), g_.deny_scripts_reconfig,
                                 "Please specify yes or no for the deny-scripts-reconfig options.");
        }
        if (option == "resolve-hostnames" && argc == 2) {
            return yes_no_option(a(1), g_.resolve_hostnames,
                                 "Please specify yes or no for the resolve-hostnames option.");
        }
        if (option == "announce-hostnames" && argc == 2) {
            return yes_no_option(a(1), g_.announce_hostnames,
                                 "Please specify yes or no for the announce-hostnames option.");
        }
        if (option == "sentinel-user" && argc == 2) {
            g_.sentinel_user = a(1);
            return {};
        }
        if (option == "sentinel-pass" && argc == 2) {
            g_.sentinel_pass = a(1);
            return {};
        }
        if (option == "current-epoch" && argc == 2) {
            g_.self.current_epoch = std::max(g_.self.current_epoch, c_strtoull(a(1)));
            return {};
        }
        if (option == "myid" && argc == 2) {
            if (a(1).size() != kRunIdSize) {
                return kErrMyid;
            }
            g_.self.myid = a(1);
            return {};
        }
        if (option == "known-sentinel" && argc == 4) {
            return {};  // the old form without a runid is ignored
        }
        const bool per_master =
            ((option == "down-after-milliseconds" || option == "failover-timeout" ||
              option == "parallel-syncs" || option == "notification-script" ||
              option == "client-reconfig-script" || option == "auth-pass" ||
              option == "auth-user" || option == "config-epoch" || option == "leader-epoch" ||
              option == "master-reboot-down-after-period") &&
             argc == 3) ||
            ((option == "known-replica" || option == "known-slave") && argc == 4) ||
            (option == "known-sentinel" && argc == 5) || (option == "rename-command" && argc == 4);
        if (!per_master) {
            return kErrUnrecognized;
        }
        auto it = masters_.find(a(1));
        if (it == masters_.end()) {
            return kErrNoMaster;
        }
        return master_option(option, it->second, args);
    }

    static std::string yes_no_option(const std::string& v, bool& out, const char* error) {
        int b = yes_no(v);
        if (b == -1) {
            return error;
        }
        out = b == 1;
        return {};
    }

    std::string monitor(const std::string& name,
                        const std::string& host,
                        const std::string& port,
                        const std::string& quorum_text) {
        const int quorum = c_atoi(quorum_text);
        if (quorum <= 0) {
            return kErrQuorum;
        }
        Address addr;
        if (std::string err = make_address(g_, host, port, addr); !err.empty()) {
            return err;
        }
        if (masters_.count(name) != 0) {
            return kErrDupMaster;
        }
        Master m;
        m.kind = Kind::master;
        m.name = name;
        m.addr = addr;
        m.quorum = quorum;
        m.down_after = timers_.default_down_after;
        m.failover_timeout = timers_.default_failover_timeout;
        masters_.emplace(name, std::move(m));
        return {};
    }

    std::string master_option(const std::string& option,
                              Master& m,
                              const std::vector<std::string>& args) {
        const std::string& v = args[3];
        if (option == "down-after-milliseconds" || option == "failover-timeout") {
            const int ms = c_atoi(v);
            if (ms <= 0) {
                return kErrTime;
            }
            (option == "failover-timeout" ? m.failover_timeout : m.down_after) = ms;
        } else if (option == "master-reboot-down-after-period") {
            const int ms = c_atoi(v);
            if (ms < 0) {
                return kErrNegativeTime;
            }
            m.master_reboot_down_after_period = ms;
        } else if (option == "parallel-syncs") {
            m.parallel_syncs = c_atoi(v);  // unchecked, like redis-sentinel
        } else if (option == "notification-script" || option == "client-reconfig-script") {
            const bool notify = option == "notification-script";
            if (!is_executable_ || !is_executable_(v)) {
                return notify ? kErrNotifyScript : kErrReconfigScript;
            }
            (notify ? m.notification_script : m.client_reconfig_script) = v;
        } else if (option == "auth-pass") {
            m.auth_pass = v;
        } else if (option == "auth-user") {
            m.auth_user = v;
        } else if (option == "config-epoch") {
            m.config_epoch = c_strtoull(v);
            // A config epoch newer than the current epoch raises it.
            g_.self.current_epoch = std::max(g_.self.current_epoch, m.config_epoch);
        } else if (option == "leader-epoch") {
            m.leader_epoch = c_strtoull(v);
        } else if (option == "known-replica" || option == "known-slave") {
            return known_replica(m, args[3], args[4]);
        } else if (option == "known-sentinel") {
            return known_sentinel(m, args[3], args[4], args[5]);
        } else if (option == "rename-command") {
            return rename_command(m, args[3], args[4]);
        }
        return {};
    }

    std::string known_replica(Master& m, const std::string& host, const std::string& port) {
        Address addr;
        if (std::string err = make_address(g_, host, port, addr); !err.empty()) {
            return err;
        }
        const std::string name = addr.str();
        if (m.replicas.count(name) != 0) {
            return kErrDupReplica;
        }
        Instance r;
        r.kind = Kind::replica;
        r.name = name;
        r.addr = addr;
        m.replicas.emplace(name, std::move(r));
        return {};
    }

    std::string known_sentinel(Master& m,
                               const std::string& host,
                               const std::string& port,
                               const std::string& runid) {
        Address addr;
        if (std::string err = make_address(g_, host, port, addr); !err.empty()) {
            return err;
        }
        if (m.sentinels.count(runid) != 0) {
            return kErrDupSentinel;
        }
        Instance s;
        s.kind = Kind::sentinel;
        s.name = runid;
        s.runid = runid;
        s.addr = addr;
        m.sentinels.emplace(runid, std::move(s));
        return {};
    }

    static std::string rename_command(Master& m, const std::string& from, const std::string& to) {
        const std::string key = to_lower_ascii(from);
        for (const auto& [old_name, new_name] : m.renamed_commands) {
            if (to_lower_ascii(old_name) == key) {
                return kErrRenamedTwice;
            }
        }
        m.renamed_commands.emplace_back(from, to);
        return {};
    }

    SentinelGlobals& g_;
    std::map<std::string, Master>& masters_;
    const Timers& timers_;
    const IsExecutable& is_executable_;
};

// sentinelGetCurrentMasterAddress.
Address current_address(const Master& m) {
    const bool switching = m.failover_state == FailoverState::reconf_slaves ||
                           m.failover_state == FailoverState::update_config;
    if (switching && !m.promoted.empty()) {
        auto it = m.replicas.find(m.promoted);
        if (it != m.replicas.end()) {
            return it->second.addr;
        }
    }
    return m.addr;
}

}  // namespace

std::optional<Address> checked_instance_address(const SentinelGlobals& g,
                                                const std::string& host,
                                                long long port) {
    if (port < 0 || port > 65535) {
        return std::nullopt;
    }
    if (auto ip = numeric_ip(host)) {
        return Address{*ip, static_cast<int>(port)};
    }
    if (!g.resolve_hostnames || host.empty()) {
        return std::nullopt;
    }
    return Address{host, static_cast<int>(port)};
}

void apply_sentinel_directives(const std::vector<ConfigLine>& sentinel_lines,
                               SentinelGlobals& g,
                               std::map<std::string, Master>& masters,
                               const Timers& timers,
                               const IsExecutable& is_executable) {
    Applier applier(g, masters, timers, is_executable);
    enum class Group { pre_monitor, monitor, rest };
    auto group_of = [](const ConfigLine& l) {
        const std::string option = to_lower_ascii(l.args[1]);
        if (option == "monitor") {
            return Group::monitor;
        }
        return is_pre_monitor(option) ? Group::pre_monitor : Group::rest;
    };
    for (Group group : {Group::pre_monitor, Group::monitor, Group::rest}) {
        for (const ConfigLine& l : sentinel_lines) {
            // A bare `sentinel` line is accepted and means nothing.
            if (l.args.size() >= 2 && group_of(l) == group) {
                applier.apply(l);
            }
        }
    }
}

std::string SentinelConfigLine::key() const {
    return sentinel_line_key(args);
}

std::string SentinelConfigLine::text() const {
    std::string out;
    for (const auto& a : args) {
        if (!out.empty()) {
            out += ' ';
        }
        out += a;
    }
    return out;
}

std::vector<SentinelConfigLine> sentinel_rewrite_lines(const SentinelGlobals& g,
                                                       const std::map<std::string, Master>& masters,
                                                       const Timers& timers,
                                                       const RewriteHooks& hooks) {
    auto master_address = [&](const Master& m) {
        return hooks.master_address ? hooks.master_address(m) : current_address(m);
    };
    auto host = [&](const Address& a) {
        return word(hooks.announce_host ? hooks.announce_host(a) : a.host);
    };
    auto yes_no_text = [](bool b) {
        return std::string(b ? "yes" : "no");
    };
    std::vector<SentinelConfigLine> out;
    auto add = [&](std::vector<std::string> args, bool force = true) {
        args.insert(args.begin(), "sentinel");
        out.push_back(SentinelConfigLine{std::move(args), force});
    };
    if (!g.self.myid.empty()) {
        add({"myid", word(g.self.myid)});
    }
    add({"deny-scripts-reconfig", yes_no_text(g.deny_scripts_reconfig)}, !g.deny_scripts_reconfig);
    add({"resolve-hostnames", yes_no_text(g.resolve_hostnames)}, g.resolve_hostnames);
    add({"announce-hostnames", yes_no_text(g.announce_hostnames)}, g.announce_hostnames);
    for (const auto& [name, m] : masters) {
        const std::string n = word(m.name);
        const Address current = master_address(m);
        add({"monitor", n, host(current), std::to_string(current.port), std::to_string(m.quorum)});
        if (m.down_after != timers.default_down_after) {
            add({"down-after-milliseconds", n, std::to_string(m.down_after)});
        }
        if (m.failover_timeout != timers.default_failover_timeout) {
            add({"failover-timeout", n, std::to_string(m.failover_timeout)});
        }
        if (m.parallel_syncs != kDefaultParallelSyncs) {
            add({"parallel-syncs", n, std::to_string(m.parallel_syncs)});
        }
        if (!m.notification_script.empty()) {
            add({"notification-script", n, word(m.notification_script)});
        }
        if (!m.client_reconfig_script.empty()) {
            add({"client-reconfig-script", n, word(m.client_reconfig_script)});
        }
        if (!m.auth_pass.empty()) {
            add({"auth-pass", n, word(m.auth_pass)});
        }
        if (!m.auth_user.empty()) {
            add({"auth-user", n, word(m.auth_user)});
        }
        if (m.master_reboot_down_after_period != 0) {
            add({"master-reboot-down-after-period", n,
                 std::to_string(m.master_reboot_down_after_period)});
        }
        add({"config-epoch", n, std::to_string(m.config_epoch)});
        add({"leader-epoch", n, std::to_string(m.leader_epoch)});
        for (const auto& [key, r] : m.replicas) {
            // Mid-failover the promoted replica is the current master: it is written under the
            // old master's address, which is a replica once the failover completes.
            const Address& a = r.addr == current ? m.addr : r.addr;
            add({"known-replica", n, host(a), std::to_string(a.port)});
        }
        for (const auto& [key, s] : m.sentinels) {
            if (s.runid.empty()) {
                continue;
            }
            add({"known-sentinel", n, host(s.addr), std::to_string(s.addr.port), word(s.runid)});
        }
        for (const auto& [from, to] : m.renamed_commands) {
            add({"rename-command", n, word(from), word(to)});
        }
    }
    add({"current-epoch", std::to_string(g.self.current_epoch)});
    if (!g.announce_ip.empty()) {
        add({"announce-ip", common::config::quote_arg(g.announce_ip)});
    }
    if (g.announce_port != 0) {
        add({"announce-port", std::to_string(g.announce_port)});
    }
    if (!g.sentinel_user.empty()) {
        add({"sentinel-user", word(g.sentinel_user)});
    }
    if (!g.sentinel_pass.empty()) {
        add({"sentinel-pass", word(g.sentinel_pass)});
    }
    return out;
}

const std::vector<std::string>& sentinel_rewrite_options() {
    static const std::vector<std::string> kOptions = {
        "myid",
        "deny-scripts-reconfig",
        "resolve-hostnames",
        "announce-hostnames",
        "monitor",
        "down-after-milliseconds",
        "failover-timeout",
        "parallel-syncs",
        "notification-script",
        "client-reconfig-script",
        "auth-pass",
        "auth-user",
        "master-reboot-down-after-period",
        "config-epoch",
        "leader-epoch",
        "known-replica",
        "known-sentinel",
        "rename-command",
        "current-epoch",
        "announce-ip",
        "announce-port",
        "sentinel-user",
        "sentinel-pass",
    };
    return kOptions;
}

std::string sentinel_line_key(const std::vector<std::string>& args) {
    if (args.size() < 2) {
        return "sentinel";
    }
    std::string option = to_lower_ascii(args[1]);
    if (option == "known-slave") {
        option = "known-replica";
    }
    return "sentinel " + option;
}

}  // namespace vigil::sentinel
