// SentinelService: SENTINEL <subcommand>, with redis-sentinel 7.0.15's replies and error texts
// (docs/sentinel-reference-captures.md §1): the instance maps and the subcommands that read the
// state (plus the vote of IS-MASTER-DOWN-BY-ADDR and the DEBUG timers). The subcommands that
// change the configuration are in service_sentinel_config.cpp.
#include <algorithm>
#include <climits>

#include "common/pubsub/pubsub.hpp"
#include "sentinel/io/service.hpp"

namespace vigil::sentinel {

namespace {

constexpr std::string_view kNoSuchMaster = "ERR No such master with that name";
constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";

// An instance map: field names with their values, all sent as bulk strings.
class Fields {
public:
    void add(std::string_view name, std::string value) {
        fields_.emplace_back(name, std::move(value));
    }
    void num(std::string_view name, std::int64_t value) { add(name, std::to_string(value)); }
    // RESP3: a map; RESP2: a flat array of name, value pairs.
    void write(common::ReplyWriter& reply) const {
        reply.map_header(fields_.size());
        for (const auto& [name, value] : fields_) {
            reply.bulk(name);
            reply.bulk(value);
        }
    }

private:
    std::vector<std::pair<std::string_view, std::string>> fields_;
};

const char* failover_state_name(FailoverState s) {
    switch (s) {
        case FailoverState::none:
            return "none";
        case FailoverState::wait_start:
            return "wait_start";
        case FailoverState::select_slave:
            return "select_slave";
        case FailoverState::send_slaveof_noone:
            return "send_slaveof_noone";
        case FailoverState::wait_promotion:
            return "wait_promotion";
        case FailoverState::reconf_slaves:
            return "reconf_slaves";
        case FailoverState::update_config:
            return "update_config";
    }
    return "none";
}

// The flags field, in redis-sentinel's order.
std::string instance_flags(const Instance& inst, const Master& master, std::string_view key) {
    const bool is_master = inst.kind == Kind::master;
    std::vector<const char*> f;
    if (inst.sdown) {
        f.push_back("s_down");
    }
    if (is_master && master.odown) {
        f.push_back("o_down");
    }
    f.push_back(is_master ? "master" : inst.kind == Kind::replica ? "slave" : "sentinel");
    if (!inst.link.connected) {
        f.push_back("disconnected");
    }
    if (inst.kind == Kind::sentinel && inst.says_master_down) {
        f.push_back("master_down");
    }
    if (is_master && master.failover_in_progress) {
        f.push_back("failover_in_progress");
    }
    if (inst.kind == Kind::replica && !master.promoted.empty() && master.promoted == key) {
        f.push_back("promoted");
    }
    if (inst.reconf == ReconfState::sent) {
        f.push_back("reconf_sent");
    } else if (inst.reconf == ReconfState::inprog) {
        f.push_back("reconf_inprog");
    } else if (inst.reconf == ReconfState::done) {
        f.push_back("reconf_done");
    }
    if (is_master && master.force_failover) {
        f.push_back("force_failover");
    }
    if (inst.script_kill_sent) {
        f.push_back("script_kill_sent");
    }
    std::string out;
    for (const char* s : f) {
        if (!out.empty()) {
            out += ',';
        }
        out += s;
    }
    return out;
}

// SENTINEL MASTER / MASTERS / REPLICAS / SENTINELS: the fields of one instance, in
// redis-sentinel 7.0's order (sentinel-compat.md §1.2). Times are "ms ago".
Fields instance_fields(const Instance& inst, const Master& master, std::string_view key, Ms now) {
    auto ago = [now](Ms t) {
        return t <= 0 ? Ms{0} : now - t;
    };
    Fields f;
    f.add("name", inst.name);
    f.add("ip", inst.addr.host);
    f.num("port", inst.addr.port);
    f.add("runid", inst.runid);
    f.add("flags", instance_flags(inst, master, key));
    f.num("link-pending-commands", inst.link.pending_commands);
    f.num("link-refcount", 1);
    if (inst.kind == Kind::master && master.failover_state != FailoverState::none) {
        f.add("failover-state", failover_state_name(master.failover_state));
    }
    f.num("last-ping-sent", inst.link.act_ping_time == kNever ? 0 : now - inst.link.act_ping_time);
    f.num("last-ok-ping-reply", now - inst.link.last_avail_time);
    f.num("last-ping-reply", now - inst.link.last_pong_time);
    if (inst.sdown) {
        f.num("s-down-time", now - inst.sdown_since);
    }
    if (inst.kind == Kind::master && master.odown) {
        f.num("o-down-time", now - master.odown_since);
    }
    f.num("down-after-milliseconds", master.down_after);
    if (inst.kind != Kind::sentinel) {
        const bool replica_role =
            inst.info_refresh == 0 ? inst.kind == Kind::replica : inst.reported_as_replica;
        f.num("info-refresh", ago(inst.info_refresh));
        f.add("role-reported", replica_role ? "slave" : "master");
        f.num("role-reported-time", ago(inst.role_reported_time));
    }
    if (inst.kind == Kind::master) {
        f.num("config-epoch", static_cast<std::int64_t>(master.config_epoch));
        f.num("num-slaves", static_cast<std::int64_t>(master.replicas.size()));
        f.num("num-other-sentinels", static_cast<std::int64_t>(master.sentinels.size()));
        f.num("quorum", master.quorum);
        f.num("failover-timeout", master.failover_timeout);
        f.num("parallel-syncs", master.parallel_syncs);
        if (!master.notification_script.empty()) {
            f.add("notification-script", master.notification_script);
        }
        if (!master.client_reconfig_script.empty()) {
            f.add("client-reconfig-script", master.client_reconfig_script);
        }
    } else if (inst.kind == Kind::replica) {
        f.num("master-link-down-time", inst.master_link_down_time);
        f.add("master-link-status", inst.reported_master_link_up ? "ok" : "err");
        f.add("master-host", inst.reported_master.host.empty() ? "?" : inst.reported_master.host);
        f.num("master-port", inst.reported_master.port);
        f.num("slave-priority", inst.replica_priority);
        f.num("slave-repl-offset", inst.repl_offset);
        f.num("replica-announced", inst.replica_announced ? 1 : 0);
    } else {
        f.num("last-hello-message", ago(inst.last_hello_time));
        f.add("voted-leader", inst.leader.empty() ? "?" : inst.leader);
        f.num("voted-leader-epoch", static_cast<std::int64_t>(inst.leader_epoch));
    }
    return f;
}

}  // namespace

struct SentinelService::SentinelFamily {
    static Master* master_or_error(Call& call, std::string_view name) {
        Master* m = call.core().find_master(name);
        if (m == nullptr) {
            call.reply.error(kNoSuchMaster);
        }
        return m;
    }

