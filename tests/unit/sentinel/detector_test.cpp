// Failure detection of the sentinel core, driven event by event with a test-controlled time.
#include "sentinel/core/detector.hpp"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

Master make_master(Ms down_after = 1000, int quorum = 2) {
    Master m;
    m.kind = Kind::master;
    m.name = "mymaster";
    m.addr = {"127.0.0.1", 6379};
    m.down_after = down_after;
    m.quorum = quorum;
    return m;
}

Instance make_peer(const std::string& runid, int port) {
    Instance s;
    s.kind = Kind::sentinel;
    s.name = runid;
    s.runid = runid;
    s.addr = {"127.0.0.1", port};
    return s;
}

std::vector<std::string> types(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) {
        out.push_back(e.type);
    }
    return out;
}

TEST(SentinelDescribe, MasterReplicaAndSentinelDetails) {
    Master m = make_master();
    EXPECT_EQ(describe(m, nullptr), "master mymaster 127.0.0.1 6379");
    Instance r;
    r.kind = Kind::replica;
    r.name = "127.0.0.1:6380";
    r.addr = {"127.0.0.1", 6380};
    EXPECT_EQ(describe(r, &m), "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379");
    Instance s = make_peer("abc", 26380);
    EXPECT_EQ(describe(s, &m), "sentinel abc 127.0.0.1 26380 @ mymaster 127.0.0.1 6379");
}

