#include "sentinel/core/failover.hpp"

#include <algorithm>

#include "sentinel/core/detector.hpp"

namespace vigil::sentinel {

namespace {

void set_state(Master& master, FailoverState state, Ms now) {
    master.failover_state = state;
    master.failover_state_change_time = now;
}

const Instance* find_promoted(const Master& master) {
    auto it = master.replicas.find(master.promoted);
    return master.promoted.empty() || it == master.replicas.end() ? nullptr : &it->second;
}

bool in_flight(const Instance& replica) {
    return replica.reconf == ReconfState::sent || replica.reconf == ReconfState::inprog;
}

void mark_sent(Instance& replica, Ms now) {
    replica.reconf = ReconfState::sent;
    replica.reconf_sent_time = now;
}

// sentinelFailoverReconfNextSlave. Unlike redis-sentinel 7.0, a timed-out SENT is checked even
// when parallel_syncs replicas are in flight (7.0 never reaches the check then), and it frees its
// slot instead of being sent SLAVEOF again.
void send_next_reconfs(Master& master,
                       const Timers& t,
                       Ms now,
                       std::vector<Event>& events,
                       std::vector<std::string>& targets) {
    auto busy = std::count_if(master.replicas.begin(), master.replicas.end(),
                              [](const auto& kv) { return in_flight(kv.second); });
    for (auto& [key, replica] : master.replicas) {
        if (key == master.promoted || replica.reconf == ReconfState::done) {
            continue;
        }
        if (replica.reconf == ReconfState::sent &&
            now - replica.reconf_sent_time > t.slave_reconf_timeout) {
            // Counted as reconfigured: +fix-slave-config repairs it later if it is not.
            replica.reconf = ReconfState::done;
            events.push_back({"-slave-reconf-sent-timeout", describe(replica, &master)});
            --busy;
            continue;
        }
        if (replica.reconf != ReconfState::none || busy >= master.parallel_syncs ||
            !replica.link.connected) {
            continue;
        }
        mark_sent(replica, now);
        events.push_back({"+slave-reconf-sent", describe(replica, &master)});
        targets.push_back(key);
        ++busy;
    }
}

// After a forced end, a last SLAVEOF to every reachable replica not handled yet.
void send_best_effort_reconfs(Master& master,
                              Ms now,
                              std::vector<Event>& events,
                              std::vector<std::string>& targets) {
    for (auto& [key, replica] : master.replicas) {
        if (key == master.promoted || replica.reconf == ReconfState::done ||
            replica.reconf == ReconfState::sent || !replica.link.connected) {
            continue;
        }
        mark_sent(replica, now);
        events.push_back({"+slave-reconf-sent-be", describe(replica, &master)});
        targets.push_back(key);
    }
}

// sentinelFailoverDetectEnd: replicas that are SDOWN do not hold the end back.
void detect_end(Master& master,
                const Instance& promoted,
                Ms now,
                std::vector<Event>& events,
                std::vector<std::string>& targets) {
    if (promoted.sdown) {
        return;
    }
    const bool all_done =
        std::all_of(master.replicas.begin(), master.replicas.end(), [&](const auto& kv) {
            return kv.first == master.promoted || kv.second.reconf == ReconfState::done ||
                   kv.second.sdown;
        });
    const bool timed_out = now - master.failover_state_change_time > master.failover_timeout;
    if (timed_out) {
        events.push_back({"+failover-end-for-timeout", describe(master, nullptr)});
    } else if (!all_done) {
        return;
    }
    events.push_back({"+failover-end", describe(master, nullptr)});
    set_state(master, FailoverState::update_config, now);
    if (timed_out) {
        send_best_effort_reconfs(master, now, events, targets);
    }
}

}  // namespace

StartResult start_failover_if_needed(SentinelState& self,
                                     Master& master,
                                     Ms now,
                                     Ms jitter_ms,
                                     std::vector<Event>& events,
                                     Ms* retry_at) {
    if (!master.odown || master.failover_in_progress) {
        return StartResult::not_needed;
    }
    if (now - master.failover_start_time < 2 * master.failover_timeout) {
        if (retry_at != nullptr) {
            *retry_at = master.failover_start_time + 2 * master.failover_timeout;
        }
        return StartResult::delayed;
    }
    start_failover(self, master, now, jitter_ms, events);
    return StartResult::started;
}

void start_failover(
    SentinelState& self, Master& master, Ms now, Ms jitter_ms, std::vector<Event>& events) {
    set_state(master, FailoverState::wait_start, now);
    master.failover_in_progress = true;
    master.failover_delay_logged = false;
    master.failover_epoch = ++self.current_epoch;
    events.push_back({"+new-epoch", std::to_string(self.current_epoch)});
    events.push_back({"+try-failover", describe(master, nullptr)});
    master.failover_start_time = now + jitter_ms;
}

void failover_wait_start(SentinelState& self,
                         Master& master,
                         const Timers& t,
                         Ms now,
                         std::vector<Event>& events,
                         bool& flush_config) {
    if (master.failover_state != FailoverState::wait_start) {
        return;
    }
    const std::string leader =
        elect_leader(self, master, master.failover_epoch, now, events, flush_config);
    if (leader != self.myid && !master.force_failover) {
        const Ms election_timeout = std::min(t.election_timeout, master.failover_timeout);
        if (now - master.failover_start_time > election_timeout) {
            events.push_back({"-failover-abort-not-elected", describe(master, nullptr)});
            abort_failover(master);
        }
        return;
    }
    events.push_back({"+elected-leader", describe(master, nullptr)});
    events.push_back({"+failover-state-select-slave", describe(master, nullptr)});
    set_state(master, FailoverState::select_slave, now);
}

void failover_select_slave(Master& master, const Timers& t, Ms now, std::vector<Event>& events) {
    if (master.failover_state != FailoverState::select_slave) {
        return;
    }
    const Instance* chosen = select_replica(master, t, now);
    if (chosen == nullptr) {
        events.push_back({"-failover-abort-no-good-slave", describe(master, nullptr)});
        abort_failover(master);
        return;
    }
    master.promoted = chosen->name;
    events.push_back({"+selected-slave", describe(*chosen, &master)});
    events.push_back({"+failover-state-send-slaveof-noone", describe(*chosen, &master)});
    set_state(master, FailoverState::send_slaveof_noone, now);
}

PromotionStep failover_send_slaveof_noone(Master& master, Ms now, std::vector<Event>& events) {
    auto it = master.replicas.find(master.promoted);
    if (master.failover_state != FailoverState::send_slaveof_noone || it == master.replicas.end()) {
        return PromotionStep::wait;
    }
    if (!it->second.link.connected) {
        if (now - master.failover_state_change_time > master.failover_timeout) {
            events.push_back({"-failover-abort-slave-timeout", describe(master, nullptr)});
            abort_failover(master);
            return PromotionStep::aborted;
        }
        return PromotionStep::wait;
    }
    events.push_back({"+failover-state-wait-promotion", describe(it->second, &master)});
    set_state(master, FailoverState::wait_promotion, now);
    return PromotionStep::send_slaveof_no_one;
}

bool failover_wait_promotion(Master& master, Ms now, std::vector<Event>& events) {
    if (master.failover_state != FailoverState::wait_promotion ||
        now - master.failover_state_change_time <= master.failover_timeout) {
        return false;
    }
    events.push_back({"-failover-abort-slave-timeout", describe(master, nullptr)});
    abort_failover(master);
    return true;
}

bool on_promoted_replica_reports_master(Master& master,
                                        const std::string& replica_key,
                                        Ms now,
                                        std::vector<Event>& events) {
    const Instance* promoted = find_promoted(master);
    if (master.failover_state != FailoverState::wait_promotion || promoted == nullptr ||
        replica_key != master.promoted) {
        return false;
    }
    master.config_epoch = master.failover_epoch;
    set_state(master, FailoverState::reconf_slaves, now);
    events.push_back({"+promoted-slave", describe(*promoted, &master)});
    events.push_back({"+failover-state-reconf-slaves", describe(master, nullptr)});
    return true;
}

void on_replica_reconf_progress(Master& master, Instance& replica, std::vector<Event>& events) {
    const Instance* promoted = find_promoted(master);
    if (promoted == nullptr || !replica.reported_as_replica) {
        return;
    }
    if (replica.reconf == ReconfState::sent && replica.reported_master == promoted->addr) {
        replica.reconf = ReconfState::inprog;
        events.push_back({"+slave-reconf-inprog", describe(replica, &master)});
    }
    if (replica.reconf == ReconfState::inprog && replica.reported_master_link_up) {
        replica.reconf = ReconfState::done;
        events.push_back({"+slave-reconf-done", describe(replica, &master)});
    }
}

std::vector<std::string> failover_reconf_slaves(Master& master,
                                                const Timers& t,
                                                Ms now,
                                                std::vector<Event>& events) {
    std::vector<std::string> targets;
    const Instance* promoted = find_promoted(master);
    if (master.failover_state != FailoverState::reconf_slaves || promoted == nullptr) {
        return targets;
    }
    send_next_reconfs(master, t, now, events, targets);
    detect_end(master, *promoted, now, events, targets);
    return targets;
}

Address current_master_address(const Master& master) {
    const bool switching = master.failover_state == FailoverState::reconf_slaves ||
                           master.failover_state == FailoverState::update_config;
    const Instance* promoted = find_promoted(master);
    return switching && promoted != nullptr ? promoted->addr : master.addr;
}

bool failover_switch_to_promoted(Master& master, Ms now, std::vector<Event>& events) {
    if (master.failover_state != FailoverState::update_config) {
        return false;
    }
    const Instance* promoted = find_promoted(master);
    const Address from = master.addr;
    const Address to = promoted != nullptr ? promoted->addr : master.addr;
    events.push_back({"+switch-master", master.name + " " + from.host + " " +
                                            std::to_string(from.port) + " " + to.host + " " +
                                            std::to_string(to.port)});
    reset_master_and_change_address(master, to, now, events);
    return true;
}

void reset_master(Master& master, bool keep_sentinels, Ms now) {
    // Every Instance field goes back to a new instance's but the identity and the vote epoch.
    Instance fresh;
    fresh.kind = master.kind;
    fresh.name = master.name;
    fresh.addr = master.addr;
    fresh.leader_epoch = master.leader_epoch;
    static_cast<Instance&>(master) = fresh;
    on_instance_created(master, now);
    master.role_reported_time = now;
    master.replicas.clear();
    if (!keep_sentinels) {
        master.sentinels.clear();
    }
    master.rebooted = false;
    master.reboot_time = 0;
    master.odown = false;
    master.odown_since = 0;
    master.failover_start_time = 0;  // a new failover may start at once
    master.failover_delay_logged = false;
    abort_failover(master);  // no failover state, no promoted replica
}

void reset_master_and_change_address(Master& master,
                                     const Address& new_addr,
                                     Ms now,
                                     std::vector<Event>& events) {
    std::vector<Address> replicas;
    for (const auto& [key, replica] : master.replicas) {
        if (!(replica.addr == new_addr)) {
            replicas.push_back(replica.addr);
        }
    }
    // The old master becomes a replica, so it is watched and reconfigured when it returns.
    if (!(master.addr == new_addr)) {
        replicas.push_back(master.addr);
    }
    reset_master(master, true, now);
    master.addr = new_addr;
    for (const Address& addr : replicas) {
        const std::string name = addr.str();
        Instance replica;
        replica.kind = Kind::replica;
        replica.name = name;
        replica.addr = addr;
        on_instance_created(replica, now);
        auto [it, added] = master.replicas.emplace(name, std::move(replica));
        if (added) {
            events.push_back({"+slave", describe(it->second, &master)});
        }
    }
}

void abort_failover(Master& master) {
    master.promoted.clear();
    master.failover_in_progress = false;
    master.force_failover = false;
    master.failover_state = FailoverState::none;
    master.failover_state_change_time = 0;
}

}  // namespace vigil::sentinel
