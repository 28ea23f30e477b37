// Steady-state enforcement: the returning old master and replicas following the wrong master.
#include "sentinel/core/steady.hpp"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

struct Fixture {
    Timers t;
    Master m;
    Instance r;
    Fixture() {
        m.name = "mymaster";
        m.addr = {"127.0.0.1", 6380};
        m.failover_timeout = 10'000;
        m.info_refresh = 100'000;
        r.kind = Kind::replica;
        r.name = "127.0.0.1:6379";
        r.addr = {"127.0.0.1", 6379};
        r.info_refresh = 100'000;
    }
};

TEST(SentinelSteady, MasterLooksSaneOnlyWithFreshInfoAndNoDown) {
    Fixture f;
    EXPECT_TRUE(master_looks_sane(f.m, f.t, 100'000));
    EXPECT_TRUE(master_looks_sane(f.m, f.t, 119'999));
    EXPECT_FALSE(master_looks_sane(f.m, f.t, 120'000)) << "INFO 20 s old";
    f.m.sdown = true;
    EXPECT_FALSE(master_looks_sane(f.m, f.t, 100'000));
    f.m.sdown = false;
    f.m.reported_as_replica = true;
    EXPECT_FALSE(master_looks_sane(f.m, f.t, 100'000));
    f.m.reported_as_replica = false;
    f.m.info_refresh = 0;
    EXPECT_FALSE(master_looks_sane(f.m, f.t, 100'000));
}

TEST(SentinelSteady, TheReturningOldMasterIsConvertedAfterEightSeconds) {
    Fixture f;
    f.r.reported_as_replica = false;  // it says it is a master
    f.r.role_reported_time = 92'000;
    f.r.sdown_since = 90'000;  // it was down until it came back
    f.m.info_refresh = 100'000;
    EXPECT_FALSE(should_convert_to_replica(f.r, f.m, false, f.t, 100'000))
        << "reported master for exactly 8 s";
    EXPECT_TRUE(should_convert_to_replica(f.r, f.m, false, f.t, 100'001));
    EXPECT_FALSE(should_convert_to_replica(f.r, f.m, true, f.t, 100'001))
        << "not the replica being promoted";
    f.r.sdown_since = 95'000;
    EXPECT_FALSE(should_convert_to_replica(f.r, f.m, false, f.t, 100'001)) << "down 5 s ago";
    f.r.sdown_since = 0;
    f.r.reported_as_replica = true;
    EXPECT_FALSE(should_convert_to_replica(f.r, f.m, false, f.t, 100'001));
}

TEST(SentinelSteady, AReplicaOfTheWrongMasterIsFixedAfterTheFailoverTimeout) {
    Fixture f;
    f.r.reported_as_replica = true;
    f.r.reported_master = {"127.0.0.1", 6399};
    f.r.reported_master_change_time = 95'000;
    EXPECT_FALSE(should_fix_replica_config(f.r, f.m, f.t, 105'000));
    EXPECT_TRUE(should_fix_replica_config(f.r, f.m, f.t, 105'001));
    f.r.reported_master = f.m.addr;
    EXPECT_FALSE(should_fix_replica_config(f.r, f.m, f.t, 105'001)) << "already right";
    f.r.reported_master = {"127.0.0.1", 6399};
    f.m.odown_since = 100'000;
    EXPECT_FALSE(should_fix_replica_config(f.r, f.m, f.t, 105'001))
        << "its master was ODOWN within the failover timeout";
}

}  // namespace
}  // namespace vigil::sentinel
