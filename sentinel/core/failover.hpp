#pragma once
// The failover state machine of redis-sentinel 7.0, first states: starting a failover when the
// master is ODOWN, and WAIT_START (waiting to be elected leader). Pure code over the model.
#include <vector>

#include "sentinel/core/election.hpp"
#include "sentinel/core/model.hpp"

namespace vigil::sentinel {

enum class StartResult {
    not_needed,  // not ODOWN, or a failover is already in progress
    delayed,     // a previous attempt (or a vote for another sentinel) was too recent
    started,
};

// sentinelStartFailoverIfNeeded: needs ODOWN, no failover in progress and 2 x failover-timeout
// since the last start. Starting takes a new epoch (+new-epoch, +try-failover) and enters
// WAIT_START; `jitter_ms` (0..999) is added to the start time as redis-sentinel does. When
// delayed, `retry_at` says when a new attempt may start (logged once by the caller).
StartResult start_failover_if_needed(SentinelState& self,
                                     Master& master,
                                     Ms now,
                                     Ms jitter_ms,
                                     std::vector<Event>& events,
                                     Ms* retry_at = nullptr);

// WAIT_START: become leader (or be forced) -> +elected-leader, +failover-state-select-slave and
// SELECT_SLAVE; no leader within min(election timeout, failover-timeout) ->
// -failover-abort-not-elected and back to NONE. `flush_config` is set when our own vote changed.
void failover_wait_start(SentinelState& self,
                         Master& master,
                         const Timers& t,
                         Ms now,
                         std::vector<Event>& events,
                         bool& flush_config);

// SELECT_SLAVE: the best replica (select_replica) is marked promoted (+selected-slave,
// +failover-state-send-slaveof-noone) and the state moves to SEND_SLAVEOF_NOONE; with none,
// -failover-abort-no-good-slave.
void failover_select_slave(Master& master, const Timers& t, Ms now, std::vector<Event>& events);

enum class PromotionStep {
    wait,                 // the promoted replica's link is down: wait for it
    send_slaveof_no_one,  // the caller sends the SLAVEOF NO ONE transaction now; WAIT_PROMOTION
    aborted,              // failover-timeout passed: -failover-abort-slave-timeout
};
// SEND_SLAVEOF_NOONE.
PromotionStep failover_send_slaveof_noone(Master& master, Ms now, std::vector<Event>& events);

// sentinelAbortFailover (possible until WAIT_PROMOTION): back to NONE; failover_start_time is
// kept, so the next attempt waits 2 x failover-timeout.
void abort_failover(Master& master);

}  // namespace vigil::sentinel
