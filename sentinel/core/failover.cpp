#include "sentinel/core/failover.hpp"

#include <algorithm>

#include "sentinel/core/detector.hpp"

namespace vigil::sentinel {

namespace {

void set_state(Master& master, FailoverState state, Ms now) {
    master.failover_state = state;
    master.failover_state_change_time = now;
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
    set_state(master, FailoverState::wait_start, now);
    master.failover_in_progress = true;
    master.failover_delay_logged = false;
    master.failover_epoch = ++self.current_epoch;
    events.push_back({"+new-epoch", std::to_string(self.current_epoch)});
    events.push_back({"+try-failover", describe(master, nullptr)});
    master.failover_start_time = now + jitter_ms;
    return StartResult::started;
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

void abort_failover(Master& master) {
    master.promoted.clear();
    master.failover_in_progress = false;
    master.force_failover = false;
    master.failover_state = FailoverState::none;
    master.failover_state_change_time = 0;
}

}  // namespace vigil::sentinel