    // ---- reading ----

    static void masters(Call& call) {
        const auto& all = call.core().masters;
        call.reply.array_header(all.size());
        for (const auto& [name, m] : all) {
            instance_fields(m, m, "", call.now).write(call.reply);
        }
    }

    static void master(Call& call) {
        if (const Master* m = master_or_error(call, call.args[2])) {
            instance_fields(*m, *m, "", call.now).write(call.reply);
        }
    }

    // REPLICAS and SLAVES: replicas that announce themselves (replica-announced yes).
    static void replicas(Call& call) {
        const Master* m = master_or_error(call, call.args[2]);
        if (m == nullptr) {
            return;
        }
        std::size_t n = 0;
        for (const auto& [key, r] : m->replicas) {
            n += r.replica_announced ? 1 : 0;
        }
        call.reply.array_header(n);
        for (const auto& [key, r] : m->replicas) {
            if (r.replica_announced) {
                instance_fields(r, *m, key, call.now).write(call.reply);
            }
        }
    }

    static void sentinels(Call& call) {
        const Master* m = master_or_error(call, call.args[2]);
        if (m == nullptr) {
            return;
        }
        call.reply.array_header(m->sentinels.size());
        for (const auto& [runid, s] : m->sentinels) {
            instance_fields(s, *m, runid, call.now).write(call.reply);
        }
    }

