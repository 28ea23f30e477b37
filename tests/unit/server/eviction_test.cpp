// maxmemory: OOM errors and the sampled eviction policies.
#include "server/store/eviction.hpp"

#include <set>

#include <gtest/gtest.h>

#include "common/util/memory.hpp"
#include "tests/support/command_runner.hpp"

using vigil::server::MaxmemoryPolicy;
using vigil::test::CommandRunner;

namespace {

void fill(CommandRunner& r, int n, const std::string& prefix = "key:") {
    std::string value(100, 'v');
    for (int i = 0; i < n; ++i) {
        std::string key = prefix + std::to_string(i);
        r.run({"set", key, value});
    }
}

std::int64_t dbsize(CommandRunner& r) {
    std::string reply = r.run({"dbsize"});
    return std::stoll(reply.substr(1));
}

}  // namespace

TEST(Eviction, NoevictionRepliesOomToWritesButServesReads) {
    CommandRunner r;
    ASSERT_GT(vigil::common::used_memory(), 0U) << "the counting allocator is not linked";
    fill(r, 100);
    r.server().config.maxmemory = vigil::common::used_memory() / 2;
    r.server().config.maxmemory_policy = MaxmemoryPolicy::noeviction;
    EXPECT_EQ(r.run({"set", "x", "y"}),
              "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    EXPECT_EQ(r.run({"get", "key:1"}).substr(0, 4), "$100");
    EXPECT_EQ(r.run({"del", "key:1"}), ":1\r\n");  // DEL is not denyoom
    EXPECT_EQ(dbsize(r), 99);
}

TEST(Eviction, AllkeysLruEvictsTheLeastRecentlyUsedKeys) {
    CommandRunner r;
    fill(r, 2000);
    r.advance_ms(100'000);
    for (int i = 0; i < 1000; ++i) {  // the first half is used again, later
        std::string key = "key:" + std::to_string(i);
        r.run({"get", key});
    }
    std::size_t used = vigil::common::used_memory();
    r.server().config.maxmemory_policy = MaxmemoryPolicy::allkeys_lru;
    r.server().config.maxmemory = used - 60'000;  // about 300 keys must go
    EXPECT_EQ(r.run({"set", "new", "value"}), "+OK\r\n");
    std::int64_t left = dbsize(r);
    EXPECT_LT(left, 2001);
    int old_evicted = 0;
    int recent_evicted = 0;
    for (int i = 0; i < 2000; ++i) {
        std::string key = "key:" + std::to_string(i);
        if (r.run({"exists", key}) == ":0\r\n") {
            (i < 1000 ? recent_evicted : old_evicted)++;
        }
    }
    EXPECT_GT(old_evicted, 0);
    // Sampled LRU is approximate, like Redis's: nearly all evictions hit the idle half.
    EXPECT_GT(old_evicted, 10 * recent_evicted) << old_evicted << " vs " << recent_evicted;
    EXPECT_NE(r.run({"info", "stats"}).find("evicted_keys:"), std::string::npos);
}

TEST(Eviction, VolatileTtlEvictsSoonestExpiringAndSparesPersistentKeys) {
    CommandRunner r;
    fill(r, 500, "persistent:");
    std::string value(100, 'v');
    for (int i = 0; i < 500; ++i) {
        std::string key = "volatile:" + std::to_string(i);
        std::string ttl = std::to_string(1000 + i);
        r.run({"set", key, value, "ex", ttl});
    }
    r.server().config.maxmemory_policy = MaxmemoryPolicy::volatile_ttl;
    r.server().config.maxmemory = vigil::common::used_memory() - 30'000;
    EXPECT_EQ(r.run({"set", "x", "y"}), "+OK\r\n");
    for (int i = 0; i < 500; ++i) {
        std::string key = "persistent:" + std::to_string(i);
        EXPECT_EQ(r.run({"exists", key}), ":1\r\n");
    }
    EXPECT_LT(dbsize(r), 1001);
}

TEST(Eviction, VolatilePolicyWithoutVolatileKeysFailsLikeNoeviction) {
    CommandRunner r;
    fill(r, 200);
    r.server().config.maxmemory_policy = MaxmemoryPolicy::volatile_lru;
    r.server().config.maxmemory = vigil::common::used_memory() / 2;
    EXPECT_EQ(r.run({"set", "x", "y"}),
              "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    EXPECT_EQ(dbsize(r), 200);
}

TEST(Eviction, AllkeysRandomAndLfuEvictUntilUnderTheLimit) {
    for (auto policy : {MaxmemoryPolicy::allkeys_random, MaxmemoryPolicy::allkeys_lfu}) {
        CommandRunner r;
        r.server().config.maxmemory_policy = policy;
        fill(r, 1000);
        r.server().config.maxmemory = vigil::common::used_memory() - 40'000;
        EXPECT_EQ(r.run({"set", "x", "y"}), "+OK\r\n");
        EXPECT_LE(vigil::common::used_memory(), r.server().config.maxmemory + 1000);
        EXPECT_LT(dbsize(r), 1001);
    }
}

TEST(Eviction, LfuCounterGrowsLogarithmicallyAndDecays) {
    vigil::server::EvictionSettings s;
    s.order = vigil::server::EvictionSettings::Order::lfu;
    std::int64_t now = 1'700'000'000'000;
    vigil::server::Object o;
    o.lru = vigil::server::initial_access(s, now);
    EXPECT_EQ(vigil::server::lfu_frequency(o, s, now), 5);
    std::mt19937_64 rng(7);
    for (int i = 0; i < 1000; ++i) {
        vigil::server::record_access(o, s, now, rng());
    }
    auto f = vigil::server::lfu_frequency(o, s, now);
    EXPECT_GT(f, 10);
    EXPECT_LT(f, 40);  // 1000 hits with log factor 10: far from saturation
    EXPECT_EQ(vigil::server::lfu_frequency(o, s, now + 5 * 60'000), f - 5);
}
