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
