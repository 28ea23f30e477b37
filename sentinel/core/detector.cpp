#include "sentinel/core/detector.hpp"

#include <algorithm>

namespace vigil::sentinel {

std::string describe(const Instance& inst, const Master* master) {
    const char* type = inst.kind == Kind::master    ? "master"
                       : inst.kind == Kind::replica ? "slave"
                                                    : "sentinel";
    std::string s = std::string(type) + " " + inst.name + " " + inst.addr.host + " " +
                    std::to_string(inst.addr.port);
    if (inst.kind != Kind::master && master != nullptr) {
        s += " @ " + master->name + " " + master->addr.host + " " +
             std::to_string(master->addr.port);
    }
    return s;
}

// ---- the command link ----

void on_instance_created(Instance& inst, Ms now) {
    inst.role_reported_time = now;
    inst.link.act_ping_time = now;
    inst.link.last_avail_time = now;
    inst.link.last_pong_time = now;
}

void on_link_connected(Instance& inst, Ms now) {
    inst.link.connected = true;
    inst.link.connected_since = now;
    // A PING still pending keeps its time, as redis-sentinel's act_ping_time does: reconnecting
    // to a hung server (its kernel still accepts) must not restart the down-after clock.
    if (inst.link.act_ping_time == kNever) {
        inst.link.act_ping_time = now;
    }
}

void on_link_disconnected(Instance& inst, Ms now) {
    inst.link.connected = false;
    // redis-sentinel reconnects at once and queues a PING on the new context before the connect
    // completes, so a lost link starts the down-after clock when it is lost, not at the last
    // +PONG (up to a ping period earlier). A PING still pending keeps counting.
    if (inst.link.act_ping_time == kNever) {
        inst.link.act_ping_time = now;
    }
}

void on_ping_sent(Instance& inst, Ms now) {
    inst.link.last_ping_time = now;
    if (inst.link.act_ping_time == kNever) {
        inst.link.act_ping_time = now;
    }
}

void on_ping_reply(Instance& inst, PingReply reply, Ms now) {
    inst.link.last_pong_time = now;
    if (reply == PingReply::pong || reply == PingReply::loading || reply == PingReply::masterdown) {
        inst.link.last_avail_time = now;
        inst.link.act_ping_time = kNever;
    }
}

bool ping_due(const Instance& inst, Ms down_after, const Timers& t, Ms now) {
    if (!inst.link.connected) {
        return false;
    }
    const Ms period = std::min(down_after, t.ping_period);
    return now - inst.link.last_pong_time > period && now - inst.link.last_ping_time > period / 2;
}

// ---- INFO ----

bool on_runid_reported(Master& master, const std::string& runid, Ms now) {
    if (runid == master.runid) {
        return false;
    }
    const bool changed = !master.runid.empty();
    master.runid = runid;
    if (changed && master.master_reboot_down_after_period > 0) {
        master.rebooted = true;
        master.reboot_time = now;
    }
    return changed;
}

void on_role_reported(Instance& inst, bool is_replica, Ms now) {
    if (inst.info_refresh == 0 || inst.reported_as_replica != is_replica) {
        inst.role_reported_time = now;
    }
    inst.reported_as_replica = is_replica;
    inst.info_refresh = now;
}

// ---- SDOWN ----

void check_sdown(
    Instance& inst, const Master& master, const Timers& t, Ms now, std::vector<Event>& events) {
    Ms elapsed = 0;
    if (inst.link.act_ping_time != kNever) {
        elapsed = now - inst.link.act_ping_time;
    } else if (!inst.link.connected) {
        elapsed = now - inst.link.last_avail_time;
    }
    const Ms down_after = master.down_after;
    bool down = elapsed > down_after;
    if (inst.kind == Kind::master) {
        // Our master says it is a replica, for longer than a couple of INFO periods.
        down = down || (inst.reported_as_replica &&
                        now - inst.role_reported_time > down_after + 2 * t.info_period);
        // Rebooted and still not answering +PONG after master-reboot-down-after-period.
        down = down || (master.rebooted && master.master_reboot_down_after_period > 0 &&
                        now - master.reboot_time > master.master_reboot_down_after_period);
    }
    const Master* owner = inst.kind == Kind::master ? nullptr : &master;
    if (down && !inst.sdown) {
        inst.sdown = true;
        inst.sdown_since = now;
        events.push_back({"+sdown", describe(inst, owner)});
    } else if (!down && inst.sdown) {
        inst.sdown = false;
        inst.script_kill_sent = false;
        events.push_back({"-sdown", describe(inst, owner)});
    }
}

// ---- ODOWN ----

void on_master_down_reply(
    Instance& peer, bool down, const std::string& leader, std::uint64_t leader_epoch, Ms now) {
    peer.says_master_down = down;
    peer.master_down_reply_time = now;
    if (leader != "*") {
        peer.leader = leader;
        peer.leader_epoch = leader_epoch;
    }
}

void expire_master_down_replies(Master& master, const Timers& t, Ms now) {
    for (auto& [runid, peer] : master.sentinels) {
        if (peer.says_master_down && now - peer.master_down_reply_time > 5 * t.ask_period) {
            peer.says_master_down = false;
            peer.leader.clear();
        }
    }
}

int down_votes(const Master& master) {
    if (!master.sdown) {
        return 0;
    }
    int votes = 1;
    for (const auto& [runid, peer] : master.sentinels) {
        if (peer.says_master_down) {
            ++votes;
        }
    }
    return votes;
}

void check_odown(Master& master, Ms now, std::vector<Event>& events) {
    const int votes = down_votes(master);
    const bool odown = master.sdown && votes >= master.quorum;
    if (odown && !master.odown) {
        master.odown = true;
        master.odown_since = now;
        events.push_back({"+odown", describe(master, nullptr) + " #quorum " +
                                        std::to_string(votes) + "/" +
                                        std::to_string(master.quorum)});
    } else if (!odown && master.odown) {
        master.odown = false;
        events.push_back({"-odown", describe(master, nullptr)});
    }
}

}  // namespace vigil::sentinel
