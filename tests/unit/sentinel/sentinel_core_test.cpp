// SentinelCore driven event by event: the time is a value the test advances in 100 ms ticks, the
// monitored servers and the peer sentinel are fakes that answer (or not) the commands the core
// emits, and the tests check those commands (target, purpose, exact arguments), the events (type
// and exact text), the scripts and the flush flags, as redis-sentinel 7.0 would produce them.
#include <algorithm>
#include <cctype>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/resp/reply_reader.hpp"
#include "sentinel/core/sentinel.hpp"

namespace vigil::sentinel {
namespace {

using common::Reply;
using common::ReplyType;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Ge;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;
using Args = std::vector<std::string>;

constexpr Ms kStart = 1'700'000'000'000;  // a Unix time in ms, as the io layer hands in
constexpr Ms kTick = 100;
const std::string kMyId = "0123456789abcdef0123456789abcdef01234567";
const std::string kPeerId = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kPeer2Id = "cccccccccccccccccccccccccccccccccccccccc";
const std::string kMasterDesc = "master mymaster 127.0.0.1 6379";
const std::string kReconfScript = "/usr/local/bin/reconfig.sh";
const std::string kNotifyScript = "/usr/local/bin/notify.sh";

// ---- replies ----

Reply status(std::string s) {
    Reply r;
    r.type = ReplyType::status;
    r.str = std::move(s);
    return r;
}

Reply error(std::string s) {
    Reply r;
    r.type = ReplyType::error;
    r.str = std::move(s);
    return r;
}

Reply bulk(std::string s) {
    Reply r;
    r.type = ReplyType::bulk;
    r.str = std::move(s);
    return r;
}

Reply integer(long long n) {
    Reply r;
    r.type = ReplyType::integer;
    r.integer = n;
    return r;
}

Reply array(std::vector<Reply> elements) {
    Reply r;
    r.type = ReplyType::array;
    r.elements = std::move(elements);
    return r;
}

// The reply of SENTINEL is-master-down-by-addr: [down, leader, leader_epoch].
Reply master_down(int down, const std::string& leader, long long epoch) {
    return array({integer(down), bulk(leader), integer(epoch)});
}

// ---- INFO texts, shaped like redis-server 7.0's ----

std::string run_id(int port) {
    std::string id = std::to_string(port);
    id.resize(40, 'e');
    return id;
}

std::string server_section(int port, const std::string& id) {
    return "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nos:Linux\r\nrun_id:" + id +
           "\r\ntcp_port:" + std::to_string(port) + "\r\nuptime_in_seconds:100\r\n\r\n";
}

// A master at 127.0.0.1:<port> with replicas at 127.0.0.1:<replica_ports>.
std::string master_info(int port, std::initializer_list<int> replica_ports, std::string id = "") {
    if (id.empty()) {
        id = run_id(port);
    }
    std::string s = server_section(port, id) + "# Replication\r\nrole:master\r\nconnected_slaves:" +
                    std::to_string(replica_ports.size()) + "\r\n";
    int i = 0;
    for (int p : replica_ports) {
        s += "slave" + std::to_string(i++) + ":ip=127.0.0.1,port=" + std::to_string(p) +
             ",state=online,offset=100,lag=0\r\n";
    }
    s += "master_failover_state:no-failover\r\n"
         "master_replid:4f1c4a7e0d4b3f8a9f4c1d2e3b4a5c6d7e8f9a0b\r\n"
         "master_replid2:0000000000000000000000000000000000000000\r\n"
         "master_repl_offset:100\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\n\r\n"
         "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n";
    return s;
}

// A replica at 127.0.0.1:<port> of 127.0.0.1:<master_port>.
struct ReplicaInfo {
    int port = 6380;
    int master_port = 6379;
    bool link_up = true;
    long long offset = 100;
    int priority = 100;

    std::string text() const {
        std::string s = server_section(port, run_id(port)) +
                        "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:" +
                        std::to_string(master_port) +
                        "\r\nmaster_link_status:" + (link_up ? "up" : "down") +
                        "\r\nmaster_last_io_seconds_ago:" + (link_up ? "1" : "-1") +
                        "\r\nmaster_sync_in_progress:0\r\n" +
                        "slave_read_repl_offset:" + std::to_string(offset) +
                        "\r\nslave_repl_offset:" + std::to_string(offset) + "\r\n";
        if (!link_up) {
            s += "master_link_down_since_seconds:-1\r\n";
        }
        s += "slave_priority:" + std::to_string(priority) +
             "\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\n"
             "master_failover_state:no-failover\r\nmaster_repl_offset:" +
             std::to_string(offset) + "\r\n";
        return s;
    }
};

// ---- names ----

const InstanceId kMasterId{"mymaster", Kind::master, ""};

InstanceId replica(int port) {
    return {"mymaster", Kind::replica, "127.0.0.1:" + std::to_string(port)};
}

InstanceId sentinel(const std::string& runid) {
    return {"mymaster", Kind::sentinel, runid};
}

std::string slave_desc(int port, int master_port = 6379) {
    return "slave 127.0.0.1:" + std::to_string(port) + " 127.0.0.1 " + std::to_string(port) +
           " @ mymaster 127.0.0.1 " + std::to_string(master_port);
}

std::string sentinel_desc(const std::string& runid, int port) {
    return "sentinel " + runid + " 127.0.0.1 " + std::to_string(port) +
           " @ mymaster 127.0.0.1 6379";
}

// A hello of the peer sentinel at 127.0.0.1:<port>.
std::string peer_hello(std::uint64_t epoch,
                       int master_port,
                       std::uint64_t config_epoch,
                       const std::string& runid = kPeerId,
                       int port = 26380) {
    return "127.0.0.1," + std::to_string(port) + "," + runid + "," + std::to_string(epoch) +
           ",mymaster,127.0.0.1," + std::to_string(master_port) + "," +
           std::to_string(config_epoch);
}

// The reconfiguration transaction (sentinelSendSlaveOf); `rename` maps a command name.
template <typename Rename>
std::vector<Args> slaveof_transaction(Args slaveof_args, Rename rename) {
    Args slaveof{rename("SLAVEOF")};
    slaveof.insert(slaveof.end(), slaveof_args.begin(), slaveof_args.end());
    return {{rename("MULTI")},
            slaveof,
            {rename("CONFIG"), "REWRITE"},
            {rename("CLIENT"), "KILL", "TYPE", "normal"},
            {rename("CLIENT"), "KILL", "TYPE", "pubsub"},
            {rename("EXEC")}};
}

std::vector<Args> slaveof_transaction(Args slaveof_args) {
    return slaveof_transaction(std::move(slaveof_args), [](const char* c) { return c; });
}

// ---- looking at Actions ----

std::vector<std::string> events(const Actions& a) {
    std::vector<std::string> out;
    for (const Event& e : a.events) {
        out.push_back(e.type + " " + e.text);
    }
    return out;
}

bool has_event(const Actions& a, const std::string& type) {
    return std::any_of(a.events.begin(), a.events.end(),
                       [&](const Event& e) { return e.type == type; });
}

std::vector<OutCommand> outs(const Actions& a, const InstanceId& id, Purpose p) {
    std::vector<OutCommand> out;
    for (const OutCommand& c : a.commands) {
        if (c.target == id && c.purpose == p) {
            out.push_back(c);
        }
    }
    return out;
}

// Every command sent to `id` for `p`, in order.
std::vector<Args> sent(const Actions& a, const InstanceId& id, Purpose p) {
    std::vector<Args> out;
    for (const OutCommand& c : outs(a, id, p)) {
        out.insert(out.end(), c.commands.begin(), c.commands.end());
    }
    return out;
}

std::size_t sent_to(const Actions& a, const InstanceId& id) {
    return static_cast<std::size_t>(std::count_if(
        a.commands.begin(), a.commands.end(), [&](const OutCommand& c) { return c.target == id; }));
}

bool has_log(const Actions& a, const std::string& line) {
    return std::any_of(a.logs.begin(), a.logs.end(),
                       [&](const auto& l) { return l.second == line; });
}

void merge(Actions& into, Actions from) {
    for (auto& e : from.events) {
        into.events.push_back(std::move(e));
    }
    for (auto& c : from.commands) {
        into.commands.push_back(std::move(c));
    }
    for (auto& s : from.scripts) {
        into.scripts.push_back(std::move(s));
    }
    for (auto& l : from.logs) {
        into.logs.push_back(std::move(l));
    }
    into.flush_config = into.flush_config || from.flush_config;
    into.links_changed = into.links_changed || from.links_changed;
}

// ---- the fixture: the core and a fake world around it ----

// A monitored server or a peer sentinel as the core's links see it.
struct Fake {
    bool responsive = true;       // false: nothing is ever answered (a hung process)
    Reply ping = status("PONG");  // the answer to PING
    std::string info;             // the INFO text; "" leaves INFO unanswered
    std::optional<Reply> ask;     // the answer to is-master-down-by-addr, if any
};

class SentinelCoreTest : public ::testing::Test {
protected:
    SentinelCore core{7};
    Ms now = kStart;
    std::map<InstanceId, Fake> world;

    SentinelCoreTest() {
        core.globals.self.myid = kMyId;
        core.max_start_delay = 0;  // the start delay has its own test
    }

    Master& master() { return core.masters.at("mymaster"); }

    Actions monitor(int quorum = 2) {
        Actions a;
        core.monitor("mymaster", {"127.0.0.1", 6379}, quorum, now, a);
        return a;
    }