TEST(SentinelSdown, ANewLinkThatNeverAnswersGoesDownAfterDownAfter) {
    Master m = make_master(1000);
    Timers t;
    std::vector<Event> ev;
    on_link_connected(m, 10'000);
    check_sdown(m, m, t, 10'999, ev);
    check_sdown(m, m, t, 11'000, ev);
    EXPECT_TRUE(ev.empty());
    EXPECT_FALSE(m.sdown);
    check_sdown(m, m, t, 11'001, ev);
    ASSERT_EQ(types(ev), std::vector<std::string>{"+sdown"});
    EXPECT_EQ(ev[0].text, "master mymaster 127.0.0.1 6379");
    EXPECT_TRUE(m.sdown);
    EXPECT_EQ(m.sdown_since, 11'001);
    // Still down: no second event.
    check_sdown(m, m, t, 12'000, ev);
    EXPECT_EQ(ev.size(), 1U);
}

TEST(SentinelSdown, PongClearsThePendingPingAndRecovers) {
    Master m = make_master(1000);
    Timers t;
    std::vector<Event> ev;
    on_link_connected(m, 0);
    check_sdown(m, m, t, 1500, ev);
    ASSERT_TRUE(m.sdown);
    on_ping_reply(m, PingReply::pong, 1600);
    EXPECT_EQ(m.link.act_ping_time, kNever);
    EXPECT_EQ(m.link.last_avail_time, 1600);
    check_sdown(m, m, t, 1601, ev);
    EXPECT_EQ(types(ev), (std::vector<std::string>{"+sdown", "-sdown"}));
    EXPECT_FALSE(m.sdown);
}

TEST(SentinelSdown, LoadingAndMasterdownCountAsAvailableOtherErrorsDoNot) {
    for (PingReply reply : {PingReply::loading, PingReply::masterdown}) {
        Master m = make_master(1000);
        on_link_connected(m, 0);
        on_ping_reply(m, reply, 500);
        EXPECT_EQ(m.link.act_ping_time, kNever);
        EXPECT_EQ(m.link.last_avail_time, 500);
    }
    for (PingReply reply : {PingReply::busy, PingReply::other}) {
        Master m = make_master(1000);
        Timers t;
        std::vector<Event> ev;
        on_link_connected(m, 0);
        on_ping_reply(m, reply, 500);
        EXPECT_EQ(m.link.act_ping_time, 0);  // unchanged: still pending since the link began
        EXPECT_EQ(m.link.last_pong_time, 500);
        check_sdown(m, m, t, 1001, ev);
        EXPECT_TRUE(m.sdown) << "an error reply is not a sign of life";
    }
}

TEST(SentinelSdown, ThePendingPingIsTheOldestOne) {
    Master m = make_master(1000);
    Timers t;
    std::vector<Event> ev;
    on_link_connected(m, 0);
    on_ping_reply(m, PingReply::pong, 100);
    on_ping_sent(m, 200);
    on_ping_sent(m, 700);  // a second PING does not move the pending time
    EXPECT_EQ(m.link.act_ping_time, 200);
    check_sdown(m, m, t, 1200, ev);
    EXPECT_FALSE(m.sdown);
    check_sdown(m, m, t, 1201, ev);
    EXPECT_TRUE(m.sdown);
}

TEST(SentinelSdown, ALostLinkCountsFromTheMomentItWasLostNotFromTheLastPong) {
    Master m = make_master(1000);
    Timers t;
    std::vector<Event> ev;
    on_link_connected(m, 0);
    on_ping_reply(m, PingReply::pong, 100);
    on_link_disconnected(m, 900);  // kill -9: the link drops, reconnecting is refused
    check_sdown(m, m, t, 1101, ev);
    EXPECT_FALSE(m.sdown) << "down for 201 ms only";
    check_sdown(m, m, t, 1900, ev);
    EXPECT_FALSE(m.sdown);
    check_sdown(m, m, t, 1901, ev);
    EXPECT_TRUE(m.sdown);
}

TEST(SentinelSdown, AReconnectionDoesNotRestartAPendingPing) {
    Master m = make_master(30'000);
    Timers t;
    std::vector<Event> ev;
    on_link_connected(m, 0);
    on_ping_reply(m, PingReply::pong, 0);
    on_ping_sent(m, 1000);  // SIGSTOP: never answered
    // The dead link is closed and reopened (the kernel still accepts connections), twice.
    on_link_disconnected(m, 16'000);
    on_link_connected(m, 16'001);
    on_link_disconnected(m, 31'001);
    on_link_connected(m, 31'002);
    EXPECT_EQ(m.link.act_ping_time, 1000);
    check_sdown(m, m, t, 31'000, ev);
    EXPECT_FALSE(m.sdown);
    check_sdown(m, m, t, 31'001, ev);
    EXPECT_TRUE(m.sdown);
}

TEST(SentinelSdown, AMasterReportingReplicaRoleTooLongIsDown) {
    Master m = make_master(1000);
    Timers t;  // info period 10 s
    std::vector<Event> ev;
    on_link_connected(m, 0);
    on_ping_reply(m, PingReply::pong, 0);
    on_role_reported(m, true, 0);
    for (Ms now = 1000; now <= 21'000; now += 1000) {
        on_ping_reply(m, PingReply::pong, now);  // it answers PINGs all along
        check_sdown(m, m, t, now, ev);
    }
    EXPECT_FALSE(m.sdown) << "down_after + 2 * info_period = 21 s is not exceeded yet";
    on_ping_reply(m, PingReply::pong, 21'001);
    check_sdown(m, m, t, 21'001, ev);
    EXPECT_TRUE(m.sdown);
    // Reporting master again brings it back.
    on_role_reported(m, false, 21'500);
    check_sdown(m, m, t, 21'500, ev);
    EXPECT_FALSE(m.sdown);
}

TEST(SentinelSdown, ARebootedMasterStillLoadingIsDownAfterTheRebootPeriod) {
    Master m = make_master(5000);
    m.master_reboot_down_after_period = 2000;
    Timers t;
    std::vector<Event> ev;
    on_link_connected(m, 0);
    on_ping_reply(m, PingReply::pong, 0);
    EXPECT_FALSE(on_runid_reported(m, "run-1", 0)) << "the first run_id is not a reboot";
    EXPECT_TRUE(on_runid_reported(m, "run-2", 1000));
    EXPECT_TRUE(m.rebooted);
    on_ping_reply(m, PingReply::loading, 2500);  // -LOADING does not clear the reboot flag
    check_sdown(m, m, t, 3000, ev);
    EXPECT_FALSE(m.sdown);
    on_ping_reply(m, PingReply::loading, 3001);
    check_sdown(m, m, t, 3001, ev);
    EXPECT_TRUE(m.sdown);
}

TEST(SentinelSdown, WithoutARebootPeriodARunIdChangeMarksNothing) {
    Master m = make_master();
    on_runid_reported(m, "a", 0);
    EXPECT_TRUE(on_runid_reported(m, "b", 10));
    EXPECT_FALSE(m.rebooted);
}

TEST(SentinelSdown, ANewInstanceNeverConnectedGoesDownAfterDownAfter) {
    Master m = make_master(1000);
    Timers t;
    std::vector<Event> ev;
    on_instance_created(m, 5000);
    check_sdown(m, m, t, 6000, ev);
    EXPECT_FALSE(m.sdown);
    check_sdown(m, m, t, 6001, ev);
    EXPECT_TRUE(m.sdown);
}

TEST(SentinelPing, DueAfterTheSmallerOfDownAfterAndThePingPeriod) {
    Timers t;  // ping period 1000
    Master m = make_master(600);
    on_link_connected(m, 0);
    on_ping_reply(m, PingReply::pong, 0);
    on_ping_sent(m, 0);
    EXPECT_FALSE(ping_due(m, m.down_after, t, 600));
    EXPECT_TRUE(ping_due(m, m.down_after, t, 601));
    on_ping_sent(m, 601);
    EXPECT_FALSE(ping_due(m, m.down_after, t, 900)) << "half the period since the last PING";
    EXPECT_TRUE(ping_due(m, m.down_after, t, 902));
    on_link_disconnected(m, 950);
    EXPECT_FALSE(ping_due(m, m.down_after, t, 5000));
}

TEST(SentinelOdown, QuorumCountsOurselvesAndPeersThatSayDown) {
    Master m = make_master(1000, 3);
    Timers t;
    m.sentinels["s1"] = make_peer("s1", 26380);
    m.sentinels["s2"] = make_peer("s2", 26381);
    std::vector<Event> ev;
    on_link_connected(m, 0);
    check_sdown(m, m, t, 1001, ev);
    ASSERT_TRUE(m.sdown);
    check_odown(m, 1001, ev);
    EXPECT_FALSE(m.odown) << "1/3";
    on_master_down_reply(m.sentinels["s1"], true, "*", 0, 1100);
    check_odown(m, 1100, ev);
    EXPECT_FALSE(m.odown) << "2/3";
    on_master_down_reply(m.sentinels["s2"], true, "*", 0, 1200);
    check_odown(m, 1200, ev);
    ASSERT_TRUE(m.odown);
    EXPECT_EQ(ev.back().type, "+odown");
    EXPECT_EQ(ev.back().text, "master mymaster 127.0.0.1 6379 #quorum 3/3");
    EXPECT_EQ(m.odown_since, 1200);
}

TEST(SentinelOdown, RepliesExpireAfterFiveAskPeriods) {
    Master m = make_master(1000, 2);
    Timers t;  // ask period 1000
    m.sentinels["s1"] = make_peer("s1", 26380);
    std::vector<Event> ev;
    on_link_connected(m, 0);
    check_sdown(m, m, t, 1001, ev);
    on_master_down_reply(m.sentinels["s1"], true, "leader-x", 7, 1001);
    EXPECT_EQ(m.sentinels["s1"].leader, "leader-x");
    EXPECT_EQ(m.sentinels["s1"].leader_epoch, 7U);
    check_odown(m, 1001, ev);
    ASSERT_TRUE(m.odown);
    expire_master_down_replies(m, t, 6001);
    EXPECT_TRUE(m.sentinels["s1"].says_master_down);
    expire_master_down_replies(m, t, 6002);
    EXPECT_FALSE(m.sentinels["s1"].says_master_down);
    EXPECT_EQ(m.sentinels["s1"].leader, "");
    check_odown(m, 6002, ev);
    EXPECT_FALSE(m.odown);
    EXPECT_EQ(ev.back().type, "-odown");
    EXPECT_EQ(ev.back().text, "master mymaster 127.0.0.1 6379");
}

TEST(SentinelOdown, NoOdownWithoutSdownHereAndAStarLeaderIsNotStored) {
    Master m = make_master(1000, 1);
    m.sentinels["s1"] = make_peer("s1", 26380);
    std::vector<Event> ev;
    on_master_down_reply(m.sentinels["s1"], true, "*", 3, 10);
    EXPECT_EQ(m.sentinels["s1"].leader, "");
    EXPECT_EQ(down_votes(m), 0);
    check_odown(m, 10, ev);
    EXPECT_FALSE(m.odown) << "quorum 1, but this sentinel does not see it down";
    EXPECT_TRUE(ev.empty());
}

TEST(SentinelSdown, ReplicasAndSentinelsUseTheirMastersDownAfter) {
    Master m = make_master(2000);
    Timers t;
    Instance r;
    r.kind = Kind::replica;
    r.name = "127.0.0.1:6380";
    r.addr = {"127.0.0.1", 6380};
    std::vector<Event> ev;
    on_link_connected(r, 0);
    check_sdown(r, m, t, 2000, ev);
    EXPECT_FALSE(r.sdown);
    check_sdown(r, m, t, 2001, ev);
    ASSERT_TRUE(r.sdown);
    EXPECT_EQ(ev.back().text, "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379");
    // The replica-role rule is for masters only.
    r.reported_as_replica = true;
    on_ping_reply(r, PingReply::pong, 100'000);
    check_sdown(r, m, t, 100'000, ev);
    EXPECT_FALSE(r.sdown);
}

}  // namespace
}  // namespace vigil::sentinel
