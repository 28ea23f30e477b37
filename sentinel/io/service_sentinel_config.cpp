// SentinelService: the SENTINEL subcommands that change the configuration or start something —
// MONITOR, REMOVE, SET, CONFIG, FLUSHCONFIG, RESET, FAILOVER, SIMULATE-FAILURE — with
// redis-sentinel 7.0.15's validation and error texts. Where the reply depends on the config file
// being saved, it is saved here through the save_config hook (Vigil answers an error when that
// fails, where redis-sentinel only logs it).
#include <algorithm>
#include <climits>

#include "common/pubsub/pubsub.hpp"
#include "sentinel/io/service.hpp"
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil::sentinel {

namespace {

constexpr std::string_view kNoSuchMaster = "ERR No such master with that name";
constexpr std::string_view kSaveFailed = "ERR Failed to save config file. Check server logs.";

// An event of a command (+set, ...): published and logged by perform; a warning about an
// instance also runs the master's notification script (as the core does for its own events).
void emit(Actions& actions, const Master& master, Event e) {
    if (!master.notification_script.empty() && event_level(e.type) == LogLevel::warning) {
        actions.scripts.push_back({master.notification_script, {e.type, e.text}});
    }
    actions.events.push_back(std::move(e));
}

// The address MONITOR stores: a numeric address (normalised, as redis-sentinel does), or with
// resolve-hostnames a name that resolves ("" when invalid). With announce-hostnames the name is
// kept, else its address.
std::string monitor_address(const std::string& host, bool resolve, bool keep_name) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = resolve ? 0 : AI_NUMERICHOST;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
        return "";
    }
    char buf[INET6_ADDRSTRLEN] = {0};
    const void* src = nullptr;
    if (res->ai_family == AF_INET) {
        src = &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr;
    } else if (res->ai_family == AF_INET6) {
        src = &reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr;
    }
    const bool ok = src != nullptr && inet_ntop(res->ai_family, src, buf, sizeof(buf)) != nullptr;
    freeaddrinfo(res);
    if (!ok) {
        return "";
    }
    const bool numeric = std::string(buf) == host;
    return keep_name && resolve && !numeric ? host : std::string(buf);
}

}  // namespace

struct SentinelService::SentinelConfigFamily {
    static Master* master_or_error(Call& call, std::string_view name) {
        Master* m = call.core().find_master(name);
        if (m == nullptr) {
            call.reply.error(kNoSuchMaster);
        }
        return m;
    }

    // Saves the config when `changed`, runs the actions and replies +OK, the first error, or
    // the save error.
    static void finish(Call& call, Actions& actions, bool changed, const std::string& error) {
        const bool saved = !changed || call.service.save_config(actions);
        call.service.perform(actions);
        if (!error.empty()) {
            call.reply.error(error);
        } else if (!saved) {
            call.reply.error(kSaveFailed);
        } else {
            call.reply.ok();
        }
    }

    static void failover(Call& call) {
        Actions actions;
        const std::string error =
            call.core().force_failover(std::string(call.args[2]), call.now, actions);
        call.service.perform(actions);
        if (error.empty()) {
            call.reply.ok();
        } else {
            call.reply.error(error);
        }
    }

    // Not saved (as redis-sentinel); the reset masters' links are dropped.
    static void reset(Call& call) {
        SentinelCore& core = call.core();
        for (const auto& [name, m] : core.masters) {
            if (common::glob_match(call.args[2], name)) {
                core.links_to_drop.push_back({name, Kind::master, ""});
            }
        }
        Actions actions;
        const int n = core.reset(call.args[2], call.now, actions);
        call.service.perform(actions);
        call.reply.integer(n);
    }

    static void simulate_failure(Call& call) {
        SentinelCore& core = call.core();
        Actions actions;
        core.simulate_failure = 0;  // cleared first, even when an argument is wrong
        for (std::size_t i = 2; i < call.args.size(); ++i) {
            const std::string_view mode = call.args[i];
            if (iequals(mode, "crash-after-election")) {
                core.simulate_failure |= SentinelCore::kCrashAfterElection;
                actions.logs.emplace_back(LogLevel::warning,
                                          "Failure simulation: this Sentinel will crash after "
                                          "being successfully elected as failover leader");
            } else if (iequals(mode, "crash-after-promotion")) {
                core.simulate_failure |= SentinelCore::kCrashAfterPromotion;
                actions.logs.emplace_back(LogLevel::warning,
                                          "Failure simulation: this Sentinel will crash after "
                                          "promoting the selected replica to master");
            } else if (iequals(mode, "help")) {
                call.service.perform(actions);
                call.reply.array_header(2);
                call.reply.bulk("crash-after-election");
                call.reply.bulk("crash-after-promotion");
                return;
            } else {
                call.service.perform(actions);
                call.reply.error("ERR Unknown failure simulation specified");
                return;
            }
        }
        call.service.perform(actions);
        call.reply.ok();
    }

    // ---- configuration ----

