// INFO replies as the sentinel reads them, and what a master's INFO teaches about replicas.
#include "sentinel/core/info.hpp"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

constexpr const char* kMasterInfo =
    "# Server\r\n"
    "redis_version:7.0.15\r\n"
    "run_id:0123456789abcdef0123456789abcdef01234567\r\n"
    "tcp_port:6379\r\n"
    "\r\n"
    "# Replication\r\n"
    "role:master\r\n"
    "connected_slaves:2\r\n"
    "slave0:ip=127.0.0.1,port=6380,state=online,offset=50,lag=1\r\n"
    "slave1:ip=127.0.0.1,port=6381,state=wait_bgsave,offset=0,lag=0\r\n"
    "master_failover_state:no-failover\r\n"
    "master_repl_offset:50\r\n";

constexpr const char* kReplicaInfo =
    "# Server\r\n"
    "run_id:fedcba9876543210fedcba9876543210fedcba98\r\n"
    "# Replication\r\n"
    "role:slave\r\n"
    "master_host:127.0.0.1\r\n"
    "master_port:6379\r\n"
    "master_link_status:down\r\n"
    "master_last_io_seconds_ago:-1\r\n"
    "master_sync_in_progress:0\r\n"
    "slave_read_repl_offset:1\r\n"
    "slave_repl_offset:4242\r\n"
    "master_link_down_since_seconds:7\r\n"
    "slave_priority:10\r\n"
    "slave_read_only:1\r\n"
    "replica_announced:0\r\n"
    "connected_slaves:0\r\n";

TEST(SentinelInfo, ParsesAMastersReport) {
    InfoReport r = parse_info(kMasterInfo);
    EXPECT_EQ(r.run_id, "0123456789abcdef0123456789abcdef01234567");
    EXPECT_TRUE(r.has_role);
    EXPECT_FALSE(r.is_replica);
    ASSERT_EQ(r.replicas.size(), 2U);
    EXPECT_EQ(r.replicas[0], (Address{"127.0.0.1", 6380}));
    EXPECT_EQ(r.replicas[1], (Address{"127.0.0.1", 6381}));
}

TEST(SentinelInfo, ParsesAReplicasReport) {
    InfoReport r = parse_info(kReplicaInfo);
    EXPECT_TRUE(r.is_replica);
    EXPECT_EQ(r.master_host, "127.0.0.1");
    EXPECT_EQ(r.master_port, 6379);
    EXPECT_FALSE(r.master_link_up);
    EXPECT_EQ(r.master_link_down_ms, 7000);
    EXPECT_EQ(r.replica_priority, 10);
    EXPECT_EQ(r.repl_offset, 4242);
    EXPECT_FALSE(r.replica_announced);
    EXPECT_TRUE(r.replicas.empty());
}

TEST(SentinelInfo, OldReplicaLineFormAndJunkLines) {
    InfoReport r = parse_info(
        "role:master\nslave0:10.0.0.5,6390,online\nslave1:garbage\nslaves:1\nslave2:ip=,port=1\n"
        "run_id:short\n");
    ASSERT_EQ(r.replicas.size(), 1U);
    EXPECT_EQ(r.replicas[0], (Address{"10.0.0.5", 6390}));
    EXPECT_EQ(r.run_id, "") << "a run_id must be 40 characters";
}

TEST(SentinelInfo, AMastersReportAddsUnknownReplicasOnce) {
    Master m;
    m.name = "mymaster";
    m.addr = {"127.0.0.1", 6379};
    std::vector<Event> ev;
    InfoReport r = parse_info(kMasterInfo);
    EXPECT_TRUE(apply_master_info(m, r, 1000, ev));
    ASSERT_EQ(ev.size(), 2U);
    EXPECT_EQ(ev[0].type, "+slave");
    EXPECT_EQ(ev[0].text, "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379");
    EXPECT_EQ(m.replicas.size(), 2U);
    EXPECT_EQ(m.runid, "0123456789abcdef0123456789abcdef01234567");
    ev.clear();
    EXPECT_FALSE(apply_master_info(m, r, 2000, ev));
    EXPECT_TRUE(ev.empty());
}

TEST(SentinelInfo, ARunIdChangeIsAReboot) {
    Master m;
    m.name = "mymaster";
    m.addr = {"127.0.0.1", 6379};
    std::vector<Event> ev;
    apply_master_info(m, parse_info(kMasterInfo), 1000, ev);
    ev.clear();
    std::string rebooted = kMasterInfo;
    rebooted.replace(rebooted.find("0123456789abcdef0123"), 4, "9999");
    apply_master_info(m, parse_info(rebooted), 2000, ev);
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev[0].type, "+reboot");
    EXPECT_EQ(ev[0].text, "master mymaster 127.0.0.1 6379");
}

TEST(SentinelInfo, AReplicasReportUpdatesIt) {
    Master m;
    m.name = "mymaster";
    m.addr = {"127.0.0.1", 6379};
    Instance r;
    r.kind = Kind::replica;
    r.name = "127.0.0.1:6380";
    r.addr = {"127.0.0.1", 6380};
    std::vector<Event> ev;
    apply_replica_info(r, m, parse_info(kReplicaInfo), 5000, ev);
    EXPECT_TRUE(r.reported_as_replica);
    EXPECT_EQ(r.info_refresh, 5000);
    EXPECT_EQ(r.replica_priority, 10);
    EXPECT_EQ(r.repl_offset, 4242);
    EXPECT_EQ(r.master_link_down_time, 7000);
    EXPECT_EQ(r.reported_master, (Address{"127.0.0.1", 6379}));
    EXPECT_FALSE(r.reported_master_link_up);
    EXPECT_EQ(r.runid, "fedcba9876543210fedcba9876543210fedcba98");
    EXPECT_EQ(r.reported_master_change_time, 5000);
    // The same master again keeps the time; another master moves it.
    apply_replica_info(r, m, parse_info(kReplicaInfo), 6000, ev);
    EXPECT_EQ(r.reported_master_change_time, 5000);
    std::string moved = kReplicaInfo;
    moved.replace(moved.find("master_port:6379"), 16, "master_port:6390");
    apply_replica_info(r, m, parse_info(moved), 7000, ev);
    EXPECT_EQ(r.reported_master_change_time, 7000);
    EXPECT_EQ(r.reported_master.port, 6390);
}

}  // namespace
}  // namespace vigil::sentinel
