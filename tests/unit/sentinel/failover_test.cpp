// The failover state machine's first states, driven step by step with test-controlled time.
#include "sentinel/core/failover.hpp"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

Master odown_master(int peers) {
    Master m;
    m.kind = Kind::master;
    m.name = "mymaster";
    m.addr = {"127.0.0.1", 6379};
    m.quorum = 2;
    m.failover_timeout = 10'000;
    m.sdown = true;
    m.odown = true;
    for (int i = 0; i < peers; ++i) {
        Instance s;
        s.kind = Kind::sentinel;
        s.runid = "peer" + std::to_string(i);
        s.name = s.runid;
        m.sentinels[s.runid] = s;
    }
    return m;
}

TEST(SentinelFailover, StartsOnlyWhenOdownAndNotTooSoon) {
    SentinelState self{"me", 4};
    Master m = odown_master(2);
    std::vector<Event> ev;
    m.odown = false;
    EXPECT_EQ(start_failover_if_needed(self, m, 100'000, 0, ev), StartResult::not_needed);
    m.odown = true;
    m.failover_start_time = 85'000;  // 15 s ago; 2 x failover-timeout is 20 s
    Ms retry_at = 0;
    EXPECT_EQ(start_failover_if_needed(self, m, 100'000, 0, ev, &retry_at), StartResult::delayed);
    EXPECT_EQ(retry_at, 105'000);
    EXPECT_TRUE(ev.empty());
    EXPECT_EQ(start_failover_if_needed(self, m, 105'000, 250, ev), StartResult::started);
    EXPECT_EQ(self.current_epoch, 5U);
    EXPECT_EQ(m.failover_epoch, 5U);
    EXPECT_EQ(m.failover_state, FailoverState::wait_start);
    EXPECT_TRUE(m.failover_in_progress);
    EXPECT_EQ(m.failover_start_time, 105'250);
    ASSERT_EQ(ev.size(), 2U);
    EXPECT_EQ(ev[0].type, "+new-epoch");
    EXPECT_EQ(ev[0].text, "5");
    EXPECT_EQ(ev[1].type, "+try-failover");
    EXPECT_EQ(ev[1].text, "master mymaster 127.0.0.1 6379");
    EXPECT_EQ(start_failover_if_needed(self, m, 200'000, 0, ev), StartResult::not_needed)
        << "already in progress";
}

TEST(SentinelFailover, TheElectedLeaderMovesToSelectSlave) {
    SentinelState self{"me", 0};
    Master m = odown_master(2);  // 3 sentinels: majority 2, quorum 2
    std::vector<Event> ev;
    ASSERT_EQ(start_failover_if_needed(self, m, 100'000, 0, ev), StartResult::started);
    ev.clear();
    bool flush = false;
    failover_wait_start(self, m, Timers{}, 100'100, ev, flush);
    EXPECT_EQ(m.failover_state, FailoverState::wait_start) << "only our own vote so far";
    m.sentinels["peer0"].leader = "me";
    m.sentinels["peer0"].leader_epoch = m.failover_epoch;
    ev.clear();
    failover_wait_start(self, m, Timers{}, 100'200, ev, flush);
    EXPECT_EQ(m.failover_state, FailoverState::select_slave);
    EXPECT_EQ(m.failover_state_change_time, 100'200);
    ASSERT_GE(ev.size(), 2U);
    EXPECT_EQ(ev[ev.size() - 2].type, "+elected-leader");
    EXPECT_EQ(ev.back().type, "+failover-state-select-slave");
}

TEST(SentinelFailover, NotElectedWithinTheElectionTimeoutAborts) {
    SentinelState self{"me", 0};
    Master m = odown_master(2);
    std::vector<Event> ev;
    ASSERT_EQ(start_failover_if_needed(self, m, 100'000, 0, ev), StartResult::started);
    // Both peers voted for peer1 in this epoch: we are not the leader.
    for (auto& [id, s] : m.sentinels) {
        s.leader = "peer1";
        s.leader_epoch = m.failover_epoch;
    }
    bool flush = false;
    ev.clear();
    // Our own vote goes to peer1 too, which (as in redis-sentinel) restarts our clock.
    failover_wait_start(self, m, Timers{}, 100'100, ev, flush);
    EXPECT_EQ(m.leader, "peer1");
    EXPECT_EQ(m.failover_start_time, 100'100);
    failover_wait_start(self, m, Timers{}, 110'100, ev, flush);
    EXPECT_EQ(m.failover_state, FailoverState::wait_start);
    failover_wait_start(self, m, Timers{}, 110'101, ev, flush);
    EXPECT_EQ(m.failover_state, FailoverState::none);
    EXPECT_FALSE(m.failover_in_progress);
    EXPECT_EQ(ev.back().type, "-failover-abort-not-elected");
    EXPECT_EQ(m.failover_start_time, 100'100) << "kept: the next attempt waits";
    EXPECT_EQ(start_failover_if_needed(self, m, 110'102, 0, ev), StartResult::delayed);
}

TEST(SentinelFailover, AForcedFailoverNeedsNoElection) {
    SentinelState self{"me", 0};
    Master m = odown_master(4);
    m.force_failover = true;
    std::vector<Event> ev;
    ASSERT_EQ(start_failover_if_needed(self, m, 100'000, 0, ev), StartResult::started);
    bool flush = false;
    failover_wait_start(self, m, Timers{}, 100'001, ev, flush);
    EXPECT_EQ(m.failover_state, FailoverState::select_slave);
}

}  // namespace
}  // namespace vigil::sentinel

namespace vigil::sentinel {
namespace {

Master selecting_master(Ms now) {
    Master m = odown_master(2);
    m.failover_in_progress = true;
    m.failover_state = FailoverState::select_slave;
    m.failover_state_change_time = now;
    m.sdown_since = now - 2000;
    return m;
}

Instance replica_at(int port, Ms now) {
    Instance r;
    r.kind = Kind::replica;
    r.name = "127.0.0.1:" + std::to_string(port);
    r.addr = {"127.0.0.1", port};
    r.link.connected = true;
    r.link.last_avail_time = now;
    r.info_refresh = now;
    return r;
}

TEST(SentinelFailover, SelectSlavePicksAndMarksTheBestReplica) {
    const Ms now = 200'000;
    Master m = selecting_master(now);
    Instance a = replica_at(6380, now);
    Instance b = replica_at(6381, now);
    b.repl_offset = 100;
    m.replicas[a.name] = a;
    m.replicas[b.name] = b;
    std::vector<Event> ev;
    failover_select_slave(m, Timers{}, now, ev);
    EXPECT_EQ(m.promoted, "127.0.0.1:6381");
    EXPECT_EQ(m.failover_state, FailoverState::send_slaveof_noone);
    ASSERT_EQ(ev.size(), 2U);
    EXPECT_EQ(ev[0].type, "+selected-slave");
    EXPECT_EQ(ev[0].text, "slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379");
    EXPECT_EQ(ev[1].type, "+failover-state-send-slaveof-noone");
}

TEST(SentinelFailover, NoGoodReplicaAborts) {
    const Ms now = 200'000;
    Master m = selecting_master(now);
    Instance a = replica_at(6380, now);
    a.replica_priority = 0;
    m.replicas[a.name] = a;
    std::vector<Event> ev;
    failover_select_slave(m, Timers{}, now, ev);
    EXPECT_EQ(m.failover_state, FailoverState::none);
    EXPECT_FALSE(m.failover_in_progress);
    ASSERT_EQ(ev.size(), 1U);
    EXPECT_EQ(ev[0].type, "-failover-abort-no-good-slave");
    EXPECT_EQ(ev[0].text, "master mymaster 127.0.0.1 6379");
}

TEST(SentinelFailover, PromotionWaitsForTheLinkThenTimesOut) {
    const Ms now = 200'000;
    Master m = selecting_master(now);
    m.replicas["127.0.0.1:6380"] = replica_at(6380, now);
    std::vector<Event> ev;
    failover_select_slave(m, Timers{}, now, ev);
    m.replicas["127.0.0.1:6380"].link.connected = false;
    ev.clear();
    EXPECT_EQ(failover_send_slaveof_noone(m, now + 10'000, ev), PromotionStep::wait);
    EXPECT_EQ(failover_send_slaveof_noone(m, now + 10'001, ev), PromotionStep::aborted);
    EXPECT_EQ(m.failover_state, FailoverState::none);
    EXPECT_EQ(m.promoted, "");
    EXPECT_EQ(ev.back().type, "-failover-abort-slave-timeout");
}

TEST(SentinelFailover, PromotionIsSentWhenTheLinkIsUp) {
    const Ms now = 200'000;
    Master m = selecting_master(now);
    m.replicas["127.0.0.1:6380"] = replica_at(6380, now);
    std::vector<Event> ev;
    failover_select_slave(m, Timers{}, now, ev);
    ev.clear();
    EXPECT_EQ(failover_send_slaveof_noone(m, now + 5, ev), PromotionStep::send_slaveof_no_one);
    EXPECT_EQ(m.failover_state, FailoverState::wait_promotion);
    EXPECT_EQ(m.failover_state_change_time, now + 5);
    ASSERT_EQ(ev.size(), 1U);
    EXPECT_EQ(ev[0].type, "+failover-state-wait-promotion");
    EXPECT_EQ(ev[0].text, "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379");
}

}  // namespace
}  // namespace vigil::sentinel