    static void monitor(Call& call) {
        SentinelCore& core = call.core();
        long long quorum = 0;
        long long port = 0;
        if (!parse_ll(call.args[5], quorum) || quorum > INT_MAX) {
            call.reply.error("ERR Invalid quorum");
            return;
        }
        if (!parse_ll(call.args[4], port)) {
            call.reply.error("ERR Invalid port");
            return;
        }
        if (quorum <= 0) {
            call.reply.error("ERR Quorum must be 1 or greater.");
            return;
        }
        const std::string host =
            monitor_address(std::string(call.args[3]), core.globals.resolve_hostnames,
                            core.globals.announce_hostnames);
        if (host.empty()) {
            call.reply.error("ERR Invalid IP address or hostname specified");
            return;
        }
        if (port < 0 || port > 65535) {
            call.reply.error("ERR Invalid port number.");
            return;
        }
        const std::string name(call.args[2]);
        if (core.find_master(name) != nullptr) {
            call.reply.error("ERR Duplicate master name.");
            return;
        }
        Actions actions;
        core.monitor(name, {host, static_cast<int>(port)}, static_cast<int>(quorum), call.now,
                     actions);
        finish(call, actions, true, "");
    }

    static void remove(Call& call) {
        if (master_or_error(call, call.args[2]) == nullptr) {
            return;
        }
        Actions actions;
        call.core().remove(std::string(call.args[2]), actions);
        finish(call, actions, true, "");
    }

    // Links of the master and its replicas, dropped after a change of auth or renames.
    static void drop_links(SentinelCore& core, const Master& m) {
        core.links_to_drop.push_back({m.name, Kind::master, ""});
        for (const auto& [key, r] : m.replicas) {
            core.links_to_drop.push_back({m.name, Kind::replica, key});
        }
    }

    // SET <master> <option> <value> [<option> <value> ...]: options apply one by one; an error
    // stops there, keeping (and saving) what was applied before it, as redis-sentinel does.
    static void set(Call& call) {
        SentinelCore& core = call.core();
        Master* m = master_or_error(call, call.args[2]);
        if (m == nullptr) {
            return;
        }
        const auto& args = call.args;
        Actions actions;
        int changes = 0;
        bool links = false;
        std::string error;
        for (std::size_t j = 3; j < args.size() && error.empty(); ++j) {
            const std::string_view option = args[j];
            const std::size_t more = args.size() - 1 - j;
            const std::size_t first = j;
            bool redacted = false;
            auto invalid = [&](std::string_view value) {
                error = "ERR Invalid argument '" + std::string(value) + "' for SENTINEL SET '" +
                        std::string(option) + "'";
            };
            // A number >= min (and <= max) in args[++j], else the invalid-argument error.
            auto number = [&](long long min, long long max, long long& out) {
                const std::string_view v = args[++j];
                if (!parse_ll(v, out) || out < min || out > max) {
                    invalid(v);
                    return false;
                }
                return true;
            };
            long long v = 0;
            if (iequals(option, "down-after-milliseconds") && more > 0) {
                if (!number(1, LLONG_MAX, v)) {
                    break;
                }
                m->down_after = v;
            } else if (iequals(option, "failover-timeout") && more > 0) {
                if (!number(1, LLONG_MAX, v)) {
                    break;
                }
                m->failover_timeout = v;
            } else if (iequals(option, "parallel-syncs") && more > 0) {
                if (!number(1, INT_MAX, v)) {
                    break;
                }
                m->parallel_syncs = static_cast<int>(v);
            } else if (iequals(option, "quorum") && more > 0) {
                if (!number(1, INT_MAX, v)) {
                    break;
                }
                m->quorum = static_cast<int>(v);
            } else if (iequals(option, "master-reboot-down-after-period") && more > 0) {
                if (!number(0, LLONG_MAX, v)) {
                    break;
                }
                m->master_reboot_down_after_period = v;
            } else if ((iequals(option, "notification-script") ||
                        iequals(option, "client-reconfig-script")) &&
                       more > 0) {
                const std::string path(args[++j]);
                const bool notification = iequals(option, "notification-script");
                if (core.globals.deny_scripts_reconfig) {
                    error =
                        "ERR Reconfiguration of scripts path is denied for security reasons. "
                        "Check the deny-scripts-reconfig configuration directive in your "
                        "Sentinel configuration";
                    break;
                }
                if (!path.empty() && access(path.c_str(), X_OK) == -1) {
                    error = notification ? "ERR Notification script seems non existing or non "
                                           "executable"
                                         : "ERR Client reconfiguration script seems non existing "
                                           "or non executable";
                    break;
                }
                (notification ? m->notification_script : m->client_reconfig_script) = path;
            } else if (iequals(option, "auth-pass") && more > 0) {
                m->auth_pass = std::string(args[++j]);
                links = true;
                redacted = true;
            } else if (iequals(option, "auth-user") && more > 0) {
                m->auth_user = std::string(args[++j]);
                links = true;
            } else if (iequals(option, "rename-command") && more > 1) {
                const std::string_view from = args[++j];
                const std::string_view to = args[++j];
                if (from.empty() || to.empty()) {
                    invalid("");
                    break;
                }
                // A new rename replaces the old one; renaming a command to itself removes it.
                const std::string key = lower(from);
                auto& renames = m->renamed_commands;
                renames.erase(std::remove_if(renames.begin(), renames.end(),
                                             [&key](const auto& r) { return r.first == key; }),
                              renames.end());
                if (!iequals(from, to)) {
                    renames.emplace_back(key, std::string(to));
                }
                links = true;
            } else {
                error = "ERR Unknown option or number of arguments for SENTINEL SET '" +
                        std::string(option) + "'";
                break;
            }
            ++changes;
            std::string text = describe(*m, nullptr) + " " + std::string(option) + " " +
                               (redacted ? std::string("******") : std::string(args[first + 1]));
            if (j - first == 2) {
                text += " " + std::string(args[first + 2]);
            }
            emit(actions, *m, {"+set", std::move(text)});
        }
        if (links) {
            drop_links(core, *m);
        }
        finish(call, actions, changes > 0, error);
    }