    // The fakes answer what `a` sends them, at the same time; what the answers cause is added
    // to `a` (and answered in turn).
    void answer(Actions& a) {
        for (std::size_t i = 0; i < a.commands.size(); ++i) {
            const OutCommand c = a.commands[i];
            auto it = world.find(c.target);
            if (it == world.end() || !it->second.responsive) {
                continue;
            }
            const Fake& f = it->second;
            for (std::size_t k = 0; k < c.commands.size(); ++k) {
                std::optional<Reply> r;
                switch (c.purpose) {
                    case Purpose::setup:
                    case Purpose::reconfigure:
                    case Purpose::script_kill:
                        r = status("OK");
                        break;
                    case Purpose::ping:
                        r = f.ping;
                        break;
                    case Purpose::info:
                        if (!f.info.empty()) {
                            r = bulk(f.info);
                        }
                        break;
                    case Purpose::hello:
                        r = integer(1);
                        break;
                    case Purpose::ask_master_down:
                        r = f.ask;
                        break;
                }
                if (r) {
                    core.reply(c.target, c.purpose, *r, now, a);
                }
            }
        }
    }

    Actions tick() {
        Actions a;
        core.tick(now, a);
        answer(a);
        return a;
    }

    // One tick 100 ms later.
    Actions step() {
        now += kTick;
        return tick();
    }

    // Ticks every 100 ms for `duration`; everything that happened.
    Actions run_for(Ms duration) {
        Actions all;
        const Ms end = now + duration;
        while (now < end) {
            merge(all, step());
        }
        return all;
    }

    // Ticks until an event of `type` is published (at most `limit` ms); everything that happened.
    Actions run_until(const std::string& type, Ms limit = 60'000) {
        Actions all;
        const Ms end = now + limit;
        while (now < end) {
            Actions a = step();
            const bool found = has_event(a, type);
            merge(all, std::move(a));
            if (found) {
                return all;
            }
        }
        ADD_FAILURE() << "no " << type << " within " << limit << " ms";
        return all;
    }

    // When `id` was sent INFO during the next `duration` ms.
    std::vector<Ms> info_times(const InstanceId& id, Ms duration) {
        std::vector<Ms> times;
        const Ms end = now + duration;
        while (now < end) {
            if (!sent(step(), id, Purpose::info).empty()) {
                times.push_back(now);
            }
        }
        return times;
    }

    // The gaps between the INFOs sent to `id` during the next `duration` ms.
    std::vector<Ms> info_gaps(const InstanceId& id, Ms duration) {
        const std::vector<Ms> times = info_times(id, duration);
        std::vector<Ms> gaps;
        for (std::size_t i = 1; i < times.size(); ++i) {
            gaps.push_back(times[i] - times[i - 1]);
        }
        return gaps;
    }

    Actions connect(const InstanceId& id, const std::string& local_ip = "127.0.0.1") {
        Actions a;
        core.link_up(id, local_ip, now, a);
        answer(a);
        return a;
    }

    Actions reply(const InstanceId& id, Purpose p, const Reply& r) {
        Actions a;
        core.reply(id, p, r, now, a);
        answer(a);
        return a;
    }

    Actions info(const InstanceId& id, const std::string& text) {
        return reply(id, Purpose::info, bulk(text));
    }

    Actions hello(const std::string& payload) {
        Actions a;
        core.hello_received(payload, now, a);
        answer(a);
        return a;
    }

    Actions ask(const std::string& runid,
                std::uint64_t epoch,
                SentinelCore::MasterDownAnswer& ans) {
        Actions a;
        ans = core.is_master_down_by_addr("127.0.0.1", 6379, epoch, runid, now, a);
        return a;
    }

    // mymaster at 127.0.0.1:6379 (quorum 2, down-after 5 s) with the replicas 127.0.0.1:6380
    // (offset 200, the best) and 127.0.0.1:6381 (offset 100), and one peer sentinel at
    // 127.0.0.1:26380; every link up and answering.
    Actions topology(int quorum = 2, const std::function<void(Master&)>& configure = {}) {
        Actions all = monitor(quorum);
        master().down_after = 5000;
        if (configure) {
            configure(master());
        }
        world[kMasterId].info = master_info(6379, {6380, 6381});
        merge(all, connect(kMasterId));
        merge(all, tick());  // INFO: the replicas
        world[replica(6380)].info = ReplicaInfo{.port = 6380, .offset = 200}.text();
        world[replica(6381)].info = ReplicaInfo{.port = 6381, .offset = 100}.text();
        merge(all, connect(replica(6380)));
        merge(all, connect(replica(6381)));
        merge(all, hello(peer_hello(0, 6379, 0)));
        world[sentinel(kPeerId)];
        merge(all, connect(sentinel(kPeerId)));
        merge(all, run_for(1000));
        return all;
    }

    // The master stops answering and goes SDOWN; the peer agrees: ODOWN, and our failover starts.
    // Returns the ODOWN tick.
    Actions master_goes_odown() {
        world[kMasterId].responsive = false;
        run_until("+sdown");
        reply(sentinel(kPeerId), Purpose::ask_master_down, master_down(1, "*", 0));
        return step();
    }

