#pragma once
// Failure detection as redis-sentinel 7.0 does it: the PING bookkeeping of each link, subjective
// down (SDOWN) for every instance, and objective down (ODOWN) for masters from the answers of the
// peer sentinels. Pure functions over the model: the caller passes the current time, gets events.
#include <string>
#include <vector>

#include "sentinel/core/model.hpp"

namespace vigil::sentinel {

// ---- the command link ----
// A new instance starts as if it had just answered and had a PING pending (as redis-sentinel
// creates instances): it goes SDOWN after down-after-milliseconds unless it answers.
void on_instance_created(Instance& inst, Ms now);
// A new link, and a lost one, count as a PING without reply unless one is already pending (whose
// time is kept): an instance that stops answering goes down down-after-milliseconds after the
// link was lost or the oldest PING was sent, whatever the reconnections in between.
void on_link_connected(Instance& inst, Ms now);
void on_link_disconnected(Instance& inst, Ms now);
void on_ping_sent(Instance& inst, Ms now);

enum class PingReply {
    pong,        // +PONG
    loading,     // -LOADING: alive, still loading its dataset
    masterdown,  // -MASTERDOWN: alive, a replica without its master
    busy,        // -BUSY: a script is running
    other,       // any other reply
};
void on_ping_reply(Instance& inst, PingReply reply, Ms now);

// Whether the periodic PING is due: the last reply is older than min(down_after, ping period) and
// the last PING older than half of that.
bool ping_due(const Instance& inst, Ms down_after, const Timers& t, Ms now);

// ---- INFO ----
// A changed run_id of a master: with master-reboot-down-after-period set, it is marked rebooted
// until a +PONG. Returns true when the run_id changed (a +reboot event is due).
bool on_runid_reported(Master& master, const std::string& runid, Ms now);
// The role the instance reports; records when it changed.
void on_role_reported(Instance& inst, bool is_replica, Ms now);

// ---- SDOWN ----
// Updates inst.sdown and appends +sdown / -sdown. `master` is the instance's master (or the
// instance itself when it is a master).
void check_sdown(
    Instance& inst, const Master& master, const Timers& t, Ms now, std::vector<Event>& events);

// ---- ODOWN ----
// A peer's reply to SENTINEL IS-MASTER-DOWN-BY-ADDR: [down 0|1, leader runid or "*", epoch].
void on_master_down_reply(
    Instance& peer, bool down, const std::string& leader, std::uint64_t leader_epoch, Ms now);
// Replies older than 5 ask periods no longer count.
void expire_master_down_replies(Master& master, const Timers& t, Ms now);
// ODOWN iff SDOWN here and 1 + (peers saying down) >= quorum. Appends +odown / -odown.
void check_odown(Master& master, Ms now, std::vector<Event>& events);
// How many known sentinels (ourselves included) consider the master down.
int down_votes(const Master& master);

}  // namespace vigil::sentinel
