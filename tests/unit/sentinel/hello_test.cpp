// Hello messages: parsing, discovery of sentinels, epoch adoption and configuration updates.
#include "sentinel/core/hello.hpp"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

std::map<std::string, Master> one_master() {
    Master m;
    m.kind = Kind::master;
    m.name = "mymaster";
    m.addr = {"127.0.0.1", 6379};
    m.quorum = 2;
    std::map<std::string, Master> masters;
    masters["mymaster"] = m;
    return masters;
}

Hello hello_from(const std::string& runid,
                 int port,
                 std::uint64_t epoch = 0,
                 std::uint64_t config_epoch = 0,
                 int master_port = 6379) {
    Hello h;
    h.sentinel = {"127.0.0.1", port};
    h.runid = runid;
    h.current_epoch = epoch;
    h.master_name = "mymaster";
    h.master = {"127.0.0.1", master_port};
    h.master_config_epoch = config_epoch;
    return h;
}

TEST(SentinelHello, ParseAndFormatRoundTrip) {
    const std::string payload =
        "127.0.0.1,26380,0123456789abcdef0123456789abcdef01234567,3,mymaster,10.0.0.1,6379,2";
    auto h = parse_hello(payload);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->sentinel, (Address{"127.0.0.1", 26380}));
    EXPECT_EQ(h->runid, "0123456789abcdef0123456789abcdef01234567");
    EXPECT_EQ(h->current_epoch, 3U);
    EXPECT_EQ(h->master_name, "mymaster");
    EXPECT_EQ(h->master, (Address{"10.0.0.1", 6379}));
    EXPECT_EQ(h->master_config_epoch, 2U);
    EXPECT_EQ(format_hello(*h), payload);
}

TEST(SentinelHello, MalformedMessagesAreDropped) {
    for (const char* bad :
         {"", "a,b,c", "127.0.0.1,26380,id,3,m,10.0.0.1,6379",
          "127.0.0.1,26380,id,3,m,10.0.0.1,6379,2,extra", "127.0.0.1,port,id,3,m,10.0.0.1,6379,2",
          "127.0.0.1,26380,id,-3,m,10.0.0.1,6379,2", "127.0.0.1,26380,id,3,m,10.0.0.1,6379,2x"}) {
        EXPECT_FALSE(parse_hello(bad).has_value()) << bad;
    }
}

TEST(SentinelHello, OurOwnAndUnknownMastersAreIgnored) {
    SentinelState self{"me", 0};
    auto masters = one_master();
    std::vector<Event> ev;
    auto out = process_hello(self, masters, hello_from("me", 26379), 0, ev);
    EXPECT_FALSE(out.flush_config);
    Hello other = hello_from("peer", 26380);
    other.master_name = "unknown";
    out = process_hello(self, masters, other, 0, ev);
    EXPECT_FALSE(out.flush_config);
    EXPECT_TRUE(ev.empty());
    EXPECT_TRUE(masters["mymaster"].sentinels.empty());
}

TEST(SentinelHello, ANewSentinelIsAddedOnce) {
    SentinelState self{"me", 0};
    auto masters = one_master();
    std::vector<Event> ev;
    auto out = process_hello(self, masters, hello_from("peer", 26380), 100, ev);
    EXPECT_TRUE(out.new_sentinel);
    EXPECT_TRUE(out.flush_config);
    ASSERT_EQ(ev.size(), 1U);
    EXPECT_EQ(ev[0].type, "+sentinel");
    EXPECT_EQ(ev[0].text, "sentinel peer 127.0.0.1 26380 @ mymaster 127.0.0.1 6379");
    EXPECT_EQ(masters["mymaster"].sentinels["peer"].last_hello_time, 100);
    ev.clear();
    out = process_hello(self, masters, hello_from("peer", 26380), 200, ev);
    EXPECT_FALSE(out.new_sentinel);
    EXPECT_FALSE(out.flush_config);
    EXPECT_TRUE(ev.empty());
    EXPECT_EQ(masters["mymaster"].sentinels["peer"].last_hello_time, 200);
}

