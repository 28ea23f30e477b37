// Votes, leader counting and replica selection of the sentinel core, step by step.
#include "sentinel/core/election.hpp"

#include <gtest/gtest.h>

#include "sentinel/core/detector.hpp"

namespace vigil::sentinel {
namespace {

Master make_master(int quorum, int peers) {
    Master m;
    m.kind = Kind::master;
    m.name = "mymaster";
    m.addr = {"127.0.0.1", 6379};
    m.quorum = quorum;
    m.down_after = 1000;
    m.failover_timeout = 10000;
    for (int i = 0; i < peers; ++i) {
        Instance s;
        s.kind = Kind::sentinel;
        s.runid = "peer" + std::to_string(i);
        s.name = s.runid;
        s.addr = {"127.0.0.1", 26380 + i};
        m.sentinels[s.runid] = s;
    }
    return m;
}

TEST(SentinelVote, OneVotePerEpochFirstComeFirstServed) {
    SentinelState self{"me", 5};
    Master m = make_master(2, 2);
    std::vector<Event> ev;
    VoteOutcome v = vote_leader(self, m, 6, "peer0", 1000, 123, ev);
    EXPECT_EQ(v.leader, "peer0");
    EXPECT_EQ(v.leader_epoch, 6U);
    EXPECT_TRUE(v.flush_config);
    EXPECT_EQ(self.current_epoch, 6U);
    ASSERT_EQ(ev.size(), 2U);
    EXPECT_EQ(ev[0].type, "+new-epoch");
    EXPECT_EQ(ev[0].text, "6");
    EXPECT_EQ(ev[1].type, "+vote-for-leader");
    EXPECT_EQ(ev[1].text, "peer0 6");
    EXPECT_EQ(m.failover_start_time, 1123) << "voting for another delays our own failover";
    // A second request in the same epoch gets the vote already given.
    ev.clear();
    v = vote_leader(self, m, 6, "peer1", 1500, 0, ev);
    EXPECT_EQ(v.leader, "peer0");
    EXPECT_FALSE(v.flush_config);
    EXPECT_TRUE(ev.empty());
    // A newer epoch gets a new vote.
    v = vote_leader(self, m, 7, "peer1", 2000, 0, ev);
    EXPECT_EQ(v.leader, "peer1");
    EXPECT_EQ(v.leader_epoch, 7U);
}

TEST(SentinelVote, AnOlderEpochGetsNoVote) {
    SentinelState self{"me", 10};
    Master m = make_master(2, 2);
    std::vector<Event> ev;
    VoteOutcome v = vote_leader(self, m, 9, "peer0", 0, 0, ev);
    EXPECT_EQ(v.leader, "");
    EXPECT_EQ(v.leader_epoch, 0U);
    EXPECT_EQ(self.current_epoch, 10U);
    EXPECT_TRUE(ev.empty());
}

TEST(SentinelVote, VotingForOurselvesDoesNotDelayUs) {
    SentinelState self{"me", 1};
    Master m = make_master(2, 2);
    std::vector<Event> ev;
    vote_leader(self, m, 2, "me", 5000, 999, ev);
    EXPECT_EQ(m.failover_start_time, 0);
}

TEST(SentinelElect, NeedsAMajorityOfKnownSentinelsAndTheQuorum) {
    // 5 sentinels known (4 peers + us): majority 3.
    SentinelState self{"me", 3};
    Master m = make_master(2, 4);
    m.sentinels["peer0"].leader = "me";
    m.sentinels["peer0"].leader_epoch = 3;
    std::vector<Event> ev;
    bool flush = false;
    EXPECT_EQ(elect_leader(self, m, 3, 0, ev, flush), "") << "2 of 5 votes";
    m.sentinels["peer1"].leader = "me";
    m.sentinels["peer1"].leader_epoch = 3;
    EXPECT_EQ(elect_leader(self, m, 3, 0, ev, flush), "me") << "3 of 5 votes";
}

TEST(SentinelElect, VotesOfAnotherEpochDoNotCount) {
    SentinelState self{"me", 4};
    Master m = make_master(2, 2);
    m.sentinels["peer0"].leader = "me";
    m.sentinels["peer0"].leader_epoch = 3;  // stale
    std::vector<Event> ev;
    bool flush = false;
    EXPECT_EQ(elect_leader(self, m, 4, 0, ev, flush), "");
    m.sentinels["peer0"].leader_epoch = 4;
    EXPECT_EQ(elect_leader(self, m, 4, 0, ev, flush), "me");
}

TEST(SentinelElect, WeVoteForTheMostVotedCandidate) {
    SentinelState self{"me", 8};
    Master m = make_master(2, 2);
    m.sentinels["peer0"].leader = "peer1";
    m.sentinels["peer0"].leader_epoch = 8;
    std::vector<Event> ev;
    bool flush = false;
    EXPECT_EQ(elect_leader(self, m, 8, 0, ev, flush), "peer1");
    EXPECT_EQ(m.leader, "peer1");
    EXPECT_TRUE(flush);
}

TEST(SentinelElect, QuorumAboveTheMajorityIsRequiredToo) {
    SentinelState self{"me", 1};
    Master m = make_master(3, 2);  // 3 sentinels: majority 2, but quorum 3
    m.sentinels["peer0"].leader = "me";
    m.sentinels["peer0"].leader_epoch = 1;
    std::vector<Event> ev;
    bool flush = false;
    EXPECT_EQ(elect_leader(self, m, 1, 0, ev, flush), "");
    m.sentinels["peer1"].leader = "me";
    m.sentinels["peer1"].leader_epoch = 1;
    EXPECT_EQ(elect_leader(self, m, 1, 0, ev, flush), "me");
}

Instance healthy_replica(const std::string& ip_port, int port, Ms now) {
    Instance r;
    r.kind = Kind::replica;
    r.name = ip_port;
    r.addr = {"127.0.0.1", port};
    r.link.connected = true;
    r.link.last_avail_time = now;
    r.info_refresh = now;
    return r;
}

TEST(SentinelSelect, PriorityThenOffsetThenRunId) {
    Timers t;
    Master m = make_master(2, 0);
    const Ms now = 100'000;
    auto a = healthy_replica("127.0.0.1:1", 1, now);
    auto b = healthy_replica("127.0.0.1:2", 2, now);
    auto c = healthy_replica("127.0.0.1:3", 3, now);
    a.replica_priority = 100;
    a.repl_offset = 500;
    a.runid = "bbb";
    b.replica_priority = 100;
    b.repl_offset = 500;
    b.runid = "AAA";
    c.replica_priority = 100;
    c.repl_offset = 400;
    c.runid = "000";
    m.replicas[a.name] = a;
    m.replicas[b.name] = b;
    m.replicas[c.name] = c;
    ASSERT_NE(select_replica(m, t, now), nullptr);
    EXPECT_EQ(select_replica(m, t, now)->name, "127.0.0.1:2") << "same offset: smaller run id";
    m.replicas["127.0.0.1:3"].repl_offset = 600;
    EXPECT_EQ(select_replica(m, t, now)->name, "127.0.0.1:3") << "highest offset";
    m.replicas["127.0.0.1:1"].replica_priority = 10;
    EXPECT_EQ(select_replica(m, t, now)->name, "127.0.0.1:1") << "lowest priority first";
    m.replicas["127.0.0.1:1"].replica_priority = 0;
    EXPECT_EQ(select_replica(m, t, now)->name, "127.0.0.1:3") << "priority 0 is never promoted";
}

TEST(SentinelSelect, UnhealthyReplicasAreExcluded) {
    Timers t;
    const Ms now = 100'000;
    auto check_excluded = [&](auto change) {
        Master m = make_master(2, 0);
        auto r = healthy_replica("127.0.0.1:1", 1, now);
        change(r, m);
        m.replicas[r.name] = r;
        return select_replica(m, t, now) == nullptr;
    };
    EXPECT_FALSE(check_excluded([](Instance&, Master&) {}));
    EXPECT_TRUE(check_excluded([](Instance& r, Master&) { r.sdown = true; }));
    EXPECT_TRUE(check_excluded([](Instance& r, Master&) { r.link.connected = false; }));
    EXPECT_TRUE(check_excluded(
        [&](Instance& r, Master&) { r.link.last_avail_time = now - 5 * t.ping_period - 1; }));
    EXPECT_TRUE(check_excluded([](Instance& r, Master&) { r.info_refresh = 0; }));
    // INFO older than 30 s (master not SDOWN), or 5 s when the master is SDOWN.
    EXPECT_TRUE(check_excluded([&](Instance& r, Master&) { r.info_refresh = now - 30'001; }));
    EXPECT_FALSE(check_excluded([&](Instance& r, Master&) { r.info_refresh = now - 6'000; }));
    EXPECT_TRUE(check_excluded([&](Instance& r, Master& m) {
        r.info_refresh = now - 6'000;
        m.sdown = true;
        m.sdown_since = now - 1000;
    }));
    // Disconnected from the master for longer than 10 x down-after (+ the SDOWN time).
    EXPECT_TRUE(check_excluded([](Instance& r, Master&) { r.master_link_down_time = 10'001; }));
    EXPECT_FALSE(check_excluded([](Instance& r, Master&) { r.master_link_down_time = 10'000; }));
}

}  // namespace
}  // namespace vigil::sentinel
