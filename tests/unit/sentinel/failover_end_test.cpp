// The failover's second half, driven event by event with test-controlled time: the promotion seen
// in INFO, the reconfiguration of the other replicas, the end, the switch to the promoted
// replica, and the master resets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sentinel/core/detector.hpp"
#include "sentinel/core/failover.hpp"

namespace vigil::sentinel {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr Ms kT0 = 500'000;  // when the master entered WAIT_PROMOTION
const std::string kPromoted = "127.0.0.1:6380";

std::string key(int port) {
    return "127.0.0.1:" + std::to_string(port);
}

// "slave 127.0.0.1:<port> 127.0.0.1 <port> @ mymaster 127.0.0.1 <master_port>"
std::string slave(int port, int master_port = 6379) {
    return "slave " + key(port) + " 127.0.0.1 " + std::to_string(port) + " @ mymaster 127.0.0.1 " +
           std::to_string(master_port);
}

const std::string kMaster = "master mymaster 127.0.0.1 6379";

// "<type> <text>" of each event, and clears them.
std::vector<std::string> take(std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const Event& e : events) {
        out.push_back(e.type + " " + e.text);
    }
    events.clear();
    return out;
}

Instance replica_at(int port) {
    Instance r;
    r.kind = Kind::replica;
    r.name = key(port);
    r.addr = {"127.0.0.1", port};
    r.link.connected = true;
    r.reported_as_replica = true;
    r.reported_master = {"127.0.0.1", 6379};
    r.reported_master_link_up = true;
    return r;
}

// A master in WAIT_PROMOTION since kT0, 127.0.0.1:6380 being promoted, other replicas at
// `ports`, two peer sentinels.
Master promoting_master(std::initializer_list<int> ports, int parallel_syncs = 1) {
    Master m;
    m.kind = Kind::master;
    m.name = "mymaster";
    m.addr = {"127.0.0.1", 6379};
    m.quorum = 2;
    m.failover_timeout = 10'000;
    m.parallel_syncs = parallel_syncs;
    m.sdown = true;
    m.odown = true;
    m.config_epoch = 6;
    m.failover_epoch = 7;
    m.failover_in_progress = true;
    m.failover_start_time = kT0 - 300;
    m.failover_state = FailoverState::wait_promotion;
    m.failover_state_change_time = kT0;
    m.promoted = kPromoted;
    m.replicas[kPromoted] = replica_at(6380);
    for (int port : ports) {
        m.replicas[key(port)] = replica_at(port);
    }
    for (const char* id : {"peer0", "peer1"}) {
        Instance s;
        s.kind = Kind::sentinel;
        s.name = s.runid = id;
        m.sentinels[id] = s;
    }
    return m;
}

// The promoted replica reported role:master at `now`: RECONF_SLAVES from then on.
Master reconfiguring_master(std::initializer_list<int> ports, int parallel_syncs, Ms now) {
    Master m = promoting_master(ports, parallel_syncs);
    std::vector<Event> ev;
    EXPECT_TRUE(on_promoted_replica_reports_master(m, kPromoted, now, ev));
    return m;
}

// A replica's INFO now shows it following `master_port`, its link up or not.
void report(Master& m, int port, int master_port, bool link_up, std::vector<Event>& ev) {
    Instance& r = m.replicas[key(port)];
    r.reported_master = {"127.0.0.1", master_port};
    r.reported_master_link_up = link_up;
    on_replica_reconf_progress(m, r, ev);
}

int in_flight(const Master& m) {
    int n = 0;
    for (const auto& [k, r] : m.replicas) {
        n += r.reconf == ReconfState::sent || r.reconf == ReconfState::inprog ? 1 : 0;
    }
    return n;
}

// ---- WAIT_PROMOTION ----