    // The peer votes for us: the next tick elects us and promotes 127.0.0.1:6380.
    Actions peer_votes_for_us(std::uint64_t epoch = 1) {
        reply(sentinel(kPeerId), Purpose::ask_master_down,
              master_down(1, kMyId, static_cast<long long>(epoch)));
        return step();
    }
};

// ---- links: handshake and periodic commands ----

TEST_F(SentinelCoreTest, NewLinkNamesItselfAndPingsAtOnce) {
    monitor();
    Actions a;
    core.link_up(kMasterId, "127.0.0.1", now, a);
    ASSERT_EQ(a.commands.size(), 2u);
    EXPECT_EQ(a.commands[0].target, kMasterId);
    EXPECT_EQ(a.commands[0].purpose, Purpose::setup);
    EXPECT_THAT(a.commands[0].commands,
                ElementsAre(Args{"CLIENT", "SETNAME", "sentinel-01234567-cmd"}));
    EXPECT_EQ(a.commands[1].purpose, Purpose::ping);
    EXPECT_THAT(a.commands[1].commands, ElementsAre(Args{"PING"}));
    EXPECT_EQ(master().link.pending_commands, 2);
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_FALSE(a.flush_config);
}

TEST_F(SentinelCoreTest, PubSubLinksAreNamedPubsub) {
    monitor();
    EXPECT_THAT(core.link_handshake(kMasterId, true),
                ElementsAre(Args{"CLIENT", "SETNAME", "sentinel-01234567-pubsub"}));
}

TEST_F(SentinelCoreTest, MastersAndReplicasAuthenticateWithAuthPass) {
    topology();
    master().auth_pass = "s3cret";
    for (const InstanceId& id : {kMasterId, replica(6380)}) {
        Actions a;
        core.link_up(id, "127.0.0.1", now, a);
        EXPECT_THAT(sent(a, id, Purpose::setup),
                    ElementsAre(Args{"AUTH", "s3cret"},
                                Args{"CLIENT", "SETNAME", "sentinel-01234567-cmd"}));
        EXPECT_THAT(sent(a, id, Purpose::ping), ElementsAre(Args{"PING"}));
    }
    // The master's password is not for the other sentinels.
    EXPECT_THAT(core.link_handshake(sentinel(kPeerId), false),
                ElementsAre(Args{"CLIENT", "SETNAME", "sentinel-01234567-cmd"}));
}

TEST_F(SentinelCoreTest, AuthUserMakesAnAclStyleAuth) {
    topology();
    master().auth_pass = "s3cret";
    master().auth_user = "sentinel-user";
    EXPECT_THAT(core.link_handshake(replica(6381), false),
                ElementsAre(Args{"AUTH", "sentinel-user", "s3cret"},
                            Args{"CLIENT", "SETNAME", "sentinel-01234567-cmd"}));
    EXPECT_THAT(core.link_handshake(kMasterId, true),
                ElementsAre(Args{"AUTH", "sentinel-user", "s3cret"},
                            Args{"CLIENT", "SETNAME", "sentinel-01234567-pubsub"}));
}

TEST_F(SentinelCoreTest, SentinelLinksUseSentinelUserAndPass) {
    topology();
    master().auth_pass = "master-pass";
    core.requirepass = "local-pass";
    core.globals.sentinel_user = "peer-user";
    core.globals.sentinel_pass = "peer-pass";
    Actions a;
    core.link_up(sentinel(kPeerId), "127.0.0.1", now, a);
    EXPECT_THAT(sent(a, sentinel(kPeerId), Purpose::setup),
                ElementsAre(Args{"AUTH", "peer-user", "peer-pass"},
                            Args{"CLIENT", "SETNAME", "sentinel-01234567-cmd"}));
    core.globals.sentinel_user.clear();
    EXPECT_THAT(
        core.link_handshake(sentinel(kPeerId), false),
        ElementsAre(Args{"AUTH", "peer-pass"}, Args{"CLIENT", "SETNAME", "sentinel-01234567-cmd"}));
}

TEST_F(SentinelCoreTest, SentinelLinksFallBackToRequirepass) {
    topology();
    EXPECT_THAT(core.link_handshake(sentinel(kPeerId), false),
                ElementsAre(Args{"CLIENT", "SETNAME", "sentinel-01234567-cmd"}));
    core.requirepass = "local-pass";
    EXPECT_THAT(core.link_handshake(sentinel(kPeerId), false),
                ElementsAre(Args{"AUTH", "local-pass"},
                            Args{"CLIENT", "SETNAME", "sentinel-01234567-cmd"}));
}

TEST_F(SentinelCoreTest, SentinelUserWithoutSentinelPassSendsRequirepassAlone) {
    topology();
    core.requirepass = "local-pass";
    core.globals.sentinel_user = "peer-user";
    EXPECT_THAT(core.link_handshake(sentinel(kPeerId), false),
                ElementsAre(Args{"AUTH", "local-pass"},
                            Args{"CLIENT", "SETNAME", "sentinel-01234567-cmd"}));
}

TEST_F(SentinelCoreTest, HandshakeUsesTheMastersRenamedCommands) {
    monitor();
    master().auth_pass = "s3cret";
    master().renamed_commands = {{"auth", "a-u-t-h"}, {"CLIENT", "cl"}, {"Ping", "pong-please"}};
    Actions a;
    core.link_up(kMasterId, "127.0.0.1", now, a);
    EXPECT_THAT(
        sent(a, kMasterId, Purpose::setup),
        ElementsAre(Args{"a-u-t-h", "s3cret"}, Args{"cl", "SETNAME", "sentinel-01234567-cmd"}));
    EXPECT_THAT(sent(a, kMasterId, Purpose::ping), ElementsAre(Args{"pong-please"}));
}

TEST_F(SentinelCoreTest, PingsEverySecondWhenAnsweredAndEveryHalfSecondWhenNot) {
    monitor();
    world[kMasterId].info = master_info(6379, {});
    connect(kMasterId);  // PING at kStart, +PONG at once
    std::vector<Ms> pings;
    for (int i = 0; i < 30; ++i) {
        if (!sent(step(), kMasterId, Purpose::ping).empty()) {
            pings.push_back(now - kStart);
        }
    }
    // Due when the last reply is older than 1000 ms (min(down-after, ping period)).
    EXPECT_THAT(pings, ElementsAre(1100, 2200));

    world[kMasterId].responsive = false;
    pings.clear();
    for (int i = 0; i < 30; ++i) {
        if (!sent(step(), kMasterId, Purpose::ping).empty()) {
            pings.push_back(now - kStart);
        }
    }
    // Last reply at 2200: due from 3300, then again when the last PING is older than 500 ms.
    EXPECT_THAT(pings, ElementsAre(3300, 3900, 4500, 5100, 5700));
}

TEST_F(SentinelCoreTest, ShortDownAfterShortensThePingPeriod) {
    monitor();
    master().down_after = 400;
    world[kMasterId].info = master_info(6379, {});
    connect(kMasterId);
    std::vector<Ms> pings;
    for (int i = 0; i < 20; ++i) {
        if (!sent(step(), kMasterId, Purpose::ping).empty()) {
            pings.push_back(now - kStart);
        }
    }
    EXPECT_THAT(pings, ElementsAre(500, 1000, 1500, 2000));
}

TEST_F(SentinelCoreTest, MastersAreAskedForInfoEveryTenSeconds) {
    monitor();
    world[kMasterId].info = master_info(6379, {});
    connect(kMasterId);
    const std::vector<Ms> times = info_times(kMasterId, 25'000);
    ASSERT_EQ(times.size(), 3u);
    EXPECT_EQ(times[0], kStart + 100);  // at once: never refreshed
    EXPECT_EQ(times[1] - times[0], 10'100);
    EXPECT_EQ(times[2] - times[1], 10'100);
}

TEST_F(SentinelCoreTest, AnUnansweredInfoIsNotRepeated) {
    monitor();
    connect(kMasterId);  // the fake has no INFO text: INFO stays unanswered
    const std::vector<Ms> times = info_times(kMasterId, 25'000);
    EXPECT_THAT(times, ElementsAre(kStart + 100));
}

TEST_F(SentinelCoreTest, ReplicasAreAskedForInfoEveryTenSecondsNormally) {
    topology();
    EXPECT_THAT(info_gaps(replica(6381), 35'000), AllOf(SizeIs(Ge(2u)), Each(10'100)));
}

TEST_F(SentinelCoreTest, ReplicasWithTheirMasterLinkDownAreAskedForInfoEverySecond) {
    topology();
    world[replica(6381)].info = ReplicaInfo{.port = 6381, .link_up = false}.text();
    run_for(10'100);  // the next INFO shows master_link_down_since_seconds:-1
    EXPECT_EQ(master().replicas.at("127.0.0.1:6381").master_link_down_time, -1000);
    EXPECT_THAT(info_gaps(replica(6381), 4000), AllOf(SizeIs(Ge(2u)), Each(1100)));
    // The other replica keeps the normal period.
    EXPECT_EQ(master().replicas.at("127.0.0.1:6380").master_link_down_time, 0);
}

TEST_F(SentinelCoreTest, ReplicasAreAskedForInfoEverySecondWhileTheMasterIsOdown) {
    topology();
    // We voted for the peer in epoch 1, so our own failover waits: the master is ODOWN without
    // a failover in progress.
    SentinelCore::MasterDownAnswer ans;
    ask(kPeerId, 1, ans);
    world[sentinel(kPeerId)].ask = master_down(1, "*", 0);
    world[kMasterId].responsive = false;
    Actions a = run_until("+odown");
    EXPECT_FALSE(has_event(a, "+try-failover"));
    EXPECT_FALSE(master().failover_in_progress);
    EXPECT_THAT(info_gaps(replica(6381), 4000), AllOf(SizeIs(Ge(2u)), Each(1100)));
}

TEST_F(SentinelCoreTest, ReplicasAreAskedForInfoEverySecondDuringAFailover) {
    topology();
    Actions a;
    ASSERT_EQ(core.force_failover("mymaster", now, a), "");
    step();
    ASSERT_TRUE(master().failover_in_progress);
    EXPECT_THAT(info_gaps(replica(6381), 4000), AllOf(SizeIs(Ge(2u)), Each(1100)));
}

TEST_F(SentinelCoreTest, HelloCarriesTheLocalAddressOurPortAndTheMastersConfig) {
    monitor();
    core.port = 26400;
    master().config_epoch = 4;
    core.globals.self.current_epoch = 9;
    connect(kMasterId, "192.168.1.5");
    Actions a = tick();
    EXPECT_THAT(sent(a, kMasterId, Purpose::hello),
                ElementsAre(Args{"PUBLISH", "__sentinel__:hello",
                                 "192.168.1.5,26400," + kMyId + ",9,mymaster,127.0.0.1,6379,4"}));
}

TEST_F(SentinelCoreTest, HelloUsesAnnounceIpAndAnnouncePort) {
    monitor();
    core.globals.announce_ip = "10.0.0.9";
    core.globals.announce_port = 26999;
    connect(kMasterId, "192.168.1.5");
    Actions a = tick();
    EXPECT_THAT(sent(a, kMasterId, Purpose::hello),
                ElementsAre(Args{"PUBLISH", "__sentinel__:hello",
                                 "10.0.0.9,26999," + kMyId + ",0,mymaster,127.0.0.1,6379,0"}));
}

TEST_F(SentinelCoreTest, HelloGoesToMasterReplicasAndSentinelsEveryTwoSeconds) {
    topology();
    const std::string payload = "127.0.0.1,26379," + kMyId + ",0,mymaster,127.0.0.1,6379,0";
    for (const InstanceId& id : {kMasterId, replica(6380), sentinel(kPeerId)}) {
        std::vector<Ms> times;
        const Ms end = now + 6000;
        while (now < end) {
            Actions a = step();
            if (!sent(a, id, Purpose::hello).empty()) {
                times.push_back(now);
                EXPECT_THAT(sent(a, id, Purpose::hello),
                            ElementsAre(Args{"PUBLISH", "__sentinel__:hello", payload}));
            }
        }
        ASSERT_EQ(times.size(), 3u) << id.key;
        EXPECT_EQ(times[1] - times[0], 2100);
        EXPECT_EQ(times[2] - times[1], 2100);
    }
}

TEST_F(SentinelCoreTest, AHelloRefusedIsSentAgainAtTheNextTick) {
    monitor();
    world[kMasterId].info = master_info(6379, {});
    connect(kMasterId);
    world[kMasterId].responsive = false;  // answered by hand below
    Actions a = tick();
    ASSERT_EQ(sent(a, kMasterId, Purpose::hello).size(), 1u);
    reply(kMasterId, Purpose::hello, error("NOPERM this user has no permissions"));
    a = step();
    EXPECT_EQ(sent(a, kMasterId, Purpose::hello).size(), 1u);
    reply(kMasterId, Purpose::hello, integer(1));
    a = step();
    EXPECT_THAT(sent(a, kMasterId, Purpose::hello), IsEmpty());
}

TEST_F(SentinelCoreTest, NothingIsSentOnADisconnectedLink) {
    topology();
    core.link_down(replica(6380), now);
    core.link_down(sentinel(kPeerId), now);
    Actions a = run_for(15'000);
    EXPECT_EQ(sent_to(a, replica(6380)), 0u);
    EXPECT_EQ(sent_to(a, sentinel(kPeerId)), 0u);
    EXPECT_GT(sent_to(a, replica(6381)), 0u);
}

TEST_F(SentinelCoreTest, NothingIsSentWithAHundredPendingCommands) {
    topology();
    world[kMasterId].responsive = false;
    master().link.pending_commands = 100;
    Actions a = run_for(5000);
    EXPECT_EQ(sent_to(a, kMasterId), 0u);
    // One answer makes room again.
    reply(kMasterId, Purpose::ping, status("PONG"));
    EXPECT_EQ(master().link.pending_commands, 99);
    a = run_for(3000);
    EXPECT_GT(sent_to(a, kMasterId), 0u);
}

// ---- INFO: replicas, roles, reboots ----

TEST_F(SentinelCoreTest, MasterInfoDiscoversReplicas) {
    monitor();
    world[kMasterId].info = master_info(6379, {6380, 6381});
    connect(kMasterId);
    Actions a = tick();
    EXPECT_THAT(sent(a, kMasterId, Purpose::info), ElementsAre(Args{"INFO"}));
    EXPECT_THAT(events(a), ElementsAre("+slave " + slave_desc(6380), "+slave " + slave_desc(6381)));
    EXPECT_TRUE(a.flush_config);
    EXPECT_TRUE(a.links_changed);
    EXPECT_EQ(master().runid, run_id(6379));
    EXPECT_EQ(master().info_text, master_info(6379, {6380, 6381}));

    std::vector<LinkTarget> targets = core.link_targets();
    ASSERT_EQ(targets.size(), 3u);
    EXPECT_EQ(targets[1].id, replica(6380));
    EXPECT_EQ(targets[1].addr, (Address{"127.0.0.1", 6380}));
    EXPECT_TRUE(targets[1].pubsub);

    // The same list again teaches nothing new.
    a = info(kMasterId, master_info(6379, {6380, 6381}));
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_FALSE(a.flush_config);
    EXPECT_FALSE(a.links_changed);
    // A third replica is added.
    a = info(kMasterId, master_info(6379, {6380, 6381, 6382}));
    EXPECT_THAT(events(a), ElementsAre("+slave " + slave_desc(6382)));
    EXPECT_TRUE(a.flush_config);
}

TEST_F(SentinelCoreTest, RoleChangesArePublished) {
    topology();
    std::string as_replica = ReplicaInfo{.port = 6379, .master_port = 6390}.text();
    Actions a = info(kMasterId, as_replica);
    EXPECT_THAT(events(a),
                ElementsAre("-role-change " + kMasterDesc + " new reported role is slave"));
    a = info(kMasterId, as_replica);
    EXPECT_THAT(a.events, IsEmpty());
    a = info(kMasterId, master_info(6379, {6380, 6381}));
    EXPECT_THAT(events(a),
                ElementsAre("+role-change " + kMasterDesc + " new reported role is master"));

    a = info(replica(6380), master_info(6380, {}));
    EXPECT_THAT(events(a),
                ElementsAre("-role-change " + slave_desc(6380) + " new reported role is master"));
    a = info(replica(6380), ReplicaInfo{.port = 6380}.text());
    EXPECT_THAT(events(a),
                ElementsAre("+role-change " + slave_desc(6380) + " new reported role is slave"));
}

TEST_F(SentinelCoreTest, AMasterReportingReplicaForTooLongIsSdown) {
    topology();
    world[kMasterId].info = ReplicaInfo{.port = 6379, .master_port = 6390}.text();
    Actions a = run_until("-role-change", 11'000);
    const Ms since = now;
    // Still answering PING, but down after down-after + 2 INFO periods of reporting slave.
    a = run_until("+sdown", 30'000);
    EXPECT_EQ(now - since, 25'100);
    EXPECT_THAT(events(a), Contains("+sdown " + kMasterDesc));
}

TEST_F(SentinelCoreTest, AMasterRunIdChangeIsAReboot) {
    topology();
    Actions a = info(kMasterId, master_info(6379, {6380, 6381}, std::string(40, '9')));
    EXPECT_THAT(events(a), ElementsAre("+reboot " + kMasterDesc));
    EXPECT_EQ(master().runid, std::string(40, '9'));
    EXPECT_FALSE(master().rebooted);  // master-reboot-down-after-period is 0
}

TEST_F(SentinelCoreTest, AReplicaRunIdChangeIsAReboot) {
    topology();
    std::string text = ReplicaInfo{.port = 6380}.text();
    text.replace(text.find(run_id(6380)), 40, std::string(40, '9'));
    Actions a = info(replica(6380), text);
    EXPECT_THAT(events(a), ElementsAre("+reboot " + slave_desc(6380)));
}

TEST_F(SentinelCoreTest, ARebootedMasterStillLoadingGoesSdownAfterTheRebootPeriod) {
    topology();
    master().master_reboot_down_after_period = 3000;
    world[kMasterId].info = master_info(6379, {6380, 6381}, std::string(40, '9'));
    world[kMasterId].ping = error("LOADING Redis is loading the dataset in memory");
    Actions a = run_until("+reboot", 11'000);
    const Ms reboot = now;
    EXPECT_TRUE(master().rebooted);
    a = run_until("+sdown", 10'000);
    EXPECT_EQ(now - reboot, 3100);
    // Only a real +PONG clears the reboot.
    world[kMasterId].ping = status("PONG");
    a = run_until("-sdown", 3000);
    EXPECT_FALSE(master().rebooted);
}

// ---- SDOWN ----

TEST_F(SentinelCoreTest, SdownAfterDownAfterWithoutAnyReply) {
    monitor();
    master().down_after = 5000;
    world[kMasterId].responsive = false;
    connect(kMasterId);  // the handshake PING at kStart is never answered
    Actions a = run_for(5000);
    EXPECT_THAT(a.events, IsEmpty());
    a = step();
    EXPECT_THAT(events(a), ElementsAre("+sdown " + kMasterDesc));
    EXPECT_TRUE(master().sdown);
    EXPECT_EQ(master().sdown_since, kStart + 5100);
    // Back: the first +PONG ends it.
    a = reply(kMasterId, Purpose::ping, status("PONG"));
    a = step();
    EXPECT_THAT(events(a), ElementsAre("-sdown " + kMasterDesc));
}

TEST_F(SentinelCoreTest, SdownCountsFromTheFirstUnansweredPing) {
    topology();
    world[kMasterId].responsive = false;
    const Ms silent_since = now;
    run_until("+sdown");
    // The last +PONG came just before; the next PING went out up to 1.1 s later.
    EXPECT_GT(now - silent_since, 5000);
    EXPECT_LE(now - silent_since, 6300);
}

TEST_F(SentinelCoreTest, LoadingAndMasterdownRepliesCountAsAlive) {
    topology();
    world[kMasterId].ping = error("LOADING Redis is loading the dataset in memory");
    world[replica(6380)].ping =
        error("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    Actions a = run_for(20'000);
    EXPECT_FALSE(has_event(a, "+sdown"));
}

TEST_F(SentinelCoreTest, OtherErrorRepliesDoNotCountAsAlive) {
    topology();
    world[kMasterId].ping = error("NOAUTH Authentication required.");
    Actions a = run_until("+sdown", 8000);
    EXPECT_THAT(events(a), Contains("+sdown " + kMasterDesc));
}

TEST_F(SentinelCoreTest, BusyWhileSdownSendsOneScriptKill) {
    topology();
    world[kMasterId].responsive = false;  // answered by hand
    Actions a = reply(kMasterId, Purpose::ping, error("BUSY Redis is busy running a script."));
    EXPECT_THAT(sent(a, kMasterId, Purpose::script_kill), IsEmpty()) << "not SDOWN yet";
    run_until("+sdown");
    a = reply(kMasterId, Purpose::ping, error("BUSY Redis is busy running a script."));
    EXPECT_THAT(sent(a, kMasterId, Purpose::script_kill), ElementsAre(Args{"SCRIPT", "KILL"}));
    EXPECT_TRUE(master().script_kill_sent);
    a = reply(kMasterId, Purpose::ping, error("BUSY Redis is busy running a script."));
    EXPECT_THAT(sent(a, kMasterId, Purpose::script_kill), IsEmpty()) << "only once";
}

TEST_F(SentinelCoreTest, ScriptKillUsesTheRenamedCommand) {
    topology();
    master().renamed_commands = {{"script", "lua-ctl"}};
    world[replica(6381)].responsive = false;
    run_until("+sdown");
    Actions a = reply(replica(6381), Purpose::ping, error("BUSY Redis is busy running a script."));
    EXPECT_THAT(sent(a, replica(6381), Purpose::script_kill), ElementsAre(Args{"lua-ctl", "KILL"}));
}

TEST_F(SentinelCoreTest, ScriptKillIsSentAgainAfterTheInstanceCameBack) {
    topology();
    world[kMasterId].responsive = false;
    run_until("+sdown");
    Actions a = reply(kMasterId, Purpose::ping, error("BUSY Redis is busy running a script."));
    ASSERT_EQ(sent(a, kMasterId, Purpose::script_kill).size(), 1u);
    reply(kMasterId, Purpose::ping, status("PONG"));
    run_until("-sdown", 1000);
    EXPECT_FALSE(master().script_kill_sent);
    run_until("+sdown");
    a = reply(kMasterId, Purpose::ping, error("BUSY Redis is busy running a script."));
    EXPECT_THAT(sent(a, kMasterId, Purpose::script_kill), ElementsAre(Args{"SCRIPT", "KILL"}));
}

TEST_F(SentinelCoreTest, ReplicasAndSentinelsGoSdownToo) {
    topology();
    world[replica(6381)].responsive = false;
    world[sentinel(kPeerId)].responsive = false;
    Actions a = run_for(7000);
    EXPECT_THAT(events(a), ElementsAre("+sdown " + slave_desc(6381),
                                       "+sdown " + sentinel_desc(kPeerId, 26380)));
}

// ---- ODOWN ----

TEST_F(SentinelCoreTest, OdownWhenTheQuorumAgrees) {
    topology();
    world[kMasterId].responsive = false;
    Actions a = run_until("+sdown");
    // Asked at once, with "*": no failover of ours yet.
    EXPECT_THAT(
        sent(a, sentinel(kPeerId), Purpose::ask_master_down),
        ElementsAre(Args{"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0", "*"}));
    // The peer does not agree (yet): no ODOWN, asked again soon.
    reply(sentinel(kPeerId), Purpose::ask_master_down, master_down(0, "*", 0));
    a = step();
    EXPECT_FALSE(has_event(a, "+odown"));
    a = run_for(1000);
    EXPECT_FALSE(has_event(a, "+odown"));
    EXPECT_THAT(sent(a, sentinel(kPeerId), Purpose::ask_master_down), Not(IsEmpty()));
    reply(sentinel(kPeerId), Purpose::ask_master_down, master_down(1, "*", 0));
    a = step();
    EXPECT_EQ(events(a).at(0), "+odown " + kMasterDesc + " #quorum 2/2");
    EXPECT_TRUE(master().odown);
}

TEST_F(SentinelCoreTest, NoOdownBelowTheQuorum) {
    topology(/*quorum=*/3);
    world[sentinel(kPeerId)].ask = master_down(1, "*", 0);
    world[kMasterId].responsive = false;
    Actions a = run_until("+sdown");
    a = run_for(5000);
    EXPECT_FALSE(has_event(a, "+odown"));
    EXPECT_TRUE(master().sentinels.at(kPeerId).says_master_down);
}

TEST_F(SentinelCoreTest, QuorumOfOneNeedsNoPeer) {
    topology(/*quorum=*/1);
    world[kMasterId].responsive = false;
    Actions a = run_until("+odown");
    EXPECT_THAT(events(a), Contains("+odown " + kMasterDesc + " #quorum 1/1"));
}

TEST_F(SentinelCoreTest, MalformedAskRepliesAreIgnoredWithALogLine) {
    topology();
    world[kMasterId].responsive = false;
    run_until("+sdown");
    const std::string log =
        "Ignoring a malformed is-master-down-by-addr reply from 127.0.0.1:26380";
    for (const Reply& r :
         {array({integer(1), bulk("*")}), array({bulk("1"), bulk("*"), integer(0)}),
          array({integer(1), integer(7), integer(0)}), array({integer(1), bulk("*"), bulk("0")}),
          error("ERR unknown command 'sentinel'"), integer(1)}) {
        Actions a = reply(sentinel(kPeerId), Purpose::ask_master_down, r);
        EXPECT_THAT(a.logs, ElementsAre(Pair(LogLevel::warning, log)));
        EXPECT_FALSE(master().sentinels.at(kPeerId).says_master_down);
        a = step();
        EXPECT_FALSE(has_event(a, "+odown"));
    }
}

TEST_F(SentinelCoreTest, DownAnswersExpireAfterFiveAskPeriodsWhenThePeerIsGone) {
    topology();
    world[kMasterId].responsive = false;
    run_until("+sdown");
    reply(sentinel(kPeerId), Purpose::ask_master_down, master_down(1, "*", 0));
    const Ms answered = now;
    core.link_down(sentinel(kPeerId), now);  // asked nothing more from now on
    Actions a = step();
    ASSERT_TRUE(has_event(a, "+odown"));
    // Older than 5 ask periods at the tick 5100 ms later; ODOWN is checked before the expiry, so
    // -odown comes one tick after (as in redis-sentinel 7.0).
    a = run_until("-odown", 10'000);
    EXPECT_EQ(now - answered, 5200);
    EXPECT_THAT(events(a), Contains("-odown " + kMasterDesc));
    EXPECT_FALSE(master().sentinels.at(kPeerId).says_master_down);
}

TEST_F(SentinelCoreTest, DownAnswersOfASilentPeerExpire) {
    topology();
    Actions a = master_goes_odown();
    ASSERT_TRUE(has_event(a, "+odown"));
    const Ms answered = now - kTick;
    world[sentinel(kPeerId)].responsive = false;  // hung: connected, silent
    a = run_until("-odown", 10'000);
    EXPECT_EQ(now - answered, 5200);
}

// ---- a full failover as the leader ----

class FullFailoverTest : public SentinelCoreTest, public ::testing::WithParamInterface<bool> {
protected:
    bool renamed() const { return GetParam(); }
    // The name the core must send for `cmd`.
    std::string name(const char* cmd) const {
        if (!renamed()) {
            return cmd;
        }
        std::string lower = cmd;
        for (char& c : lower) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return "vigil-" + lower;
    }
};

TEST_P(FullFailoverTest, PromotesTheBestReplicaReconfiguresTheOtherAndSwitches) {
    auto rename = [this](const char* c) {
        return name(c);
    };
    Actions a = topology(2, [this](Master& m) {
        m.client_reconfig_script = kReconfScript;
        if (renamed()) {
            // As written in `sentinel rename-command`: matched case-insensitively.
            for (const char* cmd : {"Slaveof", "CONFIG", "client", "MULTI", "exec", "INFO", "PING",
                                    "publish", "SENTINEL"}) {
                m.renamed_commands.emplace_back(cmd, name(cmd));
            }
        }
    });
    EXPECT_THAT(sent(a, kMasterId, Purpose::setup),
                ElementsAre(Args{name("CLIENT"), "SETNAME", "sentinel-01234567-cmd"}));
    EXPECT_EQ(sent(a, kMasterId, Purpose::ping).at(0), Args{name("PING")});
    EXPECT_EQ(sent(a, kMasterId, Purpose::info).at(0), Args{name("INFO")});
    EXPECT_EQ(sent(a, sentinel(kPeerId), Purpose::hello).at(0),
              (Args{name("PUBLISH"), "__sentinel__:hello",
                    "127.0.0.1,26379," + kMyId + ",0,mymaster,127.0.0.1,6379,0"}));

    // ---- SDOWN, then ODOWN from the peer's answer: the failover starts ----
    world[kMasterId].responsive = false;
    a = run_until("+sdown");
    EXPECT_THAT(sent(a, sentinel(kPeerId), Purpose::ask_master_down),
                ElementsAre(Args{name("SENTINEL"), "is-master-down-by-addr", "127.0.0.1", "6379",
                                 "0", "*"}));
    reply(sentinel(kPeerId), Purpose::ask_master_down, master_down(1, "*", 0));
    a = step();
    EXPECT_THAT(events(a),
                ElementsAre("+odown " + kMasterDesc + " #quorum 2/2", "+new-epoch 1",
                            "+try-failover " + kMasterDesc, "+vote-for-leader " + kMyId + " 1"));
    EXPECT_TRUE(a.flush_config);  // our own vote
    EXPECT_EQ(core.globals.self.current_epoch, 1u);
    EXPECT_EQ(master().failover_epoch, 1u);
    EXPECT_EQ(master().failover_state, FailoverState::wait_start);
    // The peer is asked for its vote at once, with our run id and the new epoch.
    EXPECT_THAT(sent(a, sentinel(kPeerId), Purpose::ask_master_down),
                ElementsAre(Args{name("SENTINEL"), "is-master-down-by-addr", "127.0.0.1", "6379",
                                 "1", kMyId}));
    // Replicas are polled every second from now on.
    EXPECT_THAT(sent(a, replica(6380), Purpose::info), ElementsAre(Args{name("INFO")}));

    // Our own vote alone is not a majority of the two known sentinels: still waiting.
    a = step();
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_EQ(master().failover_state, FailoverState::wait_start);

    // ---- the peer's vote arrives: elected, replica selected, SLAVEOF NO ONE ----
    a = peer_votes_for_us();
    EXPECT_THAT(events(a), ElementsAre("+elected-leader " + kMasterDesc,
                                       "+failover-state-select-slave " + kMasterDesc,
                                       "+selected-slave " + slave_desc(6380),
                                       "+failover-state-send-slaveof-noone " + slave_desc(6380),
                                       "+failover-state-wait-promotion " + slave_desc(6380)));
    std::vector<OutCommand> tx = outs(a, replica(6380), Purpose::reconfigure);
    ASSERT_EQ(tx.size(), 1u) << "the transaction goes in one write";
    EXPECT_EQ(tx[0].commands, slaveof_transaction({"NO", "ONE"}, rename));
    // Followed by an INFO, to see the promotion without waiting a period.
    EXPECT_THAT(sent(a, replica(6380), Purpose::info), ElementsAre(Args{name("INFO")}));
    std::vector<Purpose> to_promoted;
    for (const OutCommand& c : a.commands) {
        if (c.target == replica(6380) && c.purpose != Purpose::ping &&
            c.purpose != Purpose::hello) {
            to_promoted.push_back(c.purpose);
        }
    }
    EXPECT_THAT(to_promoted, ElementsAre(Purpose::reconfigure, Purpose::info));
    EXPECT_THAT(sent(a, replica(6381), Purpose::reconfigure), IsEmpty());
    EXPECT_EQ(master().failover_state, FailoverState::wait_promotion);
    EXPECT_EQ(master().promoted, "127.0.0.1:6380");
    EXPECT_FALSE(core.crash_requested);
    // Later questions to the peer carry our run id while the failover runs.
    a = run_for(1100);
    EXPECT_THAT(sent(a, sentinel(kPeerId), Purpose::ask_master_down),
                Contains(Args{name("SENTINEL"), "is-master-down-by-addr", "127.0.0.1", "6379", "1",
                              kMyId}));
    EXPECT_THAT(a.events, IsEmpty());

    // ---- the promoted replica reports role:master: RECONF_SLAVES ----
    world[replica(6380)].info = master_info(6380, {});
    a = info(replica(6380), master_info(6380, {}));
    EXPECT_THAT(events(a),
                ElementsAre("-role-change " + slave_desc(6380) + " new reported role is master",
                            "+promoted-slave " + slave_desc(6380),
                            "+failover-state-reconf-slaves " + kMasterDesc));
    EXPECT_TRUE(a.flush_config);
    EXPECT_EQ(master().config_epoch, 1u);
    EXPECT_EQ(master().failover_state, FailoverState::reconf_slaves);
    ASSERT_EQ(a.scripts.size(), 1u);
    EXPECT_EQ(a.scripts[0].path, kReconfScript);
    EXPECT_THAT(a.scripts[0].args, ElementsAre("mymaster", "leader", "start", "127.0.0.1", "6379",
                                               "127.0.0.1", "6380"));
    EXPECT_EQ(SentinelCore::current_address(master()), (Address{"127.0.0.1", 6380}));

    // The next tick sends SLAVEOF <promoted> to the other replica, and hellos at once with the
    // promoted replica's address and the new config epoch.
    a = step();
    EXPECT_THAT(events(a), ElementsAre("+slave-reconf-sent " + slave_desc(6381)));
    tx = outs(a, replica(6381), Purpose::reconfigure);
    ASSERT_EQ(tx.size(), 1u);
    EXPECT_EQ(tx[0].commands, slaveof_transaction({"127.0.0.1", "6380"}, rename));
    EXPECT_THAT(sent(a, replica(6381), Purpose::info), ElementsAre(Args{name("INFO")}));
    EXPECT_THAT(sent(a, replica(6380), Purpose::reconfigure), IsEmpty());
    const Args hello_cmd{name("PUBLISH"), "__sentinel__:hello",
                         "127.0.0.1,26379," + kMyId + ",1,mymaster,127.0.0.1,6380,1"};
    EXPECT_THAT(sent(a, sentinel(kPeerId), Purpose::hello), ElementsAre(hello_cmd));
    EXPECT_THAT(sent(a, replica(6380), Purpose::hello), ElementsAre(hello_cmd));
    EXPECT_THAT(sent(a, replica(6381), Purpose::hello), ElementsAre(hello_cmd));
    EXPECT_THAT(sent(a, kMasterId, Purpose::hello), ElementsAre(hello_cmd));
    // A replica being reconfigured is polled every 100 ms (so every other tick here).
    EXPECT_THAT(sent(step(), replica(6381), Purpose::info), IsEmpty());
    EXPECT_THAT(sent(step(), replica(6381), Purpose::info), ElementsAre(Args{name("INFO")}));

    // ---- its INFO shows the progress ----
    a = info(replica(6381),
             ReplicaInfo{.port = 6381, .master_port = 6380, .link_up = false}.text());
    EXPECT_THAT(events(a), ElementsAre("+slave-reconf-inprog " + slave_desc(6381)));
    world[replica(6381)].info = ReplicaInfo{.port = 6381, .master_port = 6380}.text();
    a = info(replica(6381), world[replica(6381)].info);
    EXPECT_THAT(events(a), ElementsAre("+slave-reconf-done " + slave_desc(6381)));
    EXPECT_EQ(master().failover_state, FailoverState::reconf_slaves);

    // ---- every replica is done: the end, and the switch to the promoted replica ----
    a = step();
    EXPECT_THAT(events(a), ElementsAre("+failover-end " + kMasterDesc,
                                       "+switch-master mymaster 127.0.0.1 6379 127.0.0.1 6380",
                                       "+slave " + slave_desc(6381, 6380),
                                       "+slave " + slave_desc(6379, 6380)));
    EXPECT_TRUE(a.flush_config);
    EXPECT_TRUE(a.links_changed);
    EXPECT_THAT(core.links_to_drop, ElementsAre(kMasterId, replica(6380), replica(6381)));
    EXPECT_EQ(master().addr, (Address{"127.0.0.1", 6380}));
    EXPECT_EQ(master().config_epoch, 1u);
    EXPECT_EQ(master().failover_state, FailoverState::none);
    EXPECT_FALSE(master().failover_in_progress);
    EXPECT_FALSE(master().sdown);
    EXPECT_FALSE(master().odown);
    EXPECT_TRUE(master().promoted.empty());
    EXPECT_FALSE(master().link.connected);
    std::vector<std::string> keys;
    for (const auto& [key, r] : master().replicas) {
        keys.push_back(key);
        EXPECT_FALSE(r.link.connected);
    }
    EXPECT_THAT(keys, ElementsAre("127.0.0.1:6379", "127.0.0.1:6381"));
    EXPECT_EQ(master().sentinels.count(kPeerId), 1u) << "the sentinels are kept";
    EXPECT_EQ(master().renamed_commands.size(), renamed() ? 9u : 0u) << "the options are kept";
}

INSTANTIATE_TEST_SUITE_P(PlainAndRenamed, FullFailoverTest, ::testing::Bool());

// ---- an observer: a newer configuration arrives in a hello ----

TEST_F(SentinelCoreTest, AHelloWithANewerConfigAndAnotherAddressSwitchesTheMaster) {
    topology(2, [](Master& m) { m.client_reconfig_script = kReconfScript; });
    Actions a = hello(peer_hello(1, 6380, 1));
    EXPECT_THAT(
        events(a),
        ElementsAre("+new-epoch 1", "+config-update-from " + sentinel_desc(kPeerId, 26380),
                    "+switch-master mymaster 127.0.0.1 6379 127.0.0.1 6380",
                    "+slave " + slave_desc(6381, 6380), "+slave " + slave_desc(6379, 6380)));
    EXPECT_TRUE(a.flush_config);
    EXPECT_TRUE(a.links_changed);
    ASSERT_EQ(a.scripts.size(), 1u);
    EXPECT_EQ(a.scripts[0].path, kReconfScript);
    EXPECT_THAT(a.scripts[0].args, ElementsAre("mymaster", "observer", "start", "127.0.0.1", "6379",
                                               "127.0.0.1", "6380"));
    EXPECT_THAT(core.links_to_drop, ElementsAre(kMasterId, replica(6380), replica(6381)));
    EXPECT_EQ(master().addr, (Address{"127.0.0.1", 6380}));
    EXPECT_EQ(master().config_epoch, 1u);
    EXPECT_EQ(core.globals.self.current_epoch, 1u);
    EXPECT_FALSE(master().link.connected);
    EXPECT_EQ(master().replicas.size(), 2u);
    EXPECT_EQ(master().replicas.count("127.0.0.1:6379"), 1u);
    EXPECT_EQ(master().sentinels.count(kPeerId), 1u);

    // The same hello again teaches nothing.
    core.links_to_drop.clear();
    a = hello(peer_hello(1, 6380, 1));
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_FALSE(a.flush_config);
    EXPECT_THAT(a.scripts, IsEmpty());
    EXPECT_THAT(core.links_to_drop, IsEmpty());
}

TEST_F(SentinelCoreTest, AHelloWithANewerConfigAtTheSameAddressOnlyRaisesTheEpochs) {
    topology(2, [](Master& m) { m.client_reconfig_script = kReconfScript; });
    Actions a = hello(peer_hello(3, 6379, 2));
    EXPECT_THAT(events(a), ElementsAre("+new-epoch 3"));
    EXPECT_TRUE(a.flush_config);
    EXPECT_THAT(a.scripts, IsEmpty());
    EXPECT_THAT(core.links_to_drop, IsEmpty());
    EXPECT_EQ(master().config_epoch, 2u);
    // An older config epoch with another address is ignored.
    a = hello(peer_hello(3, 6390, 1));
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_EQ(master().addr, (Address{"127.0.0.1", 6379}));
}

TEST_F(SentinelCoreTest, AHelloFromANewSentinelAddsIt) {
    monitor();
    Actions a = hello(peer_hello(0, 6379, 0, kPeer2Id, 26381));
    EXPECT_THAT(events(a), ElementsAre("+sentinel " + sentinel_desc(kPeer2Id, 26381)));
    EXPECT_TRUE(a.flush_config);
    EXPECT_TRUE(a.links_changed);
    std::vector<LinkTarget> targets = core.link_targets();
    ASSERT_EQ(targets.size(), 2u);
    EXPECT_EQ(targets[1].id, sentinel(kPeer2Id));
    EXPECT_EQ(targets[1].addr, (Address{"127.0.0.1", 26381}));
    EXPECT_FALSE(targets[1].pubsub);
    // Our own hello coming back is ignored; a malformed one is logged and ignored.
    a = hello("127.0.0.1,26379," + kMyId + ",5,mymaster,127.0.0.1,6390,5");
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_EQ(core.globals.self.current_epoch, 0u);
    a = hello("127.0.0.1,26381,not-enough-fields");
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_THAT(a.logs, ElementsAre(Pair(LogLevel::verbose,
                                         "Ignoring a malformed hello message: "
                                         "127.0.0.1,26381,not-enough-fields")));
}

// ---- votes (SENTINEL is-master-down-by-addr with a run id) ----

TEST_F(SentinelCoreTest, OneVotePerEpochFirstComeFirstServed) {
    monitor();
    SentinelCore::MasterDownAnswer ans;
    Actions a = ask("peer-a", 5, ans);
    EXPECT_FALSE(ans.down);
    EXPECT_EQ(ans.leader, "peer-a");
    EXPECT_EQ(ans.leader_epoch, 5u);
    EXPECT_THAT(events(a), ElementsAre("+new-epoch 5", "+vote-for-leader peer-a 5"));
    EXPECT_TRUE(a.flush_config);
    EXPECT_EQ(core.globals.self.current_epoch, 5u);

    a = ask("peer-b", 5, ans);  // same epoch: the vote is taken
    EXPECT_EQ(ans.leader, "peer-a");
    EXPECT_EQ(ans.leader_epoch, 5u);
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_FALSE(a.flush_config);

    a = ask("peer-b", 6, ans);  // a newer epoch: a new vote
    EXPECT_EQ(ans.leader, "peer-b");
    EXPECT_EQ(ans.leader_epoch, 6u);
    EXPECT_THAT(events(a), ElementsAre("+new-epoch 6", "+vote-for-leader peer-b 6"));
    EXPECT_TRUE(a.flush_config);

    a = ask("peer-c", 4, ans);  // an older epoch: the current vote
    EXPECT_EQ(ans.leader, "peer-b");
    EXPECT_EQ(ans.leader_epoch, 6u);
    EXPECT_THAT(a.events, IsEmpty());

    a = ask("*", 9, ans);  // no run id: no vote asked for, the epoch is not adopted
    EXPECT_EQ(ans.leader, "*");
    EXPECT_EQ(ans.leader_epoch, 0u);
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_EQ(core.globals.self.current_epoch, 6u);
}

TEST_F(SentinelCoreTest, IsMasterDownAnswersFromTheLocalSdownByAddress) {
    topology();
    SentinelCore::MasterDownAnswer ans;
    ask("*", 0, ans);
    EXPECT_FALSE(ans.down);
    world[kMasterId].responsive = false;
    run_until("+sdown");
    ask("*", 0, ans);
    EXPECT_TRUE(ans.down);
    Actions a;
    ans = core.is_master_down_by_addr("127.0.0.1", 6390, 3, kPeerId, now, a);
    EXPECT_FALSE(ans.down);
    EXPECT_EQ(ans.leader, "*");
    EXPECT_EQ(ans.leader_epoch, 0u);
    EXPECT_THAT(a.events, IsEmpty());
}

TEST_F(SentinelCoreTest, AVoteForAnotherSentinelDelaysOurOwnFailover) {
    topology();
    SentinelCore::MasterDownAnswer ans;
    ask(kPeerId, 1, ans);
    world[sentinel(kPeerId)].ask = master_down(1, "*", 0);
    world[kMasterId].responsive = false;
    Actions a = run_until("+odown");
    merge(a, run_for(5000));
    EXPECT_FALSE(has_event(a, "+try-failover"));
    EXPECT_FALSE(master().failover_in_progress);
    const std::string prefix = "Next failover delay: I will not start a failover before ";
    const auto delays = std::count_if(a.logs.begin(), a.logs.end(), [&](const auto& l) {
        return l.first == LogLevel::warning && l.second.rfind(prefix, 0) == 0;
    });
    EXPECT_EQ(delays, 1) << "logged once";
}

// ---- TILT ----

TEST_F(SentinelCoreTest, NoSdownInTiltButStillVotes) {
    topology();
    now += 3000;  // the timer was late by more than 2 s
    Actions a = tick();
    EXPECT_THAT(events(a), ElementsAre("+tilt #tilt mode entered"));
    EXPECT_TRUE(core.tilt.active);
    EXPECT_THAT(a.scripts, IsEmpty());

    world[kMasterId].responsive = false;
    a = run_for(20'000);
    EXPECT_THAT(a.events, IsEmpty()) << "no SDOWN in TILT";
    EXPECT_THAT(sent(a, kMasterId, Purpose::ping), Not(IsEmpty())) << "the links are still fed";

    SentinelCore::MasterDownAnswer ans;
    a = ask(kPeerId, 1, ans);
    EXPECT_EQ(ans.leader, kPeerId);
    EXPECT_THAT(events(a), ElementsAre("+new-epoch 1", "+vote-for-leader " + kPeerId + " 1"));

    // TILT ends 30 s after it began; the checks resume in the same tick.
    a = run_until("-tilt", 11'000);
    EXPECT_THAT(events(a), ElementsAre("-tilt #tilt mode exited", "+sdown " + kMasterDesc));
}

TEST_F(SentinelCoreTest, IsMasterDownAnswersNotDownInTilt) {
    topology();
    world[kMasterId].responsive = false;
    run_until("+sdown");
    now += 3000;
    Actions a = tick();
    ASSERT_TRUE(core.tilt.active);
    SentinelCore::MasterDownAnswer ans;
    ask("*", 0, ans);
    EXPECT_FALSE(ans.down);
    EXPECT_TRUE(master().sdown);
    run_until("-tilt", 31'000);
    ask("*", 0, ans);
    EXPECT_TRUE(ans.down);
}

TEST_F(SentinelCoreTest, NoConversionOfAReplicaInTilt) {
    topology();
    now += 3000;
    tick();
    ASSERT_TRUE(core.tilt.active);
    Actions a = info(replica(6381), master_info(6381, {}));
    EXPECT_THAT(events(a),
                ElementsAre("-role-change " + slave_desc(6381) + " new reported role is master"))
        << "role changes are still published";
    now += 9000;
    info(kMasterId, master_info(6379, {6380, 6381}));
    a = info(replica(6381), master_info(6381, {}));
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_THAT(sent(a, replica(6381), Purpose::reconfigure), IsEmpty());
}

// ---- steady state ----

TEST_F(SentinelCoreTest, AReplicaReportingMasterIsConvertedAfterEightSeconds) {
    topology();
    const std::string as_master = master_info(6381, {});
    Actions a = info(replica(6381), as_master);
    EXPECT_THAT(events(a),
                ElementsAre("-role-change " + slave_desc(6381) + " new reported role is master"));
    const Ms since = now;
    now = since + 8000;
    info(kMasterId, master_info(6379, {6380, 6381}));  // the master looks sane
    a = info(replica(6381), as_master);
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_THAT(sent(a, replica(6381), Purpose::reconfigure), IsEmpty());
    now = since + 8001;
    a = info(replica(6381), as_master);
    EXPECT_THAT(events(a), ElementsAre("+convert-to-slave " + slave_desc(6381)));
    EXPECT_EQ(sent(a, replica(6381), Purpose::reconfigure),
              slaveof_transaction({"127.0.0.1", "6379"}));
    EXPECT_THAT(sent(a, replica(6381), Purpose::info), IsEmpty());
    EXPECT_FALSE(a.flush_config);
}

TEST_F(SentinelCoreTest, AReplicaReportingMasterIsAskedForInfoEverySecondAndConvertedAtEight) {
    topology();
    world[replica(6381)].info = master_info(6381, {});  // the old master, back as a master
    const std::vector<Ms> first = info_times(replica(6381), 10'200);
    ASSERT_EQ(first.size(), 1u) << "the normal 10 s INFO shows the new role";
    const Ms since = first[0];
    EXPECT_THAT(info_gaps(replica(6381), 4000), AllOf(SizeIs(Ge(2u)), Each(1100)));
    Actions a = run_until("+convert-to-slave", 6000);
    EXPECT_GT(now, since + 8000);
    EXPECT_LE(now, since + 8000 + 1100) << "converted at the first INFO after the 8 s wait";
    EXPECT_EQ(sent(a, replica(6381), Purpose::reconfigure),
              slaveof_transaction({"127.0.0.1", "6379"}));
}

TEST_F(SentinelCoreTest, AReplicaReportingMasterIsLeftAloneWhileTheMasterLooksInsane) {
    topology();
    const std::string as_master = master_info(6381, {});
    info(replica(6381), as_master);
    now += 9000;
    info(kMasterId, ReplicaInfo{.port = 6379, .master_port = 6381}.text());
    Actions a = info(replica(6381), as_master);
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_THAT(sent(a, replica(6381), Purpose::reconfigure), IsEmpty());
    // Nor when the master's INFO is older than 20 s.
    info(kMasterId, master_info(6379, {6380, 6381}));
    now += 20'000;
    a = info(replica(6381), as_master);
    EXPECT_THAT(sent(a, replica(6381), Purpose::reconfigure), IsEmpty());
    now -= 1;
    a = info(replica(6381), as_master);
    EXPECT_THAT(events(a), ElementsAre("+convert-to-slave " + slave_desc(6381)));
}

TEST_F(SentinelCoreTest, AReplicaFollowingTheWrongMasterIsFixedAfterFailoverTimeout) {
    topology();
    const std::string wrong = ReplicaInfo{.port = 6381, .master_port = 7000}.text();
    Actions a = info(replica(6381), wrong);
    EXPECT_THAT(a.events, IsEmpty());
    const Ms since = now;
    now = since + 180'000;
    info(kMasterId, master_info(6379, {6380, 6381}));
    a = info(replica(6381), wrong);
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_THAT(sent(a, replica(6381), Purpose::reconfigure), IsEmpty());
    now = since + 180'001;
    a = info(replica(6381), wrong);
    EXPECT_THAT(events(a), ElementsAre("+fix-slave-config " + slave_desc(6381)));
    EXPECT_EQ(sent(a, replica(6381), Purpose::reconfigure),
              slaveof_transaction({"127.0.0.1", "6379"}));
}

// ---- client commands ----

TEST_F(SentinelCoreTest, MonitorPublishesAndFlushes) {
    Actions a = monitor(2);
    EXPECT_THAT(events(a), ElementsAre("+monitor " + kMasterDesc + " quorum 2"));
    EXPECT_TRUE(a.flush_config);
    EXPECT_TRUE(a.links_changed);
    EXPECT_EQ(master().quorum, 2);
    EXPECT_EQ(master().down_after, 30'000);
    EXPECT_EQ(master().failover_timeout, 180'000);
    EXPECT_EQ(master().parallel_syncs, 1);
    std::vector<LinkTarget> targets = core.link_targets();
    ASSERT_EQ(targets.size(), 1u);
    EXPECT_EQ(targets[0].id, kMasterId);
    EXPECT_EQ(targets[0].addr, (Address{"127.0.0.1", 6379}));
    EXPECT_TRUE(targets[0].pubsub);
}

TEST_F(SentinelCoreTest, RemoveForgetsTheMaster) {
    topology();
    Actions a;
    core.remove("other", a);
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_FALSE(a.flush_config);
    core.remove("mymaster", a);
    EXPECT_THAT(events(a), ElementsAre("-monitor " + kMasterDesc));
    EXPECT_TRUE(a.flush_config);
    EXPECT_TRUE(a.links_changed);
    EXPECT_TRUE(core.masters.empty());
    EXPECT_THAT(core.link_targets(), IsEmpty());
    // Late replies for it are dropped.
    a = reply(kMasterId, Purpose::info, bulk(master_info(6379, {6390})));
    EXPECT_THAT(a.events, IsEmpty());
}

TEST_F(SentinelCoreTest, ResetMatchesAGlobDropsLinksAndDoesNotFlush) {
    topology();
    Actions a;
    EXPECT_EQ(core.reset("other*", now, a), 0);
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_THAT(core.links_to_drop, IsEmpty());
    EXPECT_EQ(core.reset("my*", now, a), 1);
    EXPECT_THAT(events(a), ElementsAre("+reset-master " + kMasterDesc));
    EXPECT_FALSE(a.flush_config);
    EXPECT_TRUE(a.links_changed);
    EXPECT_THAT(core.links_to_drop,
                ElementsAre(kMasterId, replica(6380), replica(6381), sentinel(kPeerId)));
    EXPECT_TRUE(master().replicas.empty());
    EXPECT_TRUE(master().sentinels.empty());
    EXPECT_TRUE(master().runid.empty());
    EXPECT_FALSE(master().link.connected);
    // Relearned from the next INFO.
    core.links_to_drop.clear();
    connect(kMasterId);
    a = tick();
    EXPECT_THAT(events(a), ElementsAre("+slave " + slave_desc(6380), "+slave " + slave_desc(6381)));
}

TEST_F(SentinelCoreTest, ForceFailoverErrors) {
    Actions a;
    EXPECT_EQ(core.force_failover("mymaster", now, a), "ERR No such master with that name");
    monitor();
    EXPECT_EQ(core.force_failover("mymaster", now, a),
              "NOGOODSLAVE No suitable replica to promote");
    EXPECT_THAT(a.events, IsEmpty());
    EXPECT_FALSE(master().failover_in_progress);
    EXPECT_EQ(core.globals.self.current_epoch, 0u);
}

TEST_F(SentinelCoreTest, ForceFailoverNeedsAReplicaThatMayBePromoted) {
    topology();
    world[replica(6380)].info = ReplicaInfo{.port = 6380, .priority = 0}.text();
    world[replica(6381)].info = ReplicaInfo{.port = 6381, .priority = 0}.text();
    run_for(10'100);
    Actions a;
    EXPECT_EQ(core.force_failover("mymaster", now, a),
              "NOGOODSLAVE No suitable replica to promote");
    core.link_down(replica(6380), now);
    world[replica(6381)].info = ReplicaInfo{.port = 6381}.text();
    info(replica(6381), world[replica(6381)].info);
    EXPECT_EQ(core.force_failover("mymaster", now, a), "");
}

TEST_F(SentinelCoreTest, ForceFailoverSkipsTheElection) {
    topology();
    Actions a;
    EXPECT_EQ(core.force_failover("mymaster", now, a), "");
    EXPECT_THAT(events(a), ElementsAre("+new-epoch 1", "+try-failover " + kMasterDesc));
    EXPECT_FALSE(a.flush_config) << "the new epoch is saved with the vote";
    EXPECT_TRUE(has_log(a, "Executing user requested FAILOVER of 'mymaster'"));
    EXPECT_TRUE(master().force_failover);
    Actions again;
    EXPECT_EQ(core.force_failover("mymaster", now, again), "INPROG Failover already in progress");
    EXPECT_THAT(again.events, IsEmpty());

    // Our own vote is one of two: no majority, but a forced failover goes on.
    a = step();
    EXPECT_THAT(events(a),
                ElementsAre("+vote-for-leader " + kMyId + " 1", "+elected-leader " + kMasterDesc,
                            "+failover-state-select-slave " + kMasterDesc,
                            "+selected-slave " + slave_desc(6380),
                            "+failover-state-send-slaveof-noone " + slave_desc(6380),
                            "+failover-state-wait-promotion " + slave_desc(6380)));
    EXPECT_TRUE(a.flush_config);
    EXPECT_EQ(sent(a, replica(6380), Purpose::reconfigure), slaveof_transaction({"NO", "ONE"}));
    EXPECT_THAT(sent(a, sentinel(kPeerId), Purpose::ask_master_down), IsEmpty())
        << "the master is not even SDOWN: nobody is asked";
}

TEST_F(SentinelCoreTest, CheckQuorumCountsTheSentinelsNotDown) {
    topology();
    hello(peer_hello(0, 6379, 0, kPeer2Id, 26381));  // never connected: SDOWN after down-after
    SentinelCore::QuorumCheck q = core.check_quorum(master());
    EXPECT_EQ(q.usable, 3);
    EXPECT_TRUE(q.quorum_ok);
    EXPECT_TRUE(q.majority_ok);
    Actions a = run_until("+sdown", 6000);
    EXPECT_THAT(events(a), ElementsAre("+sdown " + sentinel_desc(kPeer2Id, 26381)));
    q = core.check_quorum(master());
    EXPECT_EQ(q.usable, 2);
    EXPECT_TRUE(q.quorum_ok);
    EXPECT_TRUE(q.majority_ok);  // 2 of 3
    master().quorum = 3;
    q = core.check_quorum(master());
    EXPECT_FALSE(q.quorum_ok);
    EXPECT_TRUE(q.majority_ok);
    world[sentinel(kPeerId)].responsive = false;
    run_until("+sdown", 7000);
    q = core.check_quorum(master());
    EXPECT_EQ(q.usable, 1);
    EXPECT_FALSE(q.quorum_ok);
    EXPECT_FALSE(q.majority_ok);
}

// ---- notification-script ----

TEST_F(SentinelCoreTest, NotificationScriptRunsForWarningEventsOnly) {
    Actions a = topology(2, [](Master& m) { m.notification_script = kNotifyScript; });
    EXPECT_TRUE(has_event(a, "+slave"));  // notice
    EXPECT_TRUE(has_event(a, "+sentinel"));
    EXPECT_THAT(a.scripts, IsEmpty());

    a = info(replica(6380), master_info(6380, {}));  // verbose
    EXPECT_TRUE(has_event(a, "-role-change"));
    EXPECT_THAT(a.scripts, IsEmpty());

    world[kMasterId].responsive = false;
    a = run_until("+sdown");
    ASSERT_EQ(a.scripts.size(), 1u);
    EXPECT_EQ(a.scripts[0].path, kNotifyScript);
    EXPECT_THAT(a.scripts[0].args, ElementsAre("+sdown", kMasterDesc));

    world[replica(6381)].responsive = false;
    a = run_until("+sdown");
    ASSERT_EQ(a.scripts.size(), 1u);
    EXPECT_THAT(a.scripts[0].args, ElementsAre("+sdown", slave_desc(6381)));

    // +tilt concerns no master.
    now += 3000;
    a = tick();
    EXPECT_TRUE(has_event(a, "+tilt"));
    EXPECT_THAT(a.scripts, IsEmpty());
}

// ---- the random start delay after ODOWN ----

TEST_F(SentinelCoreTest, TheFirstRunIdStartsTheFailoverWithinAQuarterTurnOfOdown) {
    core.max_start_delay = 200;
    topology();  // kMyId sorts before every peer: our turn is the first
    Actions a = master_goes_odown();
    ASSERT_TRUE(has_event(a, "+odown"));
    const Ms odown_at = now;
    Ms started_at = has_event(a, "+try-failover") ? now : kNever;
    for (int i = 0; i < 5 && started_at == kNever; ++i) {
        if (has_event(step(), "+try-failover")) {
            started_at = now;
        }
    }
    ASSERT_NE(started_at, kNever) << "started within the delay";
    EXPECT_LE(started_at - odown_at, 50 + kTick);
    EXPECT_GE(master().failover_start_after, odown_at);
    EXPECT_LT(master().failover_start_after, odown_at + 50);
}

TEST_F(SentinelCoreTest, ALaterRunIdWaitsOneTurnPerLiveSentinelBeforeIt) {
    core.max_start_delay = 200;
    core.globals.self.myid = std::string(40, 'f');  // after every peer's run id
    topology();
    ASSERT_FALSE(master().sentinels.empty());
    const Ms live_before = static_cast<Ms>(master().sentinels.size());
    Actions a = master_goes_odown();
    ASSERT_TRUE(has_event(a, "+odown"));
    EXPECT_FALSE(has_event(a, "+try-failover"));
    const Ms odown_at = now;
    EXPECT_GE(master().failover_start_after, odown_at + live_before * 200);
    EXPECT_LT(master().failover_start_after, odown_at + live_before * 200 + 50);
    // A peer considered down takes no turn.
    for (auto& [runid, peer] : master().sentinels) {
        peer.sdown = true;
    }
    master().failover_start_after = kNever;
    step();
    EXPECT_LT(master().failover_start_after, now + 50);
}

TEST_F(SentinelCoreTest, AVoteAskedForDuringTheStartDelayStopsOurOwnAttempt) {
    core.max_start_delay = 200;
    topology();
    world[kMasterId].responsive = false;
    run_until("+sdown");
    // Make the delay as long as it can be, then let the peer ask first.
    reply(sentinel(kPeerId), Purpose::ask_master_down, master_down(1, "*", 0));
    master().failover_start_after = now + kTick + 199;
    Actions a = step();
    ASSERT_TRUE(has_event(a, "+odown"));
    EXPECT_FALSE(has_event(a, "+try-failover"));
    SentinelCore::MasterDownAnswer ans;
    a = ask(kPeerId, 1, ans);
    EXPECT_EQ(ans.leader, kPeerId);
    a = run_for(1000);
    EXPECT_FALSE(has_event(a, "+try-failover")) << "we voted for the peer: no attempt of ours";
    EXPECT_EQ(master().failover_state, FailoverState::none);
}

// ---- SENTINEL SIMULATE-FAILURE ----

TEST_F(SentinelCoreTest, CrashAfterElectionStopsBeforeAReplicaIsSelected) {
    topology();
    core.simulate_failure = SentinelCore::kCrashAfterElection;
    Actions a = master_goes_odown();
    EXPECT_TRUE(has_event(a, "+try-failover"));
    EXPECT_FALSE(core.crash_requested);
    a = peer_votes_for_us();
    EXPECT_TRUE(core.crash_requested);
    EXPECT_THAT(events(a), Contains("+elected-leader " + kMasterDesc));
    EXPECT_FALSE(has_event(a, "+selected-slave"));
    EXPECT_TRUE(master().promoted.empty());
    EXPECT_THAT(sent(a, replica(6380), Purpose::reconfigure), IsEmpty());
}

TEST_F(SentinelCoreTest, CrashAfterPromotionWaitsForThePromotedReplicaToReportMaster) {
    topology(2, [](Master& m) { m.client_reconfig_script = kReconfScript; });
    core.simulate_failure = SentinelCore::kCrashAfterPromotion;
    master_goes_odown();
    Actions a = peer_votes_for_us();
    EXPECT_EQ(sent(a, replica(6380), Purpose::reconfigure), slaveof_transaction({"NO", "ONE"}));
    EXPECT_FALSE(core.crash_requested) << "not promoted yet";
    a = info(replica(6380), master_info(6380, {}));
    EXPECT_TRUE(core.crash_requested);
    EXPECT_TRUE(has_event(a, "+promoted-slave"));
    EXPECT_TRUE(a.flush_config) << "the new config epoch is saved before the crash";
    EXPECT_THAT(a.scripts, IsEmpty()) << "7.0 crashes before the client-reconfig-script";
}

}  // namespace
}  // namespace vigil::sentinel
