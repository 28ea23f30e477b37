#pragma once
// The failover state machine of redis-sentinel 7.0 (sentinelFailoverStateMachine): starting a
// failover when the master is ODOWN, WAIT_START (the election), SELECT_SLAVE, SEND_SLAVEOF_NOONE,
// WAIT_PROMOTION, RECONF_SLAVES and UPDATE_CONFIG (the switch to the promoted replica), plus the
// master resets. Pure code over the model: the caller passes the time, sends the commands whose
// targets are returned, and publishes the events.
#include <string>
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

// sentinelStartFailover: a new epoch (+new-epoch, +try-failover), WAIT_START, and the start time
// plus `jitter_ms`. SENTINEL FAILOVER calls it directly (and sets force_failover).
void start_failover(
    SentinelState& self, Master& master, Ms now, Ms jitter_ms, std::vector<Event>& events);

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

// WAIT_PROMOTION: only the timeout: failover_timeout since the state change ->
// -failover-abort-slave-timeout (master details) and abort_failover. Returns true when aborted.
bool failover_wait_promotion(Master& master, Ms now, std::vector<Event>& events);

// The promoted replica's INFO reports role:master while the master is in WAIT_PROMOTION:
// master.config_epoch = failover_epoch, state RECONF_SLAVES (state change time = now),
// events +promoted-slave (replica details) and +failover-state-reconf-slaves (master details).
// Returns false (and does nothing) when the state is not WAIT_PROMOTION or `replica_key` is not
// master.promoted. The caller flushes the config, runs client-reconfig-script and forces hellos.
// From here on the failover cannot be aborted.
bool on_promoted_replica_reports_master(Master& master,
                                        const std::string& replica_key,
                                        Ms now,
                                        std::vector<Event>& events);

// Reconfiguration progress seen in a replica's INFO while the master is in RECONF_SLAVES
// (sentinelRefreshInstanceInfo's last part): SENT -> INPROG once the replica reports
// master_host:master_port equal to the promoted replica's address (+slave-reconf-inprog), INPROG
// -> DONE once its master_link_status is up (+slave-reconf-done). Both can happen in one call.
// Call it after apply_replica_info, and not in TILT.
void on_replica_reconf_progress(Master& master, Instance& replica, std::vector<Event>& events);

// RECONF_SLAVES, one tick (sentinelFailoverReconfNextSlave + sentinelFailoverDetectEnd):
// returns the keys of replicas the caller must send "SLAVEOF <promoted ip> <promoted port>" to
// now (they are already marked SENT with reconf_sent_time = now and +slave-reconf-sent emitted),
// keeping at most parallel_syncs in SENT|INPROG; a SENT older than slave_reconf_timeout becomes
// DONE with -slave-reconf-sent-timeout; only connected (link.connected), non-promoted, non-DONE
// replicas are sent to. Detect end: needs the promoted replica not SDOWN; ends when every
// non-SDOWN replica (other than the promoted) is DONE, or when failover_timeout has passed since
// the state change (+failover-end-for-timeout); then +failover-end (master details) and state
// UPDATE_CONFIG; after a timeout, a best-effort SLAVEOF to every connected replica not DONE and
// not SENT follows, each with +slave-reconf-sent-be, included in the returned keys (the order of
// redis-sentinel 7.0: +failover-end comes before the +slave-reconf-sent-be events). The promoted
// address to send is current_master_address(master), which still holds in UPDATE_CONFIG.
std::vector<std::string> failover_reconf_slaves(Master& master,
                                                const Timers& t,
                                                Ms now,
                                                std::vector<Event>& events);

// The promoted replica's address during RECONF_SLAVES/UPDATE_CONFIG, else the master's address
// (sentinelGetCurrentMasterAddress): what GET-MASTER-ADDR-BY-NAME and hellos announce.
Address current_master_address(const Master& master);

// UPDATE_CONFIG: +switch-master "<name> <old-ip> <old-port> <new-ip> <new-port>" then
// reset_master_and_change_address to the promoted replica's address. Returns false when the
// state is not UPDATE_CONFIG. The caller flushes the config.
bool failover_switch_to_promoted(Master& master, Ms now, std::vector<Event>& events);

// sentinelAbortFailover (possible until WAIT_PROMOTION): back to NONE; failover_start_time is
// kept, so the next attempt waits 2 x failover-timeout.
void abort_failover(Master& master);

// sentinelResetMaster: drops replicas (and the peer sentinels unless keep_sentinels), clears
// sdown/odown/flags/leader/promoted/failover state (NONE, failover_start_time = 0, so a new
// failover may start at once), runid, info fields and link timers as a new instance
// (on_instance_created(master, now)); keeps name, addr, quorum and every configured option,
// config_epoch, failover_epoch, leader_epoch (one vote per epoch still holds), and
// auth/scripts/renames. The link is marked disconnected: the caller closes the master's links
// (redis-sentinel drops them) and publishes +reset-master when a command asked for the reset.
void reset_master(Master& master, bool keep_sentinels, Ms now);

// sentinelResetMasterAndChangeAddress: the new replica list is the old replicas minus the one at
// `new_addr`, plus the old master address (unless equal to new_addr); reset_master(keep
// sentinels); master.addr = new_addr; a fresh Instance (kind replica, name "ip:port",
// on_instance_created) per replica and a +slave event each (replica details, reported against
// the master's new address; the old replicas first, the old master last). Keeps config_epoch.
// The caller flushes the config.
void reset_master_and_change_address(Master& master,
                                     const Address& new_addr,
                                     Ms now,
                                     std::vector<Event>& events);

}  // namespace vigil::sentinel