TEST(SentinelFailoverEnd, WaitPromotionAbortsAfterTheFailoverTimeout) {
    Master m = promoting_master({6381});
    std::vector<Event> ev;
    EXPECT_FALSE(failover_wait_promotion(m, kT0 + 10'000, ev));
    EXPECT_EQ(m.failover_state, FailoverState::wait_promotion);
    EXPECT_THAT(ev, IsEmpty());
    EXPECT_TRUE(failover_wait_promotion(m, kT0 + 10'001, ev));
    EXPECT_THAT(take(ev), ElementsAre("-failover-abort-slave-timeout " + kMaster));
    EXPECT_EQ(m.failover_state, FailoverState::none);
    EXPECT_FALSE(m.failover_in_progress);
    EXPECT_EQ(m.promoted, "");
    EXPECT_EQ(m.failover_start_time, kT0 - 300) << "kept: the next attempt waits";
    EXPECT_FALSE(failover_wait_promotion(m, kT0 + 20'000, ev)) << "not in WAIT_PROMOTION";
    EXPECT_THAT(ev, IsEmpty());
}

TEST(SentinelFailoverEnd, ThePromotedReplicaReportingMasterStartsTheReconfiguration) {
    Master m = promoting_master({6381});
    std::vector<Event> ev;
    EXPECT_FALSE(on_promoted_replica_reports_master(m, key(6381), kT0 + 800, ev))
        << "not the promoted replica";
    EXPECT_EQ(m.failover_state, FailoverState::wait_promotion);
    EXPECT_EQ(m.config_epoch, 6U);
    EXPECT_THAT(ev, IsEmpty());

    EXPECT_TRUE(on_promoted_replica_reports_master(m, kPromoted, kT0 + 800, ev));
    EXPECT_EQ(m.failover_state, FailoverState::reconf_slaves);
    EXPECT_EQ(m.failover_state_change_time, kT0 + 800);
    EXPECT_EQ(m.config_epoch, 7U) << "the failover epoch";
    EXPECT_THAT(take(ev), ElementsAre("+promoted-slave " + slave(6380),
                                      "+failover-state-reconf-slaves " + kMaster));
    EXPECT_FALSE(on_promoted_replica_reports_master(m, kPromoted, kT0 + 900, ev))
        << "already in RECONF_SLAVES";
    EXPECT_EQ(m.failover_state_change_time, kT0 + 800);
    EXPECT_THAT(ev, IsEmpty());
}

TEST(SentinelFailoverEnd, APromotionReportIsIgnoredOutsideWaitPromotion) {
    Master m = promoting_master({6381});
    m.failover_state = FailoverState::send_slaveof_noone;
    std::vector<Event> ev;
    EXPECT_FALSE(on_promoted_replica_reports_master(m, kPromoted, kT0 + 800, ev));
    EXPECT_EQ(m.failover_state, FailoverState::send_slaveof_noone);
    EXPECT_EQ(m.config_epoch, 6U);
    EXPECT_THAT(ev, IsEmpty());
}

TEST(SentinelFailoverEnd, TheCurrentMasterAddressIsThePromotedOneFromReconfSlavesOn) {
    Master m = promoting_master({6381});
    const Address old_master{"127.0.0.1", 6379};
    const Address promoted{"127.0.0.1", 6380};
    EXPECT_EQ(current_master_address(m), old_master) << "WAIT_PROMOTION";
    m.failover_state = FailoverState::reconf_slaves;
    EXPECT_EQ(current_master_address(m), promoted);
    m.failover_state = FailoverState::update_config;
    EXPECT_EQ(current_master_address(m), promoted);
    m.failover_state = FailoverState::none;
    EXPECT_EQ(current_master_address(m), old_master);
}

// ---- RECONF_SLAVES ----

TEST(SentinelFailoverEnd, OneReplicaAtATimeWithParallelSyncsOne) {
    Ms now = kT0 + 1000;
    Master m = reconfiguring_master({6381, 6382}, 1, now);
    const Timers t;
    std::vector<Event> ev;
    now += 50;
    EXPECT_THAT(failover_reconf_slaves(m, t, now, ev), ElementsAre(key(6381)));
    EXPECT_THAT(take(ev), ElementsAre("+slave-reconf-sent " + slave(6381)));
    EXPECT_EQ(m.replicas[key(6381)].reconf, ReconfState::sent);
    EXPECT_EQ(m.replicas[key(6381)].reconf_sent_time, now);
    EXPECT_EQ(m.replicas[key(6380)].reconf, ReconfState::none) << "the promoted one is skipped";

    now += 100;
    EXPECT_THAT(failover_reconf_slaves(m, t, now, ev), IsEmpty()) << "one already in flight";
    EXPECT_THAT(ev, IsEmpty());

    report(m, 6381, 6380, false, ev);  // it follows the new master, link not up yet
    EXPECT_THAT(take(ev), ElementsAre("+slave-reconf-inprog " + slave(6381)));
    now += 100;
    EXPECT_THAT(failover_reconf_slaves(m, t, now, ev), IsEmpty()) << "INPROG is in flight too";
    EXPECT_EQ(in_flight(m), 1);

    report(m, 6381, 6380, true, ev);
    EXPECT_THAT(take(ev), ElementsAre("+slave-reconf-done " + slave(6381)));
    now += 100;
    EXPECT_THAT(failover_reconf_slaves(m, t, now, ev), ElementsAre(key(6382)));
    EXPECT_THAT(take(ev), ElementsAre("+slave-reconf-sent " + slave(6382)));
    EXPECT_EQ(m.failover_state, FailoverState::reconf_slaves);

    report(m, 6382, 6380, true, ev);
    EXPECT_THAT(take(ev), ElementsAre("+slave-reconf-inprog " + slave(6382),
                                      "+slave-reconf-done " + slave(6382)));
    now += 100;
    EXPECT_THAT(failover_reconf_slaves(m, t, now, ev), IsEmpty());
    EXPECT_THAT(take(ev), ElementsAre("+failover-end " + kMaster));
    EXPECT_EQ(m.failover_state, FailoverState::update_config);
    EXPECT_EQ(m.failover_state_change_time, now);
    EXPECT_THAT(failover_reconf_slaves(m, t, now + 100, ev), IsEmpty()) << "not RECONF_SLAVES";
    EXPECT_THAT(ev, IsEmpty());
}

TEST(SentinelFailoverEnd, NeverMoreThanParallelSyncsInFlight) {
    Ms now = kT0 + 1000;
    Master m = reconfiguring_master({6381, 6382, 6383, 6384}, 2, now);
    const Timers t;
    std::vector<Event> ev;
    EXPECT_THAT(failover_reconf_slaves(m, t, ++now, ev), ElementsAre(key(6381), key(6382)));
    EXPECT_THAT(take(ev), ElementsAre("+slave-reconf-sent " + slave(6381),
                                      "+slave-reconf-sent " + slave(6382)));
    EXPECT_EQ(in_flight(m), 2);
    EXPECT_THAT(failover_reconf_slaves(m, t, ++now, ev), IsEmpty());

    report(m, 6381, 6380, false, ev);
    EXPECT_THAT(failover_reconf_slaves(m, t, ++now, ev), IsEmpty()) << "6381 is INPROG";
    report(m, 6381, 6380, true, ev);
    ev.clear();
    EXPECT_THAT(failover_reconf_slaves(m, t, ++now, ev), ElementsAre(key(6383)));
    EXPECT_EQ(in_flight(m), 2);

    report(m, 6382, 6380, true, ev);
    report(m, 6383, 6380, true, ev);
    ev.clear();
    EXPECT_THAT(failover_reconf_slaves(m, t, ++now, ev), ElementsAre(key(6384)));
    EXPECT_THAT(take(ev), ElementsAre("+slave-reconf-sent " + slave(6384)));
    report(m, 6384, 6380, true, ev);
    ev.clear();
    EXPECT_THAT(failover_reconf_slaves(m, t, ++now, ev), IsEmpty());
    EXPECT_THAT(take(ev), ElementsAre("+failover-end " + kMaster));
}

TEST(SentinelFailoverEnd, DisconnectedReplicasAreNotSentTo) {
    Ms now = kT0 + 1000;
    Master m = reconfiguring_master({6381, 6382}, 1, now);
    m.replicas[key(6381)].link.connected = false;
    std::vector<Event> ev;
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, ++now, ev), ElementsAre(key(6382)));
    EXPECT_EQ(m.replicas[key(6381)].reconf, ReconfState::none);
    EXPECT_EQ(m.failover_state, FailoverState::reconf_slaves) << "6381 is not SDOWN: it counts";
}

TEST(SentinelFailoverEnd, ASentReplicaThatDoesNotMoveTimesOutAsDone) {
    Ms now = kT0 + 1000;
    Master m = reconfiguring_master({6381, 6382}, 1, now);
    m.failover_timeout = 60'000;
    const Timers t;
    std::vector<Event> ev;
    EXPECT_THAT(failover_reconf_slaves(m, t, now, ev), ElementsAre(key(6381)));
    ev.clear();
    EXPECT_THAT(failover_reconf_slaves(m, t, now + 10'000, ev), IsEmpty());
    EXPECT_THAT(ev, IsEmpty());
    // The timed-out replica frees its slot at once: the next one is sent in the same tick.
    EXPECT_THAT(failover_reconf_slaves(m, t, now + 10'001, ev), ElementsAre(key(6382)));
    EXPECT_THAT(take(ev), ElementsAre("-slave-reconf-sent-timeout " + slave(6381),
                                      "+slave-reconf-sent " + slave(6382)));
    EXPECT_EQ(m.replicas[key(6381)].reconf, ReconfState::done);
    EXPECT_EQ(in_flight(m), 1);
}

TEST(SentinelFailoverEnd, ReconfProgressNeedsThePromotedAddressThenTheLink) {
    Ms now = kT0 + 1000;
    Master m = reconfiguring_master({6381}, 1, now);
    std::vector<Event> ev;
    ASSERT_THAT(failover_reconf_slaves(m, Timers{}, now, ev), ElementsAre(key(6381)));
    ev.clear();
    report(m, 6381, 6379, true, ev);  // still the old master
    EXPECT_EQ(m.replicas[key(6381)].reconf, ReconfState::sent);
    m.replicas[key(6381)].reported_as_replica = false;
    report(m, 6381, 6380, true, ev);
    EXPECT_EQ(m.replicas[key(6381)].reconf, ReconfState::sent) << "it says it is a master";
    EXPECT_THAT(ev, IsEmpty());
    m.replicas[key(6381)].reported_as_replica = true;
    report(m, 6381, 6380, true, ev);
    EXPECT_THAT(take(ev), ElementsAre("+slave-reconf-inprog " + slave(6381),
                                      "+slave-reconf-done " + slave(6381)));
    EXPECT_EQ(m.replicas[key(6381)].reconf, ReconfState::done);
    report(m, 6381, 6380, true, ev);
    EXPECT_THAT(ev, IsEmpty()) << "DONE stays DONE";
}

TEST(SentinelFailoverEnd, ReplicasNotSentToAreNotMovedByTheirInfo) {
    Master m = reconfiguring_master({6381}, 1, kT0 + 1000);
    std::vector<Event> ev;
    report(m, 6381, 6380, true, ev);  // it moved by itself: no SLAVEOF was sent
    EXPECT_EQ(m.replicas[key(6381)].reconf, ReconfState::none);
    EXPECT_THAT(ev, IsEmpty());
}

TEST(SentinelFailoverEnd, SdownReplicasDoNotHoldTheEndBack) {
    Ms now = kT0 + 1000;
    Master m = reconfiguring_master({6381, 6382}, 1, now);
    m.replicas[key(6382)].sdown = true;
    m.replicas[key(6382)].link.connected = false;
    std::vector<Event> ev;
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, ++now, ev), ElementsAre(key(6381)));
    report(m, 6381, 6380, true, ev);
    ev.clear();
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, ++now, ev), IsEmpty());
    EXPECT_THAT(take(ev), ElementsAre("+failover-end " + kMaster));
    EXPECT_EQ(m.failover_state, FailoverState::update_config);
}

TEST(SentinelFailoverEnd, ThePromotedReplicaSdownBlocksTheEnd) {
    Ms now = kT0 + 1000;
    Master m = reconfiguring_master({}, 1, now);  // no other replica: done at once
    m.replicas[kPromoted].sdown = true;
    std::vector<Event> ev;
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, ++now, ev), IsEmpty());
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, now + 20'000, ev), IsEmpty())
        << "not even the timeout ends it";
    EXPECT_THAT(ev, IsEmpty());
    EXPECT_EQ(m.failover_state, FailoverState::reconf_slaves);
    m.replicas[kPromoted].sdown = false;
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, now + 20'001, ev), IsEmpty());
    EXPECT_THAT(take(ev),
                ElementsAre("+failover-end-for-timeout " + kMaster, "+failover-end " + kMaster));
}

TEST(SentinelFailoverEnd, TheFailoverTimeoutEndsItWithBestEffortSlaveofs) {
    const Ms start = kT0 + 1000;
    Master m = reconfiguring_master({6381, 6382, 6383, 6384}, 2, start);
    m.replicas[key(6382)].link.connected = false;
    m.replicas[key(6383)].link.connected = false;
    const Timers t;
    std::vector<Event> ev;
    EXPECT_THAT(failover_reconf_slaves(m, t, start + 5000, ev), ElementsAre(key(6381), key(6384)));
    report(m, 6384, 6380, false, ev);  // INPROG: its link to the new master never comes up
    m.replicas[key(6383)].link.connected = true;
    ev.clear();
    EXPECT_THAT(failover_reconf_slaves(m, t, start + 10'000, ev), IsEmpty());
    EXPECT_THAT(ev, IsEmpty());
    // 6381 SENT (5 s ago, no sent timeout yet) and 6384 INPROG fill both slots. At the timeout
    // every connected replica neither DONE nor SENT gets a last SLAVEOF, INPROG ones included.
    EXPECT_THAT(failover_reconf_slaves(m, t, start + 10'001, ev),
                ElementsAre(key(6383), key(6384)));
    EXPECT_THAT(take(ev),
                ElementsAre("+failover-end-for-timeout " + kMaster, "+failover-end " + kMaster,
                            "+slave-reconf-sent-be " + slave(6383),
                            "+slave-reconf-sent-be " + slave(6384)));
    EXPECT_EQ(m.failover_state, FailoverState::update_config);
    EXPECT_EQ(m.replicas[key(6382)].reconf, ReconfState::none) << "disconnected";
    EXPECT_EQ(m.replicas[key(6383)].reconf, ReconfState::sent);
}

// ---- UPDATE_CONFIG and resets ----

TEST(SentinelFailoverEnd, SwitchMasterMovesToThePromotedReplica) {
    Ms now = kT0 + 1000;
    Master m = reconfiguring_master({6381, 6382}, 2, now);
    m.auth_pass = "secret";
    m.client_reconfig_script = "/bin/reconf.sh";
    std::vector<Event> ev;
    EXPECT_FALSE(failover_switch_to_promoted(m, now, ev)) << "still RECONF_SLAVES";
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, ++now, ev), ElementsAre(key(6381), key(6382)));
    report(m, 6381, 6380, true, ev);
    report(m, 6382, 6380, true, ev);
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, ++now, ev), IsEmpty());
    ASSERT_EQ(m.failover_state, FailoverState::update_config);
    ev.clear();

    now += 5;
    EXPECT_TRUE(failover_switch_to_promoted(m, now, ev));
    EXPECT_THAT(take(ev), ElementsAre("+switch-master mymaster 127.0.0.1 6379 127.0.0.1 6380",
                                      "+slave " + slave(6381, 6380), "+slave " + slave(6382, 6380),
                                      "+slave " + slave(6379, 6380)));
    EXPECT_EQ(m.addr, (Address{"127.0.0.1", 6380}));
    std::vector<std::string> keys;
    for (const auto& [k, r] : m.replicas) {
        keys.push_back(k);
        EXPECT_EQ(r.kind, Kind::replica);
        EXPECT_EQ(r.name, k);
        EXPECT_EQ(r.reconf, ReconfState::none);
        EXPECT_EQ(r.link.act_ping_time, now) << "a fresh instance";
        EXPECT_FALSE(r.link.connected);
    }
    EXPECT_THAT(keys, ElementsAre(key(6379), key(6381), key(6382)));
    EXPECT_EQ(m.sentinels.size(), 2U) << "peer sentinels kept";
    EXPECT_EQ(m.config_epoch, 7U);
    EXPECT_EQ(m.failover_state, FailoverState::none);
    EXPECT_EQ(m.failover_start_time, 0) << "a new failover may start at once";
    EXPECT_FALSE(m.failover_in_progress);
    EXPECT_FALSE(m.sdown);
    EXPECT_FALSE(m.odown);
    EXPECT_EQ(m.promoted, "");
    EXPECT_EQ(m.auth_pass, "secret");
    EXPECT_EQ(m.client_reconfig_script, "/bin/reconf.sh");
    EXPECT_EQ(current_master_address(m), (Address{"127.0.0.1", 6380}));
    EXPECT_FALSE(failover_switch_to_promoted(m, now, ev)) << "done once";
}

TEST(SentinelFailoverEnd, ResetMasterKeepsTheConfigurationOnly) {
    const Ms now = 900'000;
    Master m = reconfiguring_master({6381}, 3, kT0 + 1000);
    m.down_after = 5000;
    m.master_reboot_down_after_period = 2000;
    m.rebooted = true;
    m.runid = "0123456789abcdef0123456789abcdef01234567";
    m.info_refresh = kT0;
    m.info_text = "# Server\r\n";
    m.reported_as_replica = true;
    m.sdown_since = kT0 - 5000;
    m.odown_since = kT0 - 4000;
    m.leader = "peer0";
    m.leader_epoch = 7;
    m.force_failover = true;
    m.link.connected = true;
    m.link.last_ping_time = kT0;
    m.auth_user = "sentinel";
    m.notification_script = "/bin/notify.sh";
    m.renamed_commands = {{"config", "xconfig"}};

    Master kept = m;
    reset_master(kept, true, now);
    EXPECT_EQ(kept.sentinels.size(), 2U);
    reset_master(m, false, now);
    EXPECT_THAT(m.sentinels, IsEmpty());
    for (const Master* r : {&m, &kept}) {
        EXPECT_THAT(r->replicas, IsEmpty());
        EXPECT_EQ(r->name, "mymaster");
        EXPECT_EQ(r->addr, (Address{"127.0.0.1", 6379}));
        EXPECT_EQ(r->kind, Kind::master);
        EXPECT_EQ(r->quorum, 2);
        EXPECT_EQ(r->down_after, 5000);
        EXPECT_EQ(r->failover_timeout, 10'000);
        EXPECT_EQ(r->parallel_syncs, 3);
        EXPECT_EQ(r->master_reboot_down_after_period, 2000);
        EXPECT_EQ(r->config_epoch, 7U);
        EXPECT_EQ(r->leader_epoch, 7U) << "still one vote per epoch";
        EXPECT_EQ(r->auth_user, "sentinel");
        EXPECT_EQ(r->notification_script, "/bin/notify.sh");
        EXPECT_EQ(r->renamed_commands.size(), 1U);
        EXPECT_FALSE(r->sdown);
        EXPECT_FALSE(r->odown);
        EXPECT_EQ(r->sdown_since, 0);
        EXPECT_EQ(r->odown_since, 0);
        EXPECT_FALSE(r->rebooted);
        EXPECT_EQ(r->leader, "");
        EXPECT_EQ(r->promoted, "");
        EXPECT_FALSE(r->failover_in_progress);
        EXPECT_FALSE(r->force_failover);
        EXPECT_EQ(r->failover_state, FailoverState::none);
        EXPECT_EQ(r->failover_start_time, 0);
        EXPECT_EQ(r->runid, "");
        EXPECT_EQ(r->info_refresh, 0);
        EXPECT_EQ(r->info_text, "");
        EXPECT_FALSE(r->reported_as_replica);
        EXPECT_EQ(r->role_reported_time, now);
        EXPECT_FALSE(r->link.connected) << "the caller drops the links";
        EXPECT_EQ(r->link.act_ping_time, now);
        EXPECT_EQ(r->link.last_ping_time, 0);
        EXPECT_EQ(r->link.last_avail_time, now);
        EXPECT_EQ(r->link.last_pong_time, now);
    }
}

TEST(SentinelFailoverEnd, ChangingToTheSameAddressAddsNoReplicaForTheOldMaster) {
    Master m = promoting_master({6381});
    std::vector<Event> ev;
    reset_master_and_change_address(m, {"127.0.0.1", 6379}, 600'000, ev);
    EXPECT_THAT(take(ev), ElementsAre("+slave " + slave(6380), "+slave " + slave(6381)));
    EXPECT_EQ(m.replicas.size(), 2U);
    EXPECT_EQ(m.config_epoch, 6U);
}

TEST(SentinelFailoverEnd, ChangingToAnUnknownAddressKeepsEveryReplica) {
    Master m = promoting_master({6381});
    std::vector<Event> ev;
    reset_master_and_change_address(m, {"10.0.0.9", 7000}, 600'000, ev);
    const std::string at = " @ mymaster 10.0.0.9 7000";
    EXPECT_THAT(take(ev), ElementsAre("+slave slave 127.0.0.1:6380 127.0.0.1 6380" + at,
                                      "+slave slave 127.0.0.1:6381 127.0.0.1 6381" + at,
                                      "+slave slave 127.0.0.1:6379 127.0.0.1 6379" + at));
    EXPECT_EQ(m.replicas.size(), 3U);
}

// The leader's events in docs/sentinel-reference-captures.md 4.1, from the promotion on.
TEST(SentinelFailoverEnd, FollowsTheReferenceCapture) {
    Master m;
    m.kind = Kind::master;
    m.name = "mymaster";
    m.addr = {"127.0.0.1", 36741};
    m.failover_timeout = 10'000;
    m.failover_epoch = 1;
    m.failover_in_progress = true;
    m.failover_state = FailoverState::wait_promotion;
    m.failover_state_change_time = 1362;
    m.promoted = "127.0.0.1:55137";
    for (int port : {55137, 57739}) {
        Instance r = replica_at(port);
        r.reported_master = {"127.0.0.1", 36741};
        m.replicas[r.name] = r;
    }
    std::vector<Event> ev;
    EXPECT_FALSE(failover_wait_promotion(m, 2153, ev));
    ASSERT_TRUE(on_promoted_replica_reports_master(m, "127.0.0.1:55137", 2153, ev));
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, 2206, ev), ElementsAre("127.0.0.1:57739"));
    Instance& r2 = m.replicas["127.0.0.1:57739"];
    r2.reported_master = {"127.0.0.1", 55137};
    on_replica_reconf_progress(m, r2, ev);
    EXPECT_THAT(failover_reconf_slaves(m, Timers{}, 3293, ev), IsEmpty());
    ASSERT_TRUE(failover_switch_to_promoted(m, 3293, ev));
    const std::string old_at = " @ mymaster 127.0.0.1 36741";
    const std::string new_at = " @ mymaster 127.0.0.1 55137";
    EXPECT_THAT(take(ev),
                ElementsAre("+promoted-slave slave 127.0.0.1:55137 127.0.0.1 55137" + old_at,
                            "+failover-state-reconf-slaves master mymaster 127.0.0.1 36741",
                            "+slave-reconf-sent slave 127.0.0.1:57739 127.0.0.1 57739" + old_at,
                            "+slave-reconf-inprog slave 127.0.0.1:57739 127.0.0.1 57739" + old_at,
                            "+slave-reconf-done slave 127.0.0.1:57739 127.0.0.1 57739" + old_at,
                            "+failover-end master mymaster 127.0.0.1 36741",
                            "+switch-master mymaster 127.0.0.1 36741 127.0.0.1 55137",
                            "+slave slave 127.0.0.1:57739 127.0.0.1 57739" + new_at,
                            "+slave slave 127.0.0.1:36741 127.0.0.1 36741" + new_at));
    EXPECT_EQ(m.config_epoch, 1U);
}

}  // namespace
}  // namespace vigil::sentinel