    static void get_master_addr_by_name(Call& call) {
        const Master* m = call.core().find_master(call.args[2]);
        if (m == nullptr) {
            call.reply.null_array();
            return;
        }
        const Address a = SentinelCore::current_address(*m);
        call.reply.array_header(2);
        call.reply.bulk(a.host);
        call.reply.bulk_int(a.port);
    }

    static void ckquorum(Call& call) {
        const Master* m = master_or_error(call, call.args[2]);
        if (m == nullptr) {
            return;
        }
        const SentinelCore::QuorumCheck q = call.core().check_quorum(*m);
        const std::string usable = std::to_string(q.usable) + " usable Sentinels. ";
        if (q.quorum_ok && q.majority_ok) {
            call.reply.simple("OK " + usable + "Quorum and failover authorization can be reached");
            return;
        }
        std::string e = "NOQUORUM " + usable;
        if (!q.quorum_ok) {
            e += "Not enough available Sentinels to reach the specified quorum for this master";
        }
        if (!q.majority_ok) {
            if (!q.quorum_ok) {
                e += ". ";
            }
            e += "Not enough available Sentinels to reach the majority and authorize a failover";
        }
        call.reply.error(e);
    }

    // [name, [[age ms, INFO or null] for the master, then each replica], ...]; unknown names
    // are skipped. (redis-sentinel 7.0 computes a replica's age against the master's refresh
    // time, a bug not copied here.)
    static void info_cache(Call& call) {
        std::vector<const Master*> found;
        for (std::size_t i = 2; i < call.args.size(); ++i) {
            const Master* m = call.core().find_master(call.args[i]);
            if (m != nullptr && std::find(found.begin(), found.end(), m) == found.end()) {
                found.push_back(m);
            }
        }
        auto entry = [&call](const Instance& inst) {
            call.reply.array_header(2);
            call.reply.integer(inst.info_refresh == 0 ? 0 : call.now - inst.info_refresh);
            if (inst.info_text.empty()) {
                call.reply.null();
            } else {
                call.reply.bulk(inst.info_text);
            }
        };
        call.reply.array_header(found.size() * 2);
        for (const Master* m : found) {
            call.reply.bulk(m->name);
            call.reply.array_header(m->replicas.size() + 1);
            entry(*m);
            for (const auto& [key, r] : m->replicas) {
                entry(r);
            }
        }
    }

    static void pending_scripts(Call& call) {
        const std::vector<PendingScript> jobs = call.service.hooks_.pending_scripts
                                                    ? call.service.hooks_.pending_scripts()
                                                    : std::vector<PendingScript>{};
        call.reply.array_header(jobs.size());
        for (const PendingScript& j : jobs) {
            call.reply.map_header(5);
            call.reply.bulk("argv");
            call.reply.array_header(j.argv.size());
            for (const auto& a : j.argv) {
                call.reply.bulk(a);
            }
            call.reply.bulk("flags");
            call.reply.bulk(j.running ? "running" : "scheduled");
            call.reply.bulk("pid");
            call.reply.bulk_int(j.pid);
            call.reply.bulk(j.running ? "run-time" : "run-delay");
            call.reply.bulk_int(j.run_time_or_delay);
            call.reply.bulk("retry-num");
            call.reply.bulk_int(j.retries);
        }
    }

    static void myid(Call& call) { call.reply.bulk(call.core().globals.self.myid); }

    // ---- votes and failovers ----

