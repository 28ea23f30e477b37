#include "sentinel/core/sentinel.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/config/config_lexer.hpp"
#include "common/pubsub/pubsub.hpp"
#include "sentinel/core/config.hpp"
#include "sentinel/core/detector.hpp"
#include "sentinel/core/election.hpp"
#include "sentinel/core/failover.hpp"
#include "sentinel/core/hello.hpp"
#include "sentinel/core/info.hpp"
#include "sentinel/core/steady.hpp"

namespace vigil::sentinel {

namespace {

constexpr int kMaxPendingCommands = 100;
constexpr std::string_view kHelloChannel = "__sentinel__:hello";
// While the master is SDOWN but not yet ODOWN, peers are asked this often (redis-sentinel waits a
// whole ask-period after a "not down" answer, which delays ODOWN by up to a second).
constexpr Ms kFastAskInterval = 100;
// Replicas being reconfigured after a promotion are polled this often, so that the end of the
// failover (and +switch-master) is seen soon after their link to the new master comes up.
constexpr Ms kReconfInfoInterval = 100;
// A command whose reply did not do what it was sent for (INFO answered with an error or not with
// text, so info_refresh stays 0; PUBLISH refused) is sent again at most this often, as
// redis-sentinel does once per tick. Without it, the reply's own tick sends it again at once:
// thousands of commands a second at a server that refuses them (an ACL without +info).
constexpr Ms kRetryInterval = 100;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// Text a peer sent, for a log line: at most 120 bytes, and quoted and escaped (sdscatrepr style)
// unless it is plain printable ASCII, so that it can neither break the line nor forge another.
std::string peer_text(std::string_view s) {
    s = s.substr(0, 120);
    const bool plain =
        std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
    return plain ? std::string(s) : common::config::quote_arg(s);
}

PingReply classify_ping_reply(const common::Reply& r) {
    if (r.is_status() && r.str == "PONG") {
        return PingReply::pong;
    }
    if (r.is_error()) {
        if (starts_with(r.str, "LOADING")) {
            return PingReply::loading;
        }
        if (starts_with(r.str, "MASTERDOWN")) {
            return PingReply::masterdown;
        }
        if (starts_with(r.str, "BUSY")) {
            return PingReply::busy;
        }
    }
    return PingReply::other;
}

}  // namespace

LogLevel event_level(std::string_view type) {
    static constexpr std::array<std::string_view, 4> kDebug = {
        "+script-child", "-script-child", "-cmd-link-reconnection", "-pubsub-link-reconnection"};
    static constexpr std::array<std::string_view, 2> kVerbose = {"+role-change", "-role-change"};
    static constexpr std::array<std::string_view, 24> kNotice = {
        "+slave",
        "+sentinel",
        "+sentinel-address-switch",
        "+sentinel-invalid-addr",
        "+sentinel-address-update",
        "+reboot",
        "+failover-state-send-slaveof-noone",
        "+failover-state-wait-promotion",
        "+slave-reconf-sent",
        "+slave-reconf-inprog",
        "+slave-reconf-done",
        "-slave-reconf-sent-timeout",
        "+slave-reconf-sent-be",
        "+convert-to-slave",
        "+fix-slave-config",
    };
    auto in = [type](const auto& list) {
        return std::find(list.begin(), list.end(), type) != list.end();
    };
    if (in(kDebug)) {
        return LogLevel::debug;
    }
    if (in(kVerbose)) {
        return LogLevel::verbose;
    }
    if (in(kNotice)) {
        return LogLevel::notice;
    }
    return LogLevel::warning;
}

SentinelCore::SentinelCore(std::uint64_t seed) : rng_(seed == 0 ? 0x9e3779b97f4a7c15ULL : seed) {}

Ms SentinelCore::jitter() {
    // xorshift64: deterministic for a given seed, so tests and simulations can replay a run.
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<Ms>(rng_ % 1000);
}

Ms SentinelCore::start_delay(const Master& master) {
    if (max_start_delay <= 0) {
        return 0;
    }
    Ms turn = 0;
    for (const auto& [runid, peer] : master.sentinels) {
        if (!peer.sdown && runid < globals.self.myid) {
            ++turn;
        }
    }
    return turn * max_start_delay + jitter() % std::max<Ms>(1, max_start_delay / 4);
}

// ---- lookups ----

Instance* SentinelCore::find(const InstanceId& id) {
    auto mit = masters.find(id.master);
    if (mit == masters.end()) {
        return nullptr;
    }
    Master& m = mit->second;
    switch (id.kind) {
        case Kind::master:
            return &m;
        case Kind::replica: {
            auto it = m.replicas.find(id.key);
            return it == m.replicas.end() ? nullptr : &it->second;
        }
        case Kind::sentinel: {
            auto it = m.sentinels.find(id.key);
            return it == m.sentinels.end() ? nullptr : &it->second;
        }
    }
    return nullptr;
}

Master* SentinelCore::find_master(std::string_view name) {
    auto it = masters.find(std::string(name));
    return it == masters.end() ? nullptr : &it->second;
}

Master* SentinelCore::master_by_address(std::string_view host, int addr_port) {
    for (auto& [name, m] : masters) {
        if (m.addr.host == host && m.addr.port == addr_port) {
            return &m;
        }
    }
    return nullptr;
}

std::string SentinelCore::command_name(const Master& master, std::string_view name) const {
    const std::string key = lower(name);
    for (const auto& [from, to] : master.renamed_commands) {
        if (lower(from) == key) {
            return to;
        }
    }
    return std::string(name);
}

Address SentinelCore::current_address(const Master& master) {
    return current_master_address(master);
}

std::vector<LinkTarget> SentinelCore::link_targets() const {
    std::vector<LinkTarget> out;
    for (const auto& [name, m] : masters) {
        if (m.addr.port != 0) {
            out.push_back({{name, Kind::master, ""}, m.addr, true});
        }
        for (const auto& [key, r] : m.replicas) {
            if (r.addr.port != 0) {
                out.push_back({{name, Kind::replica, key}, r.addr, true});
            }
        }
        for (const auto& [runid, s] : m.sentinels) {
            if (s.addr.port != 0) {
                out.push_back({{name, Kind::sentinel, runid}, s.addr, false});
            }
        }
    }
    return out;
}

// ---- events ----

void SentinelCore::emit(Actions& out, const Master* master, Event e) {
    if (master != nullptr && !master->notification_script.empty() &&
        event_level(e.type) == LogLevel::warning) {
        out.scripts.push_back({master->notification_script, {e.type, e.text}});
    }
    out.events.push_back(std::move(e));
}

void SentinelCore::emit_all(Actions& out, const Master* master, std::vector<Event>& events) {
    for (Event& e : events) {
        emit(out, master, std::move(e));
    }
    events.clear();
}

void SentinelCore::reconfig_script(
    const Master& master, const char* role, const Address& from, const Address& to, Actions& out) {
    if (master.client_reconfig_script.empty()) {
        return;
    }
    out.scripts.push_back({master.client_reconfig_script,
                           {master.name, role, "start", from.host, std::to_string(from.port),
                            to.host, std::to_string(to.port)}});
}

// ---- the timer ----

void SentinelCore::tick(Ms now, Actions& out) {
    std::vector<Event> ev;
    check_tilt(tilt, timers, now, ev);
    emit_all(out, nullptr, ev);
    for (auto& [name, m] : masters) {
        handle_instance(m, m, {name, Kind::master, ""}, now, out);
        for (auto& [key, r] : m.replicas) {
            handle_instance(m, r, {name, Kind::replica, key}, now, out);
        }
        for (auto& [runid, s] : m.sentinels) {
            handle_instance(m, s, {name, Kind::sentinel, runid}, now, out);
        }
    }
    for (auto& [name, m] : masters) {
        if (m.failover_state != FailoverState::update_config) {
            continue;
        }
        drop_links_of(m, false);
        if (failover_switch_to_promoted(m, now, ev)) {
            emit_all(out, &m, ev);
            out.flush_config = true;
            out.links_changed = true;
        }
    }
}

void SentinelCore::handle_instance(
    Master& master, Instance& inst, InstanceId id, Ms now, Actions& out) {
    send_periodic(master, inst, id, now, out);
    std::vector<Event> ev;
    if (tilt.active) {
        const bool still = tilt_active(tilt, timers, now, ev);
        emit_all(out, nullptr, ev);
        if (still) {
            return;
        }
    }
    check_sdown(inst, master, timers, now, ev);
    emit_all(out, &master, ev);
    if (inst.kind != Kind::master) {
        return;
    }
    check_odown(master, now, ev);
    emit_all(out, &master, ev);
    if (!master.odown) {
        master.failover_start_after = kNever;
    } else if (master.failover_start_after == kNever) {
        master.failover_start_after = now + start_delay(master);
    }
    if (master.odown && now < master.failover_start_after) {
        // Not yet: a peer that asks for our vote meanwhile gets it (and we then wait).
        failover_state_machine(master, now, out);
        ask_master_state(master, false, now, out);
        return;
    }
    Ms retry_at = 0;
    switch (start_failover_if_needed(globals.self, master, now, jitter(), ev, &retry_at)) {
        case StartResult::started:
            emit_all(out, &master, ev);
            ask_master_state(master, true, now, out);
            break;
        case StartResult::delayed:
            if (!master.failover_delay_logged) {
                master.failover_delay_logged = true;
                out.logs.emplace_back(LogLevel::warning,
                                      "Next failover delay: I will not start a failover before " +
                                          std::to_string(retry_at) + " (unix ms)");
            }
            break;
        case StartResult::not_needed:
            break;
    }
    failover_state_machine(master, now, out);
    ask_master_state(master, false, now, out);
}

void SentinelCore::send_periodic(
    Master& master, Instance& inst, const InstanceId& id, Ms now, Actions& out) {
    LinkState& link = inst.link;
    if (!link.connected || link.pending_commands >= kMaxPendingCommands) {
        return;
    }
    if (inst.kind != Kind::sentinel && !link.info_pending) {
        Ms period = timers.info_period;
        if (inst.kind == Kind::replica) {
            // Vigil also polls every second a replica of ours that reports role master (the old
            // master back after a failover): it is converted once it has done so for 4 hello
            // periods, which redis-sentinel only notices at the next 10 s INFO. Meanwhile it
            // still takes writes from clients that kept it, and loses them when it resyncs.
            if (master.odown || master.failover_in_progress || inst.master_link_down_time != 0 ||
                (inst.info_refresh != 0 && !inst.reported_as_replica)) {
                period = timers.ping_period;
            }
            if (inst.reconf == ReconfState::sent || inst.reconf == ReconfState::inprog) {
                period = std::min(period, kReconfInfoInterval);
            }
        }
        if ((inst.info_refresh == 0 || now - inst.info_refresh > period) &&
            now - link.last_info_time >= kRetryInterval) {
            out.commands.push_back({id, Purpose::info, {{command_name(master, "INFO")}}});
            link.info_pending = true;
            link.last_info_time = now;
            ++link.pending_commands;
        }
    }
    if (ping_due(inst, master.down_after, timers, now)) {
        out.commands.push_back({id, Purpose::ping, {{command_name(master, "PING")}}});
        on_ping_sent(inst, now);
        ++link.pending_commands;
    }
    // A hello counts as sent when it goes out; a refused one is retried (see reply()).
    if (now - inst.last_pub_time > timers.publish_period) {
        out.commands.push_back({id,
                                Purpose::hello,
                                {{command_name(master, "PUBLISH"), std::string(kHelloChannel),
                                  hello_payload(master, inst)}}});
        inst.last_pub_time = now;
        ++link.pending_commands;
    }
}

std::string SentinelCore::hello_payload(const Master& master, const Instance& via) const {
    Hello h;
    h.sentinel.host = globals.announce_ip.empty() ? via.link.local_ip : globals.announce_ip;
    h.sentinel.port = globals.announce_port != 0 ? globals.announce_port : port;
    h.runid = globals.self.myid;
    h.current_epoch = globals.self.current_epoch;
    h.master_name = master.name;
    h.master = current_address(master);
    h.master_config_epoch = master.config_epoch;
    return format_hello(h);
}

void SentinelCore::force_hello_update(Master& master) {
    master.last_pub_time = 0;
    for (auto& [key, r] : master.replicas) {
        r.last_pub_time = 0;
    }
    for (auto& [runid, s] : master.sentinels) {
        s.last_pub_time = 0;
    }
}

void SentinelCore::ask_master_state(Master& master, bool forced, Ms now, Actions& out) {
    expire_master_down_replies(master, timers, now);
    if (!master.sdown) {
        return;
    }
    const Ms interval =
        master.odown ? timers.ask_period : std::min(timers.ask_period, kFastAskInterval);
    const std::string runid =
        master.failover_state != FailoverState::none ? globals.self.myid : "*";
    for (auto& [key, peer] : master.sentinels) {
        if (!peer.link.connected || peer.link.pending_commands >= kMaxPendingCommands) {
            continue;
        }
        const Ms last = std::max(peer.master_down_reply_time, peer.master_down_ask_time);
        if (!forced && now - last < interval) {
            continue;
        }
        // One question at a time per peer unless forced (a vote request must go out now).
        if (!forced && peer.master_down_ask_time > peer.master_down_reply_time &&
            now - peer.master_down_ask_time < timers.ask_period) {
            continue;
        }
        out.commands.push_back({{master.name, Kind::sentinel, key},
                                Purpose::ask_master_down,
                                {{command_name(master, "SENTINEL"), "is-master-down-by-addr",
                                  master.addr.host, std::to_string(master.addr.port),
                                  std::to_string(globals.self.current_epoch), runid}}});
        ++peer.link.pending_commands;
        peer.master_down_ask_time = now;
    }
}

// ---- the failover ----

void SentinelCore::failover_state_machine(Master& master, Ms now, Actions& out) {
    if (!master.failover_in_progress) {
        return;
    }
    std::vector<Event> ev;
    // The states that need no answer from anyone run back to back in one tick.
    for (int step = 0; step < 4; ++step) {
        const FailoverState before = master.failover_state;
        switch (master.failover_state) {
            case FailoverState::wait_start: {
                bool flush = false;
                failover_wait_start(globals.self, master, timers, now, ev, flush);
                out.flush_config = out.flush_config || flush;
                emit_all(out, &master, ev);
                if (master.failover_state == FailoverState::select_slave &&
                    (simulate_failure & kCrashAfterElection) != 0) {
                    crash_requested = true;
                    return;
                }
                break;
            }
            case FailoverState::select_slave:
                failover_select_slave(master, timers, now, ev);
                emit_all(out, &master, ev);
                break;
            case FailoverState::send_slaveof_noone: {
                const PromotionStep s = failover_send_slaveof_noone(master, now, ev);
                emit_all(out, &master, ev);
                if (s == PromotionStep::send_slaveof_no_one) {
                    send_slaveof(master, {master.name, Kind::replica, master.promoted},
                                 std::nullopt, true, out);
                }
                break;
            }
            case FailoverState::wait_promotion:
                failover_wait_promotion(master, now, ev);
                emit_all(out, &master, ev);
                break;
            case FailoverState::reconf_slaves: {
                const Address to = current_address(master);
                for (const std::string& key : failover_reconf_slaves(master, timers, now, ev)) {
                    send_slaveof(master, {master.name, Kind::replica, key}, to, true, out);
                }
                emit_all(out, &master, ev);
                break;
            }
            case FailoverState::none:
            case FailoverState::update_config:
                break;
        }
        if (master.failover_state == before || !master.failover_in_progress) {
            break;
        }
    }
}

void SentinelCore::send_slaveof(Master& master,
                                const InstanceId& id,
                                const std::optional<Address>& to,
                                bool then_info,
                                Actions& out) {
    Instance* inst = find(id);
    if (inst == nullptr) {
        return;
    }
    std::vector<std::string> slaveof{command_name(master, "SLAVEOF")};
    if (to) {
        slaveof.push_back(to->host);
        slaveof.push_back(std::to_string(to->port));
    } else {
        slaveof.push_back("NO");
        slaveof.push_back("ONE");
    }
    const std::string client = command_name(master, "CLIENT");
    OutCommand cmd{id,
                   Purpose::reconfigure,
                   {{command_name(master, "MULTI")},
                    std::move(slaveof),
                    {command_name(master, "CONFIG"), "REWRITE"},
                    {client, "KILL", "TYPE", "normal"},
                    {client, "KILL", "TYPE", "pubsub"},
                    {command_name(master, "EXEC")}}};
    inst->link.pending_commands += static_cast<int>(cmd.commands.size());
    out.commands.push_back(std::move(cmd));
    if (then_info) {
        // See the result at once instead of at the next INFO period (even when an INFO is
        // already on its way: that one was sent before the transaction and shows the old role).
        out.commands.push_back({id, Purpose::info, {{command_name(master, "INFO")}}});
        inst->link.info_pending = true;
        ++inst->link.pending_commands;
    }
}

void SentinelCore::drop_links_of(const Master& master, bool sentinels_too) {
    // The reset replaces the instances: their links must start over (new link, AUTH, PING).
    links_to_drop.push_back({master.name, Kind::master, ""});
    for (const auto& [key, r] : master.replicas) {
        links_to_drop.push_back({master.name, Kind::replica, key});
    }
    if (sentinels_too) {
        for (const auto& [runid, s] : master.sentinels) {
            links_to_drop.push_back({master.name, Kind::sentinel, runid});
        }
    }
}

void SentinelCore::switch_master(Master& master, const Address& to, Ms now, Actions& out) {
    std::vector<Event> ev;
    drop_links_of(master, false);
    reset_master_and_change_address(master, to, now, ev);
    emit_all(out, &master, ev);
    out.flush_config = true;
    out.links_changed = true;
}

// ---- links and replies ----

void SentinelCore::link_up(const InstanceId& id,
                           const std::string& local_ip,
                           Ms now,
                           Actions& out) {
    Instance* inst = find(id);
    if (inst == nullptr) {
        return;
    }
    on_link_connected(*inst, now);
    inst->link.local_ip = local_ip;
    inst->link.pending_commands = 0;
    inst->link.info_pending = false;
    for (auto& cmd : link_handshake(id, false)) {
        out.commands.push_back({id, Purpose::setup, {std::move(cmd)}});
        ++inst->link.pending_commands;
    }
    const Master* master = find_master(id.master);
    out.commands.push_back({id, Purpose::ping, {{command_name(*master, "PING")}}});
    on_ping_sent(*inst, now);
    ++inst->link.pending_commands;
}

std::vector<std::vector<std::string>> SentinelCore::link_handshake(const InstanceId& id,
                                                                   bool pubsub) const {
    std::vector<std::vector<std::string>> cmds;
    auto mit = masters.find(id.master);
    if (mit == masters.end()) {
        return cmds;
    }
    const Master& m = mit->second;
    std::string user;
    std::string pass;
    if (id.kind == Kind::sentinel) {
        if (!globals.sentinel_pass.empty()) {
            user = globals.sentinel_user;
            pass = globals.sentinel_pass;
        } else {
            pass = requirepass;  // the old way: our own password, as AUTH <pass>
        }
    } else {
        user = m.auth_user;
        pass = m.auth_pass;
    }
    if (!pass.empty()) {
        if (user.empty()) {
            cmds.push_back({command_name(m, "AUTH"), pass});
        } else {
            cmds.push_back({command_name(m, "AUTH"), user, pass});
        }
    }
    cmds.push_back({command_name(m, "CLIENT"), "SETNAME",
                    "sentinel-" + globals.self.myid.substr(0, 8) + (pubsub ? "-pubsub" : "-cmd")});
    return cmds;
}

void SentinelCore::link_down(const InstanceId& id, Ms now) {
    Instance* inst = find(id);
    if (inst == nullptr) {
        return;
    }
    on_link_disconnected(*inst, now);
    inst->link.pending_commands = 0;
    inst->link.info_pending = false;
}

void SentinelCore::reply(
    const InstanceId& id, Purpose purpose, const common::Reply& r, Ms now, Actions& out) {
    Instance* inst = find(id);
    Master* master = find_master(id.master);
    if (inst == nullptr || master == nullptr) {
        return;  // the instance went away (reset, switch, remove) while the reply was on its way
    }
    if (inst->link.pending_commands > 0) {
        --inst->link.pending_commands;
    }
    switch (purpose) {
        case Purpose::ping: {
            const PingReply kind = classify_ping_reply(r);
            on_ping_reply(*inst, kind, now);
            if (kind == PingReply::pong && inst->kind == Kind::master) {
                master->rebooted = false;
            }
            if (kind == PingReply::busy && inst->sdown && !inst->script_kill_sent) {
                inst->script_kill_sent = true;
                out.commands.push_back(
                    {id, Purpose::script_kill, {{command_name(*master, "SCRIPT"), "KILL"}}});
                ++inst->link.pending_commands;
            }
            break;
        }
        case Purpose::info:
            inst->link.info_pending = false;
            if (r.is_string()) {
                on_info(*master, *inst, id, r.str, now, out);
            } else if (r.is_error()) {
                out.logs.emplace_back(LogLevel::verbose, "INFO refused by " + inst->addr.str() +
                                                             ": " + peer_text(r.str));
            } else {
                out.logs.emplace_back(LogLevel::verbose,
                                      "Ignoring a malformed INFO reply from " + inst->addr.str());
            }
            break;
        case Purpose::hello:
            if (r.is_error()) {
                // Not sent: try again after kRetryInterval, not at the tick this reply causes.
                inst->last_pub_time = now + kRetryInterval - timers.publish_period - 1;
            }
            break;
        case Purpose::ask_master_down:
            if (r.is_array() && r.elements.size() == 3 && r.elements[0].is_integer() &&
                r.elements[1].is_string() && r.elements[2].is_integer()) {
                on_master_down_reply(*inst, r.elements[0].integer == 1, r.elements[1].str,
                                     static_cast<std::uint64_t>(r.elements[2].integer), now);
            } else {
                out.logs.emplace_back(
                    LogLevel::warning,
                    "Ignoring a malformed is-master-down-by-addr reply from " + inst->addr.str());
            }
            break;
        case Purpose::setup:
            if (r.is_error()) {
                out.logs.emplace_back(LogLevel::warning, "Link setup of " + inst->addr.str() +
                                                             " failed: " + peer_text(r.str));
            }
            break;
        case Purpose::reconfigure:
        case Purpose::script_kill:
            break;
    }
}

void SentinelCore::on_info(Master& master,
                           Instance& inst,
                           const InstanceId& id,
                           const std::string& text,
                           Ms now,
                           Actions& out) {
    inst.info_text = text;
    InfoReport rep = parse_info(text);
    // A replica line with an address redis-sentinel would not create an instance for.
    std::erase_if(rep.replicas, [&](Address& a) {
        if (auto checked = checked_instance_address(globals, a.host, a.port)) {
            a = *checked;
            return false;
        }
        out.logs.emplace_back(LogLevel::verbose, "Ignoring replica " + peer_text(a.str()) +
                                                     " reported by " + inst.addr.str() +
                                                     ": not a valid address");
        return true;
    });
    const bool first = inst.info_refresh == 0;
    const bool was_replica = first ? inst.kind == Kind::replica : inst.reported_as_replica;
    std::vector<Event> ev;
    if (inst.kind == Kind::master) {
        if (apply_master_info(master, rep, now, ev)) {
            out.flush_config = true;
            out.links_changed = true;
        }
    } else {
        apply_replica_info(inst, master, rep, now, ev);
    }
    if (rep.has_role && rep.is_replica != was_replica) {
        const bool as_expected = rep.is_replica == (inst.kind == Kind::replica);
        ev.push_back({as_expected ? "+role-change" : "-role-change",
                      describe(inst, &master) + " new reported role is " +
                          (rep.is_replica ? "slave" : "master")});
    }
    emit_all(out, &master, ev);
    if (tilt.active || inst.kind != Kind::replica || !rep.has_role) {
        return;
    }
    if (!rep.is_replica) {
        if (master.failover_in_progress &&
            on_promoted_replica_reports_master(master, id.key, now, ev)) {
            out.flush_config = true;
            if ((simulate_failure & kCrashAfterPromotion) != 0) {
                // As 7.0: after +promoted-slave and the flush of the new config epoch.
                emit(out, &master, std::move(ev.front()));
                ev.clear();
                crash_requested = true;
                return;
            }
            emit_all(out, &master, ev);
            reconfig_script(master, "leader", master.addr, inst.addr, out);
            force_hello_update(master);
        } else if (should_convert_to_replica(inst, master, master.promoted == id.key, timers,
                                             now)) {
            emit(out, &master, {"+convert-to-slave", describe(inst, &master)});
            send_slaveof(master, id, current_address(master), false, out);
        }
    } else if (should_fix_replica_config(inst, master, timers, now)) {
        emit(out, &master, {"+fix-slave-config", describe(inst, &master)});
        send_slaveof(master, id, current_address(master), false, out);
    }
    if (inst.reconf == ReconfState::sent || inst.reconf == ReconfState::inprog) {
        on_replica_reconf_progress(master, inst, ev);
        emit_all(out, &master, ev);
    }
}

void SentinelCore::hello_received(std::string_view payload, Ms now, Actions& out) {
    std::optional<Hello> h = parse_hello(payload);
    if (!h) {
        out.logs.emplace_back(LogLevel::verbose,
                              "Ignoring a malformed hello message: " + peer_text(payload));
        return;
    }
    // Addresses redis-sentinel refuses (createSentinelAddr): the whole hello is ignored, so that
    // it neither adds a sentinel nor switches the master to somewhere a restart would refuse.
    const auto sentinel_addr =
        checked_instance_address(globals, h->sentinel.host, h->sentinel.port);
    const auto master_addr = checked_instance_address(globals, h->master.host, h->master.port);
    if (!sentinel_addr || !master_addr) {
        out.logs.emplace_back(
            LogLevel::verbose,
            "Ignoring a hello message with an invalid address: " + peer_text(payload));
        return;
    }
    h->sentinel = *sentinel_addr;
    h->master = *master_addr;
    std::vector<Event> ev;
    const HelloOutcome o = process_hello(globals.self, masters, *h, now, ev);
    Master* master = find_master(h->master_name);
    emit_all(out, master, ev);
    out.flush_config = out.flush_config || o.flush_config;
    if (o.new_sentinel) {
        out.links_changed = true;
    }
    if (o.switch_master && master != nullptr) {
        switch_master(*master, o.new_master, now, out);
        reconfig_script(*master, "observer", o.old_master, o.new_master, out);
    }
}

// ---- client commands ----

SentinelCore::MasterDownAnswer SentinelCore::is_master_down_by_addr(std::string_view host,
                                                                    int addr_port,
                                                                    std::uint64_t req_epoch,
                                                                    const std::string& runid,
                                                                    Ms now,
                                                                    Actions& out) {
    MasterDownAnswer a;
    Master* m = master_by_address(host, addr_port);
    if (m == nullptr) {
        return a;
    }
    a.down = !tilt.active && m->sdown;
    if (runid != "*") {
        std::vector<Event> ev;
        const VoteOutcome v = vote_leader(globals.self, *m, req_epoch, runid, now, jitter(), ev);
        emit_all(out, m, ev);
        out.flush_config = out.flush_config || v.flush_config;
        a.leader = v.leader.empty() ? "*" : v.leader;
        a.leader_epoch = v.leader_epoch;
    }
    return a;
}

Master& SentinelCore::monitor(
    const std::string& name, const Address& addr, int quorum, Ms now, Actions& out) {
    Master m;
    m.kind = Kind::master;
    m.name = name;
    m.addr = addr;
    m.quorum = quorum;
    m.down_after = timers.default_down_after;
    m.failover_timeout = timers.default_failover_timeout;
    on_instance_created(m, now);
    Master& stored = masters[name] = std::move(m);
    emit(out, &stored,
         {"+monitor", describe(stored, nullptr) + " quorum " + std::to_string(quorum)});
    out.flush_config = true;
    out.links_changed = true;
    return stored;
}

void SentinelCore::remove(const std::string& name, Actions& out) {
    auto it = masters.find(name);
    if (it == masters.end()) {
        return;
    }
    emit(out, &it->second, {"-monitor", describe(it->second, nullptr)});
    masters.erase(it);
    out.flush_config = true;
    out.links_changed = true;
}

int SentinelCore::reset(std::string_view pattern, Ms now, Actions& out) {
    int n = 0;
    for (auto& [name, m] : masters) {
        if (!common::glob_match(pattern, name)) {
            continue;
        }
        drop_links_of(m, true);
        reset_master(m, false, now);
        emit(out, &m, {"+reset-master", describe(m, nullptr)});
        ++n;
    }
    if (n > 0) {
        out.links_changed = true;
    }
    return n;
}

std::string SentinelCore::force_failover(const std::string& name, Ms now, Actions& out) {
    Master* m = find_master(name);
    if (m == nullptr) {
        return "ERR No such master with that name";
    }
    if (m->failover_in_progress) {
        return "INPROG Failover already in progress";
    }
    if (select_replica(*m, timers, now) == nullptr) {
        return "NOGOODSLAVE No suitable replica to promote";
    }
    out.logs.emplace_back(LogLevel::warning, "Executing user requested FAILOVER of '" + name + "'");
    std::vector<Event> ev;
    start_failover(globals.self, *m, now, jitter(), ev);
    m->force_failover = true;
    emit_all(out, m, ev);
    return "";
}

SentinelCore::QuorumCheck SentinelCore::check_quorum(const Master& master) const {
    QuorumCheck q;
    q.usable = 1;
    for (const auto& [runid, s] : master.sentinels) {
        if (!s.sdown) {
            ++q.usable;
        }
    }
    const int voters = static_cast<int>(master.sentinels.size()) + 1;
    q.quorum_ok = q.usable >= master.quorum;
    q.majority_ok = q.usable >= voters / 2 + 1;
    return q;
}

}  // namespace vigil::sentinel