TEST(SentinelHello, AKnownRunIdAtANewAddressIsAnAddressSwitch) {
    SentinelState self{"me", 0};
    auto masters = one_master();
    std::vector<Event> ev;
    process_hello(self, masters, hello_from("peer", 26380), 0, ev);
    ev.clear();
    process_hello(self, masters, hello_from("peer", 26390), 10, ev);
    ASSERT_EQ(ev.size(), 1U);
    EXPECT_EQ(ev[0].type, "+sentinel-address-switch");
    EXPECT_EQ(ev[0].text, "master mymaster 127.0.0.1 6379 ip 127.0.0.1 port 26390 for peer");
    EXPECT_EQ(masters["mymaster"].sentinels["peer"].addr.port, 26390);
    EXPECT_EQ(masters["mymaster"].sentinels.size(), 1U);
}

TEST(SentinelHello, ANewRunIdAtAKnownAddressInvalidatesTheOldOne) {
    SentinelState self{"me", 0};
    auto masters = one_master();
    std::vector<Event> ev;
    process_hello(self, masters, hello_from("old", 26380), 0, ev);
    ev.clear();
    process_hello(self, masters, hello_from("new", 26380), 10, ev);
    ASSERT_EQ(ev.size(), 2U);
    EXPECT_EQ(ev[0].type, "+sentinel-invalid-addr");
    EXPECT_EQ(ev[0].text, "sentinel old 127.0.0.1 26380 @ mymaster 127.0.0.1 6379");
    EXPECT_EQ(ev[1].type, "+sentinel");
    EXPECT_EQ(masters["mymaster"].sentinels["old"].addr.port, 0);
    EXPECT_EQ(masters["mymaster"].sentinels["new"].addr.port, 26380);
}

TEST(SentinelHello, AGreaterEpochIsAdopted) {
    SentinelState self{"me", 4};
    auto masters = one_master();
    std::vector<Event> ev;
    process_hello(self, masters, hello_from("peer", 26380, 3), 0, ev);
    EXPECT_EQ(self.current_epoch, 4U);
    ev.clear();
    auto out = process_hello(self, masters, hello_from("peer", 26380, 9), 0, ev);
    EXPECT_EQ(self.current_epoch, 9U);
    EXPECT_TRUE(out.flush_config);
    ASSERT_EQ(ev.size(), 1U);
    EXPECT_EQ(ev[0].type, "+new-epoch");
    EXPECT_EQ(ev[0].text, "9");
}

TEST(SentinelHello, ANewerConfigurationSwitchesTheMaster) {
    SentinelState self{"me", 0};
    auto masters = one_master();
    masters["mymaster"].config_epoch = 2;
    std::vector<Event> ev;
    // Same epoch, another address: ignored.
    auto out = process_hello(self, masters, hello_from("peer", 26380, 2, 2, 6380), 0, ev);
    EXPECT_FALSE(out.switch_master);
    ev.clear();
    // Newer epoch, same address: epoch adopted, no switch.
    out = process_hello(self, masters, hello_from("peer", 26380, 3, 3, 6379), 0, ev);
    EXPECT_FALSE(out.switch_master);
    EXPECT_EQ(masters["mymaster"].config_epoch, 3U);
    ev.clear();
    // Newer epoch and another address: switch.
    out = process_hello(self, masters, hello_from("peer", 26380, 4, 4, 6380), 0, ev);
    ASSERT_TRUE(out.switch_master);
    EXPECT_EQ(out.old_master, (Address{"127.0.0.1", 6379}));
    EXPECT_EQ(out.new_master, (Address{"127.0.0.1", 6380}));
    EXPECT_EQ(masters["mymaster"].config_epoch, 4U);
    ASSERT_EQ(ev.size(), 3U);
    EXPECT_EQ(ev[0].type, "+new-epoch");
    EXPECT_EQ(ev[1].type, "+config-update-from");
    EXPECT_EQ(ev[1].text, "sentinel peer 127.0.0.1 26380 @ mymaster 127.0.0.1 6379");
    EXPECT_EQ(ev[2].type, "+switch-master");
    EXPECT_EQ(ev[2].text, "mymaster 127.0.0.1 6379 127.0.0.1 6380");
}

}  // namespace
}  // namespace vigil::sentinel