    static void is_master_down_by_addr(Call& call) {
        long long port = 0;
        long long epoch = 0;
        // A negative epoch is refused (redis-sentinel reads it as a huge unsigned one, which a
        // single bad request would then spread to every sentinel through the hellos).
        if (!parse_ll(call.args[3], port) || !parse_ll(call.args[4], epoch) || epoch < 0) {
            call.reply.error(kNotInteger);
            return;
        }
        if (port < INT_MIN || port > INT_MAX) {
            port = -1;  // no master listens there
        }
        Actions actions;
        const SentinelCore::MasterDownAnswer a = call.core().is_master_down_by_addr(
            call.args[2], static_cast<int>(port), static_cast<std::uint64_t>(epoch),
            std::string(call.args[5]), call.now, actions);
        call.service.perform(actions);
        call.reply.array_header(3);
        call.reply.integer(a.down ? 1 : 0);
        call.reply.bulk(a.leader);
        call.reply.integer(static_cast<std::int64_t>(a.leader_epoch));
    }

    // The 13 timers, by their upper-case names (no args) or set by lower-case name.
    struct Timer {
        const char* name;
        Ms Timers::*field;
    };
    static constexpr Timer kTimers[] = {
        {"info-period", &Timers::info_period},
        {"ping-period", &Timers::ping_period},
        {"ask-period", &Timers::ask_period},
        {"publish-period", &Timers::publish_period},
        {"default-down-after", &Timers::default_down_after},
        {"default-failover-timeout", &Timers::default_failover_timeout},
        {"tilt-trigger", &Timers::tilt_trigger},
        {"tilt-period", &Timers::tilt_period},
        {"slave-reconf-timeout", &Timers::slave_reconf_timeout},
        {"min-link-reconnect-period", &Timers::min_link_reconnect_period},
        {"election-timeout", &Timers::election_timeout},
        {"script-max-runtime", &Timers::script_max_runtime},
        {"script-retry-delay", &Timers::script_retry_delay},
    };

    static void debug(Call& call) {
        Timers& timers = call.core().timers;
        if (call.args.size() == 2) {
            call.reply.map_header(std::size(kTimers));
            for (const Timer& t : kTimers) {
                std::string name = t.name;
                for (char& c : name) {
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                }
                call.reply.bulk(name);
                call.reply.bulk_int(timers.*t.field);
            }
            return;
        }
        for (std::size_t j = 2; j < call.args.size(); ++j) {
            const std::string_view option = call.args[j];
            const Timer* timer = nullptr;
            for (const Timer& t : kTimers) {
                if (iequals(option, t.name)) {
                    timer = &t;
                }
            }
            if (timer == nullptr || j + 1 >= call.args.size()) {
                call.reply.error("ERR Unknown option or number of arguments for SENTINEL DEBUG '" +
                                 std::string(option) + "'");
                return;
            }
            const std::string_view value = call.args[++j];
            long long v = 0;
            if (!parse_ll(value, v) || v <= 0) {
                call.reply.error("ERR Invalid argument '" + std::string(value) +
                                 "' for SENTINEL DEBUG '" + std::string(option) + "'");
                return;
            }
            timers.*timer->field = v;
        }
        call.reply.ok();
    }