    static void flushconfig(Call& call) {
        Actions actions;
        finish(call, actions, true, "");
    }

    static void config(Call& call) {
        if (iequals(call.args[2], "set") && call.args.size() == 5) {
            config_set(call);
        } else if (iequals(call.args[2], "get") && call.args.size() == 4) {
            config_get(call);
        } else {
            call.reply.error(
                "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.");
        }
    }

    static void config_get(Call& call) {
        const SentinelGlobals& g = call.core().globals;
        const std::pair<const char*, std::string> all[] = {
            {"resolve-hostnames", g.resolve_hostnames ? "yes" : "no"},
            {"announce-hostnames", g.announce_hostnames ? "yes" : "no"},
            {"announce-ip", g.announce_ip},
            {"announce-port", std::to_string(g.announce_port)},
            {"sentinel-user", g.sentinel_user},
            {"sentinel-pass", g.sentinel_pass},
        };
        std::vector<const std::pair<const char*, std::string>*> matches;
        for (const auto& p : all) {
            if (common::glob_match(call.args[3], p.first, true)) {
                matches.push_back(&p);
            }
        }
        call.reply.map_header(matches.size());
        for (const auto* p : matches) {
            call.reply.bulk(p->first);
            call.reply.bulk(p->second);
        }
    }

    static void config_set(Call& call) {
        SentinelCore& core = call.core();
        SentinelGlobals& g = core.globals;
        const std::string_view option = call.args[3];
        const std::string_view value = call.args[4];
        auto yes_no = [&value](bool& out) {
            if (iequals(value, "yes")) {
                out = true;
            } else if (iequals(value, "no")) {
                out = false;
            } else {
                return false;
            }
            return true;
        };
        bool ok = true;
        bool drop_sentinel_links = false;
        if (iequals(option, "resolve-hostnames")) {
            ok = yes_no(g.resolve_hostnames);
        } else if (iequals(option, "announce-hostnames")) {
            ok = yes_no(g.announce_hostnames);
        } else if (iequals(option, "announce-ip")) {
            g.announce_ip = std::string(value);
        } else if (iequals(option, "announce-port")) {
            long long port = 0;
            ok = parse_ll(value, port) && port >= 0 && port <= 65535;
            if (ok) {
                g.announce_port = static_cast<int>(port);
            }
        } else if (iequals(option, "sentinel-user")) {
            g.sentinel_user = std::string(value);
            drop_sentinel_links = true;
        } else if (iequals(option, "sentinel-pass")) {
            g.sentinel_pass = std::string(value);
            drop_sentinel_links = true;
        } else {
            call.reply.error("ERR Invalid argument '" + std::string(option) +
                             "' to SENTINEL CONFIG SET");
            return;
        }
        if (!ok) {
            call.reply.error("ERR Invalid value '" + std::string(value) +
                             "' to SENTINEL CONFIG SET '" + std::string(option) + "'");
            return;
        }
        if (drop_sentinel_links) {
            for (const auto& [name, m] : core.masters) {
                for (const auto& [runid, s] : m.sentinels) {
                    core.links_to_drop.push_back({name, Kind::sentinel, runid});
                }
            }
        }
        Actions actions;
        finish(call, actions, true, "");
    }
};

std::span<const SentinelService::CommandDef> SentinelService::sentinel_config_subcommands() {
    using F = SentinelConfigFamily;
    static constexpr std::string_view kCats = "@admin @slow @dangerous";
    static constexpr CommandDef kTable[] = {
        {"sentinel|config", -3, kAdmin, kCats, "", &F::config},
        {"sentinel|monitor", 6, kAdmin, kCats, "", &F::monitor},
        {"sentinel|reset", 3, kAdmin, kCats, "", &F::reset},
        {"sentinel|failover", 3, kAdmin, kCats, "", &F::failover},
        {"sentinel|simulate-failure", -3, kAdmin, kCats, "", &F::simulate_failure},
        {"sentinel|set", -5, kAdmin, kCats, "", &F::set},
        {"sentinel|remove", 3, kAdmin, kCats, "", &F::remove},
        {"sentinel|flushconfig", 2, kAdmin, kCats, "", &F::flushconfig},
    };
    return kTable;
}

}  // namespace vigil::sentinel