    static void help(Call& call) {
        static constexpr std::string_view kLines[] = {
            "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CKQUORUM <master-name>",
            "    Check if the current Sentinel configuration is able to reach the quorum",
            "    needed to failover a master and the majority needed to authorize the",
            "    failover.",
            "CONFIG SET <param> <value>",
            "    Set a global Sentinel configuration parameter.",
            "CONFIG GET <param>",
            "    Get global Sentinel configuration parameter.",
            "DEBUG [<param> <value> ...]",
            "    Show a list of configurable time parameters and their values (milliseconds).",
            "    Or update current configurable parameters values (one or more).",
            "GET-MASTER-ADDR-BY-NAME <master-name>",
            "    Return the ip and port number of the master with that name.",
            "FAILOVER <master-name>",
            "    Manually failover a master node without asking for agreement from other",
            "    Sentinels",
            "FLUSHCONFIG",
            "    Force Sentinel to rewrite its configuration on disk, including the current",
            "    Sentinel state.",
            "INFO-CACHE <master-name>",
            "    Return last cached INFO output from masters and all its replicas.",
            "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
            "    Check if the master specified by ip:port is down from current Sentinel's",
            "    point of view.",
            "MASTER <master-name>",
            "    Show the state and info of the specified master.",
            "MASTERS",
            "    Show a list of monitored masters and their state.",
            "MONITOR <name> <ip> <port> <quorum>",
            "    Start monitoring a new master with the specified name, ip, port and quorum.",
            "MYID",
            "    Return the ID of the Sentinel instance.",
            "PENDING-SCRIPTS",
            "    Get pending scripts information.",
            "REMOVE <master-name>",
            "    Remove master from Sentinel's monitor list.",
            "REPLICAS <master-name>",
            "    Show a list of replicas for this master and their state.",
            "RESET <pattern>",
            "    Reset masters for specific master name matching this pattern.",
            "SENTINELS <master-name>",
            "    Show a list of Sentinel instances for this master and their state.",
            "SET <master-name> <option> <value> [<option> <value> ...]",
            "    Set configuration parameters for certain masters.",
            "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
            "    Simulate a Sentinel crash.",
            "HELP",
            "    Prints this help.",
        };
        reply_help(call.reply, kLines);
    }
};

// Every subcommand but HELP is @admin. In redis-sentinel 7.0.15's COMMAND LIST order (a hash
// order): the rows of service_sentinel_config.cpp are merged in.
std::span<const SentinelService::CommandDef> SentinelService::sentinel_subcommands() {
    using F = SentinelFamily;
    static constexpr std::string_view kCats = "@admin @slow @dangerous";
    static constexpr CommandDef kReading[] = {
        {"sentinel|is-master-down-by-addr", 6, kAdmin, kCats, "", &F::is_master_down_by_addr},
        {"sentinel|info-cache", -3, kAdmin, kCats, "", &F::info_cache},
        {"sentinel|masters", 2, kAdmin, kCats, "", &F::masters},
        {"sentinel|get-master-addr-by-name", 3, kAdmin, kCats, "", &F::get_master_addr_by_name},
        {"sentinel|help", 2, kLoading | kStale, "@slow", "", &F::help},
        {"sentinel|sentinels", 3, kAdmin, kCats, "", &F::sentinels},
        {"sentinel|debug", -2, kAdmin, kCats, "", &F::debug},
        {"sentinel|myid", 2, kAdmin, kCats, "", &F::myid},
        {"sentinel|slaves", 3, kAdmin, kCats, "", &F::replicas},
        {"sentinel|master", 3, kAdmin, kCats, "", &F::master},
        {"sentinel|ckquorum", 3, kAdmin, kCats, "", &F::ckquorum},
        {"sentinel|pending-scripts", 2, kAdmin, kCats, "", &F::pending_scripts},
        {"sentinel|replicas", 3, kAdmin, kCats, "", &F::replicas},
    };
    static constexpr std::string_view kOrder[] = {"is-master-down-by-addr",
                                                  "config",
                                                  "monitor",
                                                  "info-cache",
                                                  "reset",
                                                  "failover",
                                                  "masters",
                                                  "get-master-addr-by-name",
                                                  "help",
                                                  "sentinels",
                                                  "debug",
                                                  "myid",
                                                  "slaves",
                                                  "master",
                                                  "ckquorum",
                                                  "simulate-failure",
                                                  "pending-scripts",
                                                  "set",
                                                  "remove",
                                                  "flushconfig",
                                                  "replicas"};
    static const std::vector<CommandDef> kTable = [] {
        std::vector<CommandDef> rows(std::begin(kReading), std::end(kReading));
        const auto more = sentinel_config_subcommands();
        rows.insert(rows.end(), more.begin(), more.end());
        auto rank = [](const CommandDef& d) {
            const std::string_view sub = d.name.substr(d.name.find('|') + 1);
            return std::find(std::begin(kOrder), std::end(kOrder), sub) - std::begin(kOrder);
        };
        std::sort(rows.begin(), rows.end(),
                  [&rank](const CommandDef& a, const CommandDef& b) { return rank(a) < rank(b); });
        return rows;
    }();
    return kTable;
}

}  // namespace vigil::sentinel
