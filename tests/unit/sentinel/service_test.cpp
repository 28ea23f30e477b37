// SentinelService without sockets: a fake connection, execute() with arguments, and the exact
// reply bytes compared with what redis-sentinel 7.0.15 sends (docs/sentinel-reference-captures.md,
// whose captures are copied below where the state can be rebuilt field by field).
#include "sentinel/io/service.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace vigil::sentinel {
namespace {

// ---- captured replies (S1 of the captures, healthy state) ----

constexpr std::string_view kCapturedMaster =
    "*40\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\n"
    "port\r\n$5\r\n36741\r\n$5\r\nrunid\r\n$40\r\n"
    "e431fc720ce50a897a8d591f5cb5fe46d65d6643\r\n$5\r\nflags\r\n$6\r\nmaster\r\n"
    "$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
    "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n989\r\n"
    "$15\r\nlast-ping-reply\r\n$3\r\n989\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n"
    "1000\r\n$12\r\ninfo-refresh\r\n$4\r\n5209\r\n$13\r\nrole-reported\r\n$6\r\n"
    "master\r\n$18\r\nrole-reported-time\r\n$4\r\n5236\r\n$12\r\nconfig-epoch\r\n"
    "$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n2\r\n$19\r\nnum-other-sentinels\r\n$1\r\n"
    "2\r\n$6\r\nquorum\r\n$1\r\n2\r\n$16\r\nfailover-timeout\r\n$5\r\n10000\r\n"
    "$14\r\nparallel-syncs\r\n$1\r\n1\r\n";

constexpr std::string_view kCapturedReplica57739 =
    "*42\r\n$4\r\nname\r\n$15\r\n127.0.0.1:57739\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n"
    "$4\r\nport\r\n$5\r\n57739\r\n$5\r\nrunid\r\n$40\r\n"
    "9b48a056f76dd8486391603cd49796a975f2e659\r\n$5\r\nflags\r\n$5\r\nslave\r\n"
    "$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
    "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n989\r\n"
    "$15\r\nlast-ping-reply\r\n$3\r\n989\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n"
    "1000\r\n$12\r\ninfo-refresh\r\n$4\r\n5158\r\n$13\r\nrole-reported\r\n$5\r\n"
    "slave\r\n$18\r\nrole-reported-time\r\n$4\r\n5218\r\n$21\r\n"
    "master-link-down-time\r\n$1\r\n0\r\n$18\r\nmaster-link-status\r\n$2\r\nok\r\n"
    "$11\r\nmaster-host\r\n$9\r\n127.0.0.1\r\n$11\r\nmaster-port\r\n$5\r\n36741\r\n"
    "$14\r\nslave-priority\r\n$3\r\n100\r\n$17\r\nslave-repl-offset\r\n$2\r\n50\r\n"
    "$17\r\nreplica-announced\r\n$1\r\n1\r\n";

constexpr std::string_view kCapturedReplica55137 =
    "*42\r\n$4\r\nname\r\n$15\r\n127.0.0.1:55137\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n"
    "$4\r\nport\r\n$5\r\n55137\r\n$5\r\nrunid\r\n$40\r\n"
    "095d2c78421135a5a7203657be153b7eff4dd9ed\r\n$5\r\nflags\r\n$5\r\nslave\r\n"
    "$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
    "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n989\r\n"
    "$15\r\nlast-ping-reply\r\n$3\r\n989\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n"
    "1000\r\n$12\r\ninfo-refresh\r\n$4\r\n5158\r\n$13\r\nrole-reported\r\n$5\r\n"
    "slave\r\n$18\r\nrole-reported-time\r\n$4\r\n5220\r\n$21\r\n"
    "master-link-down-time\r\n$1\r\n0\r\n$18\r\nmaster-link-status\r\n$2\r\nok\r\n"
    "$11\r\nmaster-host\r\n$9\r\n127.0.0.1\r\n$11\r\nmaster-port\r\n$5\r\n36741\r\n"
    "$14\r\nslave-priority\r\n$3\r\n100\r\n$17\r\nslave-repl-offset\r\n$2\r\n50\r\n"
    "$17\r\nreplica-announced\r\n$1\r\n1\r\n";

constexpr std::string_view kCapturedSentinelE2ed =
    "*28\r\n$4\r\nname\r\n$40\r\ne2ed5381cf392f89b7a144e304e710923af3db26\r\n$2\r\n"
    "ip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n48193\r\n$5\r\nrunid\r\n$40\r\n"
    "e2ed5381cf392f89b7a144e304e710923af3db26\r\n$5\r\nflags\r\n$8\r\nsentinel\r\n"
    "$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
    "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n990\r\n"
    "$15\r\nlast-ping-reply\r\n$3\r\n990\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n"
    "1000\r\n$18\r\nlast-hello-message\r\n$4\r\n1079\r\n$12\r\nvoted-leader\r\n$1\r\n"
    "?\r\n$18\r\nvoted-leader-epoch\r\n$1\r\n0\r\n";

constexpr std::string_view kCapturedSentinel8fe8 =
    "*28\r\n$4\r\nname\r\n$40\r\n8fe8b585c9834d0d48fb07a06c6069c0b903dd99\r\n$2\r\n"
    "ip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n58251\r\n$5\r\nrunid\r\n$40\r\n"
    "8fe8b585c9834d0d48fb07a06c6069c0b903dd99\r\n$5\r\nflags\r\n$8\r\nsentinel\r\n"
    "$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
    "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$2\r\n39\r\n"
    "$15\r\nlast-ping-reply\r\n$2\r\n39\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n"
    "1000\r\n$18\r\nlast-hello-message\r\n$4\r\n1083\r\n$12\r\nvoted-leader\r\n$1\r\n"
    "?\r\n$18\r\nvoted-leader-epoch\r\n$1\r\n0\r\n";

constexpr std::string_view kCapturedDebug =
    "*26\r\n$11\r\nINFO-PERIOD\r\n$5\r\n10000\r\n$11\r\nPING-PERIOD\r\n$4\r\n1000\r\n"
    "$10\r\nASK-PERIOD\r\n$4\r\n1000\r\n$14\r\nPUBLISH-PERIOD\r\n$4\r\n2000\r\n"
    "$18\r\nDEFAULT-DOWN-AFTER\r\n$5\r\n30000\r\n$24\r\nDEFAULT-FAILOVER-TIMEOUT\r\n"
    "$6\r\n180000\r\n$12\r\nTILT-TRIGGER\r\n$4\r\n2000\r\n$11\r\nTILT-PERIOD\r\n"
    "$5\r\n30000\r\n$20\r\nSLAVE-RECONF-TIMEOUT\r\n$5\r\n10000\r\n$25\r\n"
    "MIN-LINK-RECONNECT-PERIOD\r\n$5\r\n15000\r\n$16\r\nELECTION-TIMEOUT\r\n$5\r\n"
    "10000\r\n$18\r\nSCRIPT-MAX-RUNTIME\r\n$5\r\n60000\r\n$18\r\n"
    "SCRIPT-RETRY-DELAY\r\n$5\r\n30000\r\n";

constexpr std::string_view kCapturedConfigGetAll =
    "*12\r\n$17\r\nresolve-hostnames\r\n$2\r\nno\r\n$18\r\nannounce-hostnames\r\n"
    "$2\r\nno\r\n$11\r\nannounce-ip\r\n$0\r\n\r\n$13\r\nannounce-port\r\n$1\r\n0\r\n"
    "$13\r\nsentinel-user\r\n$0\r\n\r\n$13\r\nsentinel-pass\r\n$0\r\n\r\n";

constexpr std::string_view kCapturedHelp =
    "*49\r\n+SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
    "+CKQUORUM <master-name>\r\n"
    "+    Check if the current Sentinel configuration is able to reach the quorum\r\n"
    "+    needed to failover a master and the majority needed to authorize the\r\n"
    "+    failover.\r\n+CONFIG SET <param> <value>\r\n"
    "+    Set a global Sentinel configuration parameter.\r\n+CONFIG GET <param>\r\n"
    "+    Get global Sentinel configuration parameter.\r\n"
    "+DEBUG [<param> <value> ...]\r\n"
    "+    Show a list of configurable time parameters and their values (milliseconds).\r\n"
    "+    Or update current configurable parameters values (one or more).\r\n"
    "+GET-MASTER-ADDR-BY-NAME <master-name>\r\n"
    "+    Return the ip and port number of the master with that name.\r\n"
    "+FAILOVER <master-name>\r\n"
    "+    Manually failover a master node without asking for agreement from other\r\n"
    "+    Sentinels\r\n+FLUSHCONFIG\r\n"
    "+    Force Sentinel to rewrite its configuration on disk, including the current\r\n"
    "+    Sentinel state.\r\n+INFO-CACHE <master-name>\r\n"
    "+    Return last cached INFO output from masters and all its replicas.\r\n"
    "+IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>\r\n"
    "+    Check if the master specified by ip:port is down from current Sentinel's\r\n"
    "+    point of view.\r\n+MASTER <master-name>\r\n"
    "+    Show the state and info of the specified master.\r\n+MASTERS\r\n"
    "+    Show a list of monitored masters and their state.\r\n"
    "+MONITOR <name> <ip> <port> <quorum>\r\n"
    "+    Start monitoring a new master with the specified name, ip, port and quorum.\r\n"
    "+MYID\r\n+    Return the ID of the Sentinel instance.\r\n+PENDING-SCRIPTS\r\n"
    "+    Get pending scripts information.\r\n+REMOVE <master-name>\r\n"
    "+    Remove master from Sentinel's monitor list.\r\n+REPLICAS <master-name>\r\n"
    "+    Show a list of replicas for this master and their state.\r\n"
    "+RESET <pattern>\r\n"
    "+    Reset masters for specific master name matching this pattern.\r\n"
    "+SENTINELS <master-name>\r\n"
    "+    Show a list of Sentinel instances for this master and their state.\r\n"
    "+SET <master-name> <option> <value> [<option> <value> ...]\r\n"
    "+    Set configuration parameters for certain masters.\r\n"
    "+SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]\r\n"
    "+    Simulate a Sentinel crash.\r\n+HELP\r\n+    Prints this help.\r\n";

constexpr std::string_view kCapturedInfoSentinel =
    "$255\r\n# Sentinel\r\nsentinel_masters:1\r\nsentinel_tilt:0\r\n"
    "sentinel_tilt_since_seconds:-1\r\nsentinel_running_scripts:0\r\n"
    "sentinel_scripts_queue_length:0\r\nsentinel_simulate_failure_flags:0\r\n"
    "master0:name=mymaster,status=ok,address=127.0.0.1:36741,slaves=2,sentinels=3\r\n"
    "\r\n";

constexpr std::string_view kCapturedCommandList =
    "publish info client client|unpause client|trackinginfo client|id client|getredir "
    "client|caching client|list client|no-evict client|getname client|info client|pause "
    "client|unblock client|tracking client|help client|setname client|kill client|reply "
    "unsubscribe ping command command|count command|docs command|help command|list "
    "command|getkeysandflags command|getkeys command|info role punsubscribe acl acl|deluser "
    "acl|genpass acl|save acl|list acl|log acl|whoami acl|load acl|users acl|help acl|dryrun "
    "acl|cat acl|setuser acl|getuser psubscribe auth subscribe sentinel "
    "sentinel|is-master-down-by-addr sentinel|config sentinel|monitor sentinel|info-cache "
    "sentinel|reset sentinel|failover sentinel|masters sentinel|get-master-addr-by-name "
    "sentinel|help sentinel|sentinels sentinel|debug sentinel|myid sentinel|slaves sentinel|master "
    "sentinel|ckquorum sentinel|simulate-failure sentinel|pending-scripts sentinel|set "
    "sentinel|remove sentinel|flushconfig sentinel|replicas shutdown hello";

constexpr std::string_view kMyId = "f9a4783b35e16e9650b71400e78a138f7a6cbe03";

class FakeConnection : public common::Connection {
public:
    explicit FakeConnection(std::string peer) : peer_(std::move(peer)) {}
    void deliver(std::string_view bytes) override { pushed += bytes; }
    void close_after_reply() override { closed_after_reply = true; }
    void close_now() override { closed = true; }
    void resume() override { ++resumed; }
    std::size_t pending_output() const override { return 0; }
    const std::string& peer() const override { return peer_; }
    const std::string& local() const override { return local_; }
    int fd() const override { return 9; }

    std::string pushed;
    bool closed_after_reply = false;
    bool closed = false;
    int resumed = 0;

private:
    std::string peer_;
    std::string local_ = "127.0.0.1:26379";
};

struct Conn {
    std::unique_ptr<FakeConnection> fake;
    std::unique_ptr<common::ClientContext> ctx;
};

class SentinelServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        core.globals.self.myid = std::string(kMyId);
        make();
    }

    void make(ServiceSettings settings = {}) {
        if (service) {
            disconnect_all();
        }
        ServiceHooks hooks;
        hooks.now = [this] {
            return now;
        };
        hooks.perform = [this](Actions& a) {
            for (const Event& e : a.events) {
                events.push_back(e.type + " " + e.text);
                service->publish_event(e);
            }
            for (const auto& [level, line] : a.logs) {
                logs.push_back(line);
            }
            for (const auto& s : a.scripts) {
                scripts_run.push_back(s.path);
            }
            flush_requests += a.flush_config ? 1 : 0;
            links_changed += a.links_changed ? 1 : 0;
        };
        hooks.save_config = [this] {
            ++saves;
            return save_ok;
        };
        hooks.shutdown = [this] {
            ++shutdowns;
        };
        hooks.pending_scripts = [this] {
            return pending;
        };
        hooks.process_info = [] {
            ProcessInfo p;
            p.run_id = "2cb50581776fe26c840ba592f1695edfedb3435e";
            p.tcp_port = 58807;
            p.executable = "/usr/bin/vigil-sentinel";
            p.config_file = "/tmp/s1.conf";
            p.process_id = 24995;
            p.uptime_seconds = 11;
            return p;
        };
        service = std::make_unique<SentinelService>(core, std::move(hooks), std::move(settings));
    }

    Conn& connect(std::string peer = "127.0.0.1:50000") {
        auto c = std::make_unique<Conn>();
        c->fake = std::make_unique<FakeConnection>(std::move(peer));
        std::string out;
        c->ctx = service->on_connect(*c->fake, out);
        EXPECT_NE(c->ctx, nullptr) << out;
        clients.push_back(std::move(c));
        return *clients.back();
    }

    std::string run(Conn& c, std::vector<std::string_view> args) {
        std::string out;
        EXPECT_EQ(service->execute(*c.ctx, args, out), common::ExecStatus::done);
        return out;
    }
    std::string run(std::vector<std::string_view> args) {
        if (clients.empty()) {
            connect();
        }
        return run(*clients.front(), std::move(args));
    }

    // The healthy state of the captures: mymaster at 127.0.0.1:36741 with two replicas and two
    // other sentinels, all answering, INFO 5 s old.
    void captured_state() {
        Actions a;
        core.monitor("mymaster", {"127.0.0.1", 36741}, 2, now, a);
        Master& m = core.masters.at("mymaster");
        m.runid = "e431fc720ce50a897a8d591f5cb5fe46d65d6643";
        answering(m, 989);
        m.down_after = 1000;
        m.failover_timeout = 10000;
        m.info_refresh = now - 5209;
        m.role_reported_time = now - 5236;
        add_replica(m, 57739, "9b48a056f76dd8486391603cd49796a975f2e659", 5218);
        add_replica(m, 55137, "095d2c78421135a5a7203657be153b7eff4dd9ed", 5220);
        add_sentinel(m, "e2ed5381cf392f89b7a144e304e710923af3db26", 48193, 990, 1079);
        add_sentinel(m, "8fe8b585c9834d0d48fb07a06c6069c0b903dd99", 58251, 39, 1083);
    }

    void answering(Instance& inst, Ms ping_ago) {
        inst.link.connected = true;
        inst.link.act_ping_time = kNever;
        inst.link.last_avail_time = now - ping_ago;
        inst.link.last_pong_time = now - ping_ago;
    }

    void add_replica(Master& m, int port, const std::string& runid, Ms role_ago) {
        Instance r;
        r.kind = Kind::replica;
        r.addr = {"127.0.0.1", port};
        r.name = r.addr.str();
        r.runid = runid;
        answering(r, 989);
        r.info_refresh = now - 5158;
        r.reported_as_replica = true;
        r.role_reported_time = now - role_ago;
        r.reported_master = {"127.0.0.1", 36741};
        r.reported_master_link_up = true;
        r.repl_offset = 50;
        m.replicas[r.name] = r;
    }

    void add_sentinel(Master& m, const std::string& runid, int port, Ms ping_ago, Ms hello_ago) {
        Instance s;
        s.kind = Kind::sentinel;
        s.name = runid;
        s.runid = runid;
        s.addr = {"127.0.0.1", port};
        answering(s, ping_ago);
        s.last_hello_time = now - hello_ago;
        m.sentinels[runid] = s;
    }

    void TearDown() override { disconnect_all(); }

    void disconnect_all() {
        for (auto& c : clients) {
            service->on_disconnect(*c->ctx);
        }
        clients.clear();
    }

    SentinelCore core{7};
    Ms now = 1'795'279'309'136;
    std::unique_ptr<SentinelService> service;
    std::vector<std::unique_ptr<Conn>> clients;
    std::vector<std::string> events;
    std::vector<std::string> logs;
    std::vector<std::string> scripts_run;
    std::vector<PendingScript> pending;
    int flush_requests = 0;
    int links_changed = 0;
    int saves = 0;
    bool save_ok = true;
    int shutdowns = 0;
};

std::string bulk(std::string_view s) {
    return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

// Splits a RESP2 flat map (an instance map) into its field names.
std::vector<std::string> field_names(std::string_view map) {
    std::vector<std::string> out;
    std::size_t pos = map.find("\r\n") + 2;  // after "*N"
    bool name = true;
    while (pos < map.size()) {
        const std::size_t eol = map.find("\r\n", pos);
        if (map[pos] != '$') {
            break;
        }
        const auto len = static_cast<std::size_t>(std::stoul(std::string(map.substr(pos + 1))));
        if (name) {
            out.emplace_back(map.substr(eol + 2, len));
        }
        name = !name;
        pos = eol + 2 + len + 2;
    }
    return out;
}

// ---- instance maps ----

TEST_F(SentinelServiceTest, MasterMapIsTheCapturedOne) {
    captured_state();
    EXPECT_EQ(run({"SENTINEL", "MASTER", "mymaster"}), kCapturedMaster);
    EXPECT_EQ(run({"sentinel", "masters"}), "*1\r\n" + std::string(kCapturedMaster));
}

TEST_F(SentinelServiceTest, MasterMapIsAMapInResp3) {
    captured_state();
    Conn& c = connect();
    run(c, {"HELLO", "3"});
    const std::string r = run(c, {"SENTINEL", "MASTER", "mymaster"});
    EXPECT_EQ(r, "%20" + std::string(kCapturedMaster.substr(3)));
    EXPECT_EQ(run(c, {"SENTINEL", "MASTERS"}), "*1\r\n" + r);
}

TEST_F(SentinelServiceTest, ReplicasAndSlavesAreTheCapturedMaps) {
    captured_state();
    const std::string expected =
        "*2\r\n" + std::string(kCapturedReplica55137) + std::string(kCapturedReplica57739);
    EXPECT_EQ(run({"SENTINEL", "REPLICAS", "mymaster"}), expected);
    EXPECT_EQ(run({"SENTINEL", "SLAVES", "mymaster"}), expected);
}

TEST_F(SentinelServiceTest, ReplicasHideTheUnannouncedOnes) {
    captured_state();
    core.masters.at("mymaster").replicas.at("127.0.0.1:55137").replica_announced = false;
    EXPECT_EQ(run({"SENTINEL", "REPLICAS", "mymaster"}),
              "*1\r\n" + std::string(kCapturedReplica57739));
    // Still counted as a replica of the master.
    EXPECT_NE(run({"SENTINEL", "MASTER", "mymaster"}).find("num-slaves\r\n$1\r\n2\r\n"),
              std::string::npos);
}

TEST_F(SentinelServiceTest, SentinelsAreTheCapturedMaps) {
    captured_state();
    EXPECT_EQ(run({"SENTINEL", "SENTINELS", "mymaster"}),
              "*2\r\n" + std::string(kCapturedSentinel8fe8) + std::string(kCapturedSentinelE2ed));
    Conn& c = connect();
    run(c, {"HELLO", "3"});
    const std::string r3 = run(c, {"SENTINEL", "SENTINELS", "mymaster"});
    EXPECT_EQ(r3.substr(0, 9), "*2\r\n%14\r\n");
}

TEST_F(SentinelServiceTest, DownReplicaShowsSdownTimeAndUnknownMaster) {
    captured_state();
    Master& m = core.masters.at("mymaster");
    Instance& r = m.replicas.at("127.0.0.1:55137");
    r.runid.clear();
    r.sdown = true;
    r.sdown_since = now - 4180;
    r.link.connected = false;
    r.link.pending_commands = 3;
    r.link.act_ping_time = now - 5255;
    r.info_refresh = 0;
    r.reported_master = {};
    r.reported_master_link_up = false;
    const std::string reply = run({"SENTINEL", "REPLICAS", "mymaster"});
    const std::string down = reply.substr(4, reply.find("*42\r\n", 5) - 4);
    const std::vector<std::string> expected = {"name",
                                               "ip",
                                               "port",
                                               "runid",
                                               "flags",
                                               "link-pending-commands",
                                               "link-refcount",
                                               "last-ping-sent",
                                               "last-ok-ping-reply",
                                               "last-ping-reply",
                                               "s-down-time",
                                               "down-after-milliseconds",
                                               "info-refresh",
                                               "role-reported",
                                               "role-reported-time",
                                               "master-link-down-time",
                                               "master-link-status",
                                               "master-host",
                                               "master-port",
                                               "slave-priority",
                                               "slave-repl-offset",
                                               "replica-announced"};
    EXPECT_EQ(field_names(down), expected);
    EXPECT_EQ(down.substr(0, 5), "*44\r\n");
    EXPECT_NE(down.find("$5\r\nrunid\r\n$0\r\n\r\n"), std::string::npos);
    EXPECT_NE(down.find("flags\r\n" + bulk("s_down,slave,disconnected")), std::string::npos);
    EXPECT_NE(down.find("s-down-time\r\n$4\r\n4180\r\n"), std::string::npos);
    EXPECT_NE(down.find("last-ping-sent\r\n$4\r\n5255\r\n"), std::string::npos);
    EXPECT_NE(down.find("master-link-status\r\n$3\r\nerr\r\n$11\r\nmaster-host"),
              std::string::npos);
    EXPECT_NE(down.find("master-host\r\n$1\r\n?\r\n$11\r\nmaster-port\r\n$1\r\n0\r\n"),
              std::string::npos);
}

TEST_F(SentinelServiceTest, MasterMapDuringAFailover) {
    captured_state();
    Master& m = core.masters.at("mymaster");
    m.sdown = true;
    m.sdown_since = now - 1500;
    m.odown = true;
    m.odown_since = now - 1400;
    m.failover_in_progress = true;
    m.failover_state = FailoverState::wait_promotion;
    m.force_failover = true;
    m.promoted = "127.0.0.1:55137";
    m.notification_script = "/bin/true";
    m.replicas.at("127.0.0.1:57739").reconf = ReconfState::sent;
    const std::string reply = run({"SENTINEL", "MASTER", "mymaster"});
    const std::vector<std::string> expected = {"name",
                                               "ip",
                                               "port",
                                               "runid",
                                               "flags",
                                               "link-pending-commands",
                                               "link-refcount",
                                               "failover-state",
                                               "last-ping-sent",
                                               "last-ok-ping-reply",
                                               "last-ping-reply",
                                               "s-down-time",
                                               "o-down-time",
                                               "down-after-milliseconds",
                                               "info-refresh",
                                               "role-reported",
                                               "role-reported-time",
                                               "config-epoch",
                                               "num-slaves",
                                               "num-other-sentinels",
                                               "quorum",
                                               "failover-timeout",
                                               "parallel-syncs",
                                               "notification-script"};
    EXPECT_EQ(field_names(reply), expected);
    EXPECT_NE(reply.find(bulk("s_down,o_down,master,failover_in_progress,force_failover")),
              std::string::npos);
    EXPECT_NE(reply.find("failover-state\r\n$14\r\nwait_promotion\r\n"), std::string::npos);
    const std::string replicas = run({"SENTINEL", "REPLICAS", "mymaster"});
    EXPECT_NE(replicas.find("$14\r\nslave,promoted\r\n"), std::string::npos);
    EXPECT_NE(replicas.find("$17\r\nslave,reconf_sent\r\n"), std::string::npos);
}

TEST_F(SentinelServiceTest, UnknownMasterErrors) {
    captured_state();
    for (std::string_view sub :
         {"MASTER", "REPLICAS", "SLAVES", "SENTINELS", "CKQUORUM", "FAILOVER", "REMOVE"}) {
        EXPECT_EQ(run({"SENTINEL", sub, "nosuch"}), "-ERR No such master with that name\r\n")
            << sub;
    }
    EXPECT_EQ(run({"SENTINEL", "SET", "nosuch", "quorum", "2"}),
              "-ERR No such master with that name\r\n");
    EXPECT_EQ(run({"SENTINEL", "RESET", "nosuch"}), ":0\r\n");
    EXPECT_EQ(run({"SENTINEL", "INFO-CACHE", "nosuch"}), "*0\r\n");
}

// ---- addresses and votes ----

TEST_F(SentinelServiceTest, GetMasterAddrByName) {
    captured_state();
    EXPECT_EQ(run({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"}),
              "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n36741\r\n");
    EXPECT_EQ(run({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"}), "*-1\r\n");
    Conn& c = connect();
    run(c, {"HELLO", "3"});
    EXPECT_EQ(run(c, {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nosuch"}), "_\r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"}),
              "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n36741\r\n");
}

TEST_F(SentinelServiceTest, IsMasterDownByAddrVotesFirstComeFirstServed) {
    captured_state();
    const std::string none = "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n";
    EXPECT_EQ(run({"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "36741", "0", "*"}), none);
    EXPECT_EQ(run({"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "1", "0", "*"}), none);
    const std::string a = "0123456789012345678901234567890123456789";
    const std::string b = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";
    const std::string first = "*3\r\n:0\r\n$40\r\n" + a + "\r\n:100\r\n";
    EXPECT_EQ(run({"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "36741", "100", a}), first);
    EXPECT_EQ(core.globals.self.current_epoch, 100U);
    EXPECT_EQ(run({"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "36741", "100", b}), first);
    EXPECT_EQ(run({"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "36741", "99", b}), first);
    EXPECT_EQ(run({"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "36741", "101", "*"}), none);
    EXPECT_NE(std::find(events.begin(), events.end(), "+new-epoch 100"), events.end());
    EXPECT_NE(std::find(events.begin(), events.end(), "+vote-for-leader " + a + " 100"),
              events.end());
    EXPECT_GT(flush_requests, 0);
}

TEST_F(SentinelServiceTest, IsMasterDownByAddrReportsSdown) {
    captured_state();
    Master& m = core.masters.at("mymaster");
    m.sdown = true;
    EXPECT_EQ(run({"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "36741", "0", "*"}),
              "*3\r\n:1\r\n$1\r\n*\r\n:0\r\n");
    core.tilt.active = true;  // in TILT the answer is always 0
    EXPECT_EQ(run({"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "36741", "0", "*"}),
              "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n");
}

TEST_F(SentinelServiceTest, IsMasterDownByAddrErrors) {
    captured_state();
    const std::string bad = "-ERR value is not an integer or out of range\r\n";
    EXPECT_EQ(run({"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "abc", "0", "*"}), bad);
    EXPECT_EQ(run({"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "36741", "abc", "*"}), bad);
    EXPECT_EQ(run({"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "36741", "0"}),
              "-ERR wrong number of arguments for 'sentinel|is-master-down-by-addr' command\r\n");
}

// ---- quorum, config, scripts, id ----

TEST_F(SentinelServiceTest, CkquorumTexts) {
    captured_state();
    EXPECT_EQ(run({"SENTINEL", "CKQUORUM", "mymaster"}),
              "+OK 3 usable Sentinels. Quorum and failover authorization can be reached\r\n");
    Master& m = core.masters.at("mymaster");
    m.quorum = 5;
    EXPECT_EQ(run({"SENTINEL", "CKQUORUM", "mymaster"}),
              "-NOQUORUM 3 usable Sentinels. Not enough available Sentinels to reach the "
              "specified quorum for this master\r\n");
    m.quorum = 1;
    add_sentinel(m, "1111111111111111111111111111111111111111", 1, 0, 0);
    add_sentinel(m, "2222222222222222222222222222222222222222", 2, 0, 0);
    for (auto& [id, s] : m.sentinels) {
        s.sdown = true;
    }
    EXPECT_EQ(run({"SENTINEL", "CKQUORUM", "mymaster"}),
              "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the "
              "majority and authorize a failover\r\n");
    m.quorum = 2;
    EXPECT_EQ(run({"SENTINEL", "CKQUORUM", "mymaster"}),
              "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the "
              "specified quorum for this master. Not enough available Sentinels to reach the "
              "majority and authorize a failover\r\n");
}

TEST_F(SentinelServiceTest, FlushconfigRepliesTheSaveResult) {
    EXPECT_EQ(run({"SENTINEL", "FLUSHCONFIG"}), "+OK\r\n");
    EXPECT_EQ(saves, 1);
    save_ok = false;
    EXPECT_EQ(run({"SENTINEL", "FLUSHCONFIG"}),
              "-ERR Failed to save config file. Check server logs.\r\n");
    EXPECT_EQ(run({"SENTINEL", "FLUSHCONFIG", "x"}),
              "-ERR wrong number of arguments for 'sentinel|flushconfig' command\r\n");
}

TEST_F(SentinelServiceTest, PendingScripts) {
    EXPECT_EQ(run({"SENTINEL", "PENDING-SCRIPTS"}), "*0\r\n");
    pending.push_back({{"/bin/notify", "+sdown", "master m 1.2.3.4 6379"}, true, 4242, 1500, 0});
    pending.push_back({{"/bin/notify", "-sdown"}, false, 0, 30000, 2});
    EXPECT_EQ(run({"SENTINEL", "PENDING-SCRIPTS"}),
              "*2\r\n*10\r\n$4\r\nargv\r\n*3\r\n$11\r\n/bin/notify\r\n$6\r\n+sdown\r\n$21\r\n"
              "master m 1.2.3.4 6379\r\n$5\r\nflags\r\n$7\r\nrunning\r\n$3\r\npid\r\n$4\r\n4242\r\n"
              "$8\r\nrun-time\r\n$4\r\n1500\r\n$9\r\nretry-num\r\n$1\r\n0\r\n"
              "*10\r\n$4\r\nargv\r\n*2\r\n$11\r\n/bin/notify\r\n$6\r\n-sdown\r\n$5\r\nflags\r\n"
              "$9\r\nscheduled\r\n$3\r\npid\r\n$1\r\n0\r\n$9\r\nrun-delay\r\n$5\r\n30000\r\n"
              "$9\r\nretry-num\r\n$1\r\n2\r\n");
    const std::string info = run({"INFO", "sentinel"});
    EXPECT_NE(info.find("sentinel_running_scripts:1\r\nsentinel_scripts_queue_length:2\r\n"),
              std::string::npos);
}

TEST_F(SentinelServiceTest, Resp3KeepsArraysAndTurnsMapsIntoMaps) {
    captured_state();
    pending.push_back({{"/bin/notify"}, false, 0, 0, 1});
    Conn& c = connect();
    run(c, {"HELLO", "3"});
    EXPECT_EQ(run(c, {"SENTINEL", "PENDING-SCRIPTS"}).substr(0, 8), "*1\r\n%5\r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "36741", "0", "*"}),
              "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "INFO-CACHE", "mymaster"}),
              "*2\r\n$8\r\nmymaster\r\n*3\r\n*2\r\n:5209\r\n_\r\n*2\r\n:5158\r\n_\r\n*2\r\n"
              ":5158\r\n_\r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "SIMULATE-FAILURE", "help"}),
              "*2\r\n$20\r\ncrash-after-election\r\n$21\r\ncrash-after-promotion\r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "REPLICAS", "mymaster"}).substr(0, 9), "*2\r\n%21\r\n");
}

TEST_F(SentinelServiceTest, Myid) {
    EXPECT_EQ(run({"SENTINEL", "MYID"}), "$40\r\n" + std::string(kMyId) + "\r\n");
    EXPECT_EQ(run({"SeNtInEl", "MyId"}), "$40\r\n" + std::string(kMyId) + "\r\n");
    EXPECT_EQ(run({"SENTINEL", "MYID", "x"}),
              "-ERR wrong number of arguments for 'sentinel|myid' command\r\n");
}

TEST_F(SentinelServiceTest, InfoCache) {
    captured_state();
    Master& m = core.masters.at("mymaster");
    m.info_text = "# Server\r\nrun_id:e431\r\n";
    EXPECT_EQ(run({"SENTINEL", "INFO-CACHE", "mymaster", "nosuch", "mymaster"}),
              "*2\r\n$8\r\nmymaster\r\n*3\r\n*2\r\n:5209\r\n$23\r\n# Server\r\nrun_id:e431\r\n\r\n"
              "*2\r\n:5158\r\n$-1\r\n*2\r\n:5158\r\n$-1\r\n");
    EXPECT_EQ(run({"SENTINEL", "INFO-CACHE", "nosuch"}), "*0\r\n");
}

TEST_F(SentinelServiceTest, SimulateFailure) {
    const std::string help =
        "*2\r\n$20\r\ncrash-after-election\r\n$21\r\ncrash-after-promotion\r\n";
    EXPECT_EQ(run({"SENTINEL", "SIMULATE-FAILURE", "help"}), help);
    EXPECT_EQ(run({"SENTINEL", "SIMULATE-FAILURE", "crash-after-election"}), "+OK\r\n");
    EXPECT_EQ(core.simulate_failure, SentinelCore::kCrashAfterElection);
    EXPECT_NE(run({"INFO", "sentinel"}).find("sentinel_simulate_failure_flags:1\r\n"),
              std::string::npos);
    EXPECT_EQ(run({"SENTINEL", "SIMULATE-FAILURE", "bogus"}),
              "-ERR Unknown failure simulation specified\r\n");
    EXPECT_EQ(core.simulate_failure, 0);  // cleared before the arguments are read
    EXPECT_EQ(
        run({"SENTINEL", "SIMULATE-FAILURE", "CRASH-AFTER-PROMOTION", "crash-after-election"}),
        "+OK\r\n");
    EXPECT_EQ(core.simulate_failure, 3);
    EXPECT_EQ(run({"SENTINEL", "SIMULATE-FAILURE", "help", "bogus"}), help);
    EXPECT_EQ(core.simulate_failure, 0);
}

TEST_F(SentinelServiceTest, DebugTimers) {
    EXPECT_EQ(run({"SENTINEL", "DEBUG"}), kCapturedDebug);
    EXPECT_EQ(run({"SENTINEL", "DEBUG", "info-period", "10000"}), "+OK\r\n");
    EXPECT_EQ(run({"SENTINEL", "DEBUG", "PING-PERIOD", "500", "tilt-period", "100"}), "+OK\r\n");
    EXPECT_EQ(core.timers.ping_period, 500);
    EXPECT_EQ(core.timers.tilt_period, 100);
    EXPECT_EQ(run({"SENTINEL", "DEBUG", "info-period", "-1"}),
              "-ERR Invalid argument '-1' for SENTINEL DEBUG 'info-period'\r\n");
    EXPECT_EQ(run({"SENTINEL", "DEBUG", "info-period", "abc"}),
              "-ERR Invalid argument 'abc' for SENTINEL DEBUG 'info-period'\r\n");
    EXPECT_EQ(run({"SENTINEL", "DEBUG", "nosuch", "1"}),
              "-ERR Unknown option or number of arguments for SENTINEL DEBUG 'nosuch'\r\n");
    EXPECT_EQ(run({"SENTINEL", "DEBUG", "info-period"}),
              "-ERR Unknown option or number of arguments for SENTINEL DEBUG 'info-period'\r\n");
    Conn& c = connect();
    run(c, {"HELLO", "3"});
    EXPECT_EQ(run(c, {"SENTINEL", "DEBUG"}).substr(0, 5), "%13\r\n");
}

TEST_F(SentinelServiceTest, ConfigGetAndSet) {
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "GET", "*"}), kCapturedConfigGetAll);
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "GET", "resolve-*"}),
              "*2\r\n$17\r\nresolve-hostnames\r\n$2\r\nno\r\n");
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "GET", "nosuch"}), "*0\r\n");
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "SET", "announce-hostnames", "no"}), "+OK\r\n");
    EXPECT_EQ(saves, 1);
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "SET", "RESOLVE-HOSTNAMES", "YES"}), "+OK\r\n");
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "GET", "RESOLVE-*"}),
              "*2\r\n$17\r\nresolve-hostnames\r\n$3\r\nyes\r\n");
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "SET", "resolve-hostnames", "maybe"}),
              "-ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'resolve-hostnames'\r\n");
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "SET", "nosuch", "x"}),
              "-ERR Invalid argument 'nosuch' to SENTINEL CONFIG SET\r\n");
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "SET", "announce-port", "abc"}),
              "-ERR Invalid value 'abc' to SENTINEL CONFIG SET 'announce-port'\r\n");
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "SET", "announce-port", "70000"}),
              "-ERR Invalid value '70000' to SENTINEL CONFIG SET 'announce-port'\r\n");
    const std::string only =
        "-ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.\r\n";
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "GET"}), only);
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "FOO", "x"}), only);
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "SET", "a", "b", "c", "d"}), only);
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "GET", "a", "b"}), only);
    EXPECT_EQ(run({"SENTINEL", "CONFIG"}),
              "-ERR wrong number of arguments for 'sentinel|config' command\r\n");
    Conn& c = connect();
    run(c, {"HELLO", "3"});
    EXPECT_EQ(run(c, {"SENTINEL", "CONFIG", "GET", "announce-*"}),
              "%3\r\n$18\r\nannounce-hostnames\r\n$2\r\nno\r\n$11\r\nannounce-ip\r\n$0\r\n\r\n"
              "$13\r\nannounce-port\r\n$1\r\n0\r\n");
}

TEST_F(SentinelServiceTest, ConfigSetSentinelPassDropsTheSentinelLinks) {
    captured_state();
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "SET", "sentinel-pass", "s3cret"}), "+OK\r\n");
    EXPECT_EQ(core.globals.sentinel_pass, "s3cret");
    EXPECT_EQ(core.links_to_drop.size(), 2U);
    EXPECT_EQ(core.links_to_drop[0].kind, Kind::sentinel);
    // Printed in clear, as redis-sentinel does.
    EXPECT_NE(run({"SENTINEL", "CONFIG", "GET", "sentinel-pass"}).find("s3cret"),
              std::string::npos);
    save_ok = false;
    EXPECT_EQ(run({"SENTINEL", "CONFIG", "SET", "announce-ip", "10.0.0.1"}),
              "-ERR Failed to save config file. Check server logs.\r\n");
    EXPECT_EQ(core.globals.announce_ip, "10.0.0.1");
}

TEST_F(SentinelServiceTest, HelpIsTheCapturedOne) {
    EXPECT_EQ(run({"SENTINEL", "HELP"}), kCapturedHelp);
}

// ---- MONITOR, SET, REMOVE, RESET, FAILOVER ----

TEST_F(SentinelServiceTest, MonitorAddsAMasterSavesAndAnnounces) {
    EXPECT_EQ(run({"SENTINEL", "MONITOR", "solo", "127.0.0.1", "45905", "1"}), "+OK\r\n");
    ASSERT_NE(core.find_master("solo"), nullptr);
    EXPECT_EQ(core.find_master("solo")->quorum, 1);
    EXPECT_EQ(core.find_master("solo")->down_after, 30000);
    EXPECT_EQ(saves, 1);
    EXPECT_EQ(flush_requests, 0);  // saved by the command, not again by perform
    EXPECT_EQ(links_changed, 1);
    EXPECT_EQ(events, std::vector<std::string>{"+monitor master solo 127.0.0.1 45905 quorum 1"});
    // Port 0 and a second name for a monitored address are accepted.
    EXPECT_EQ(run({"SENTINEL", "MONITOR", "x1", "127.0.0.1", "0", "2"}), "+OK\r\n");
    EXPECT_EQ(run({"SENTINEL", "MONITOR", "other", "127.0.0.1", "45905", "2"}), "+OK\r\n");
    // Addresses are normalised.
    EXPECT_EQ(run({"SENTINEL", "MONITOR", "v6", "0:0::1", "1234", "1"}), "+OK\r\n");
    EXPECT_EQ(core.find_master("v6")->addr.host, "::1");
    save_ok = false;
    EXPECT_EQ(run({"SENTINEL", "MONITOR", "x2", "127.0.0.1", "1", "1"}),
              "-ERR Failed to save config file. Check server logs.\r\n");
}

TEST_F(SentinelServiceTest, MonitorValidation) {
    captured_state();
    struct Case {
        std::vector<std::string_view> args;
        std::string_view reply;
    };
    const Case cases[] = {
        {{"mymaster", "127.0.0.1", "36741", "2"}, "-ERR Duplicate master name.\r\n"},
        {{"x1", "127.0.0.1", "abc", "2"}, "-ERR Invalid port\r\n"},
        {{"x1", "127.0.0.1", "70000", "2"}, "-ERR Invalid port number.\r\n"},
        {{"x1", "127.0.0.1", "-5", "2"}, "-ERR Invalid port number.\r\n"},
        {{"x1", "127.0.0.1", "45905", "0"}, "-ERR Quorum must be 1 or greater.\r\n"},
        {{"x1", "127.0.0.1", "45905", "abc"}, "-ERR Invalid quorum\r\n"},
        {{"x1", "127.0.0.1", "45905", "-1"}, "-ERR Quorum must be 1 or greater.\r\n"},
        {{"x1", "localhost", "45905", "1"}, "-ERR Invalid IP address or hostname specified\r\n"},
        {{"x1", "999.1.1.1", "45905", "1"}, "-ERR Invalid IP address or hostname specified\r\n"},
        {{"x1", "127.0.0.1", "abc", "x"}, "-ERR Invalid quorum\r\n"},
        {{"mymaster", "127.0.0.1", "70000", "1"}, "-ERR Invalid port number.\r\n"},
    };
    for (const Case& c : cases) {
        std::vector<std::string_view> args = {"SENTINEL", "MONITOR"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        EXPECT_EQ(run(args), c.reply) << c.args[0] << " " << c.args[2] << " " << c.args[3];
    }
    EXPECT_EQ(run({"SENTINEL", "MONITOR", "x", "127.0.0.1", "1"}),
              "-ERR wrong number of arguments for 'sentinel|monitor' command\r\n");
    EXPECT_EQ(saves, 0);
    EXPECT_EQ(core.masters.size(), 1U);
}

TEST_F(SentinelServiceTest, SetAppliesEveryOptionWithItsEvent) {
    captured_state();
    EXPECT_EQ(run({"SENTINEL", "SET",
                   "mymaster", "QUORUM",
                   "3",        "Parallel-Syncs",
                   "2",        "down-after-milliseconds",
                   "5000",     "failover-timeout",
                   "60000",    "master-reboot-down-after-period",
                   "0",        "auth-user",
                   "bob",      "auth-pass",
                   "secret",   "rename-command",
                   "CONFIG",   "MYCONFIG"}),
              "+OK\r\n");
    const Master& m = core.masters.at("mymaster");
    EXPECT_EQ(m.quorum, 3);
    EXPECT_EQ(m.parallel_syncs, 2);
    EXPECT_EQ(m.down_after, 5000);
    EXPECT_EQ(m.failover_timeout, 60000);
    EXPECT_EQ(m.auth_user, "bob");
    EXPECT_EQ(m.auth_pass, "secret");
    ASSERT_EQ(m.renamed_commands.size(), 1U);
    EXPECT_EQ(m.renamed_commands[0], (std::pair<std::string, std::string>{"config", "MYCONFIG"}));
    const std::string d = "+set master mymaster 127.0.0.1 36741 ";
    EXPECT_EQ(events, (std::vector<std::string>{
                          d + "QUORUM 3", d + "Parallel-Syncs 2",
                          d + "down-after-milliseconds 5000", d + "failover-timeout 60000",
                          d + "master-reboot-down-after-period 0", d + "auth-user bob",
                          d + "auth-pass ******", d + "rename-command CONFIG MYCONFIG"}));
    EXPECT_EQ(saves, 1);
    // The links of the master and its replicas are dropped (new credentials).
    ASSERT_EQ(core.links_to_drop.size(), 3U);
    EXPECT_EQ(core.links_to_drop[0].kind, Kind::master);
    EXPECT_EQ(core.links_to_drop[1].kind, Kind::replica);
    // Renaming to itself removes the rename; clearing the password is also redacted.
    events.clear();
    EXPECT_EQ(
        run({"SENTINEL", "SET", "mymaster", "rename-command", "config", "config", "auth-pass", ""}),
        "+OK\r\n");
    EXPECT_TRUE(core.masters.at("mymaster").renamed_commands.empty());
    EXPECT_EQ(events.back(), d + "auth-pass ******");
}

TEST_F(SentinelServiceTest, SetValidation) {
    captured_state();
    const auto set = [this](std::vector<std::string_view> more) {
        std::vector<std::string_view> args = {"SENTINEL", "SET", "mymaster"};
        args.insert(args.end(), more.begin(), more.end());
        return run(args);
    };
    EXPECT_EQ(set({"nosuchopt", "1"}),
              "-ERR Unknown option or number of arguments for SENTINEL SET 'nosuchopt'\r\n");
    EXPECT_EQ(set({"quorum", "abc"}), "-ERR Invalid argument 'abc' for SENTINEL SET 'quorum'\r\n");
    EXPECT_EQ(set({"quorum", "0"}), "-ERR Invalid argument '0' for SENTINEL SET 'quorum'\r\n");
    EXPECT_EQ(set({"quorum", "01"}), "-ERR Invalid argument '01' for SENTINEL SET 'quorum'\r\n");
    EXPECT_EQ(set({"quorum", "+1"}), "-ERR Invalid argument '+1' for SENTINEL SET 'quorum'\r\n");
    EXPECT_EQ(set({"down-after-milliseconds", "0"}),
              "-ERR Invalid argument '0' for SENTINEL SET 'down-after-milliseconds'\r\n");
    EXPECT_EQ(set({"down-after-milliseconds", "abc"}),
              "-ERR Invalid argument 'abc' for SENTINEL SET 'down-after-milliseconds'\r\n");
    EXPECT_EQ(set({"parallel-syncs", "-1"}),
              "-ERR Invalid argument '-1' for SENTINEL SET 'parallel-syncs'\r\n");
    EXPECT_EQ(set({"failover-timeout", "x"}),
              "-ERR Invalid argument 'x' for SENTINEL SET 'failover-timeout'\r\n");
    EXPECT_EQ(set({"master-reboot-down-after-period", "-1"}),
              "-ERR Invalid argument '-1' for SENTINEL SET 'master-reboot-down-after-period'\r\n");
    EXPECT_EQ(set({"notification-script", "/bin/true"}),
              "-ERR Reconfiguration of scripts path is denied for security reasons. Check the "
              "deny-scripts-reconfig configuration directive in your Sentinel configuration\r\n");
    EXPECT_EQ(set({"rename-command", "PING"}),
              "-ERR Unknown option or number of arguments for SENTINEL SET 'rename-command'\r\n");
    EXPECT_EQ(set({"rename-command", "", "x"}),
              "-ERR Invalid argument '' for SENTINEL SET 'rename-command'\r\n");
    EXPECT_EQ(set({"quorum"}), "-ERR wrong number of arguments for 'sentinel|set' command\r\n");
    EXPECT_EQ(saves, 0);
    EXPECT_TRUE(events.empty());
    // Not atomic: what came before the bad option is applied, announced and saved.
    EXPECT_EQ(set({"quorum", "4", "nosuchopt"}),
              "-ERR Unknown option or number of arguments for SENTINEL SET 'nosuchopt'\r\n");
    EXPECT_EQ(core.masters.at("mymaster").quorum, 4);
    EXPECT_EQ(events, std::vector<std::string>{"+set master mymaster 127.0.0.1 36741 quorum 4"});
    EXPECT_EQ(saves, 1);
    // A failed save is an error in Vigil.
    save_ok = false;
    EXPECT_EQ(set({"quorum", "2"}), "-ERR Failed to save config file. Check server logs.\r\n");
}

TEST_F(SentinelServiceTest, SetScriptsWhenAllowed) {
    captured_state();
    core.globals.deny_scripts_reconfig = false;
    const std::string plain = ::testing::TempDir() + "/vigil-service-test-not-executable";
    std::FILE* f = std::fopen(plain.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
    ::chmod(plain.c_str(), 0644);
    EXPECT_EQ(run({"SENTINEL", "SET", "mymaster", "notification-script", plain}),
              "-ERR Notification script seems non existing or non executable\r\n");
    EXPECT_EQ(run({"SENTINEL", "SET", "mymaster", "client-reconfig-script", "/nonexistent"}),
              "-ERR Client reconfiguration script seems non existing or non executable\r\n");
    EXPECT_EQ(run({"SENTINEL", "SET", "mymaster", "notification-script", "/bin/sh"}), "+OK\r\n");
    EXPECT_EQ(core.masters.at("mymaster").notification_script, "/bin/sh");
    // +set is a warning about the master: the new notification script runs for it.
    EXPECT_EQ(scripts_run, std::vector<std::string>{"/bin/sh"});
    EXPECT_NE(run({"SENTINEL", "MASTER", "mymaster"}).find("notification-script\r\n$7\r\n/bin/sh"),
              std::string::npos);
    EXPECT_EQ(run({"SENTINEL", "SET", "mymaster", "notification-script", ""}), "+OK\r\n");
    EXPECT_EQ(core.masters.at("mymaster").notification_script, "");
}

TEST_F(SentinelServiceTest, RemoveResetFailover) {
    captured_state();
    Actions a;
    core.monitor("solo", {"127.0.0.1", 45905}, 1, now, a);
    events.clear();
    EXPECT_EQ(run({"SENTINEL", "FAILOVER", "solo"}),
              "-NOGOODSLAVE No suitable replica to promote\r\n");
    core.masters.at("solo").failover_in_progress = true;
    EXPECT_EQ(run({"SENTINEL", "FAILOVER", "solo"}), "-INPROG Failover already in progress\r\n");
    EXPECT_EQ(run({"SENTINEL", "REMOVE", "solo"}), "+OK\r\n");
    EXPECT_EQ(core.find_master("solo"), nullptr);
    EXPECT_EQ(events, std::vector<std::string>{"-monitor master solo 127.0.0.1 45905"});
    EXPECT_EQ(saves, 1);
    EXPECT_EQ(run({"SENTINEL", "RESET", "nomatch*"}), ":0\r\n");
    EXPECT_EQ(run({"SENTINEL", "RESET", "*"}), ":1\r\n");
    EXPECT_EQ(events.back(), "+reset-master master mymaster 127.0.0.1 36741");
    EXPECT_EQ(saves, 1);  // RESET is not saved
    EXPECT_TRUE(core.masters.at("mymaster").replicas.empty());
    EXPECT_TRUE(core.masters.at("mymaster").sentinels.empty());
    ASSERT_FALSE(core.links_to_drop.empty());
    EXPECT_EQ(core.links_to_drop.back().master, "mymaster");
    EXPECT_EQ(run({"SENTINEL", "SENTINELS", "mymaster"}), "*0\r\n");
}

TEST_F(SentinelServiceTest, ForcedFailoverStarts) {
    captured_state();
    EXPECT_EQ(run({"SENTINEL", "FAILOVER", "mymaster"}), "+OK\r\n");
    const Master& m = core.masters.at("mymaster");
    EXPECT_TRUE(m.failover_in_progress);
    EXPECT_TRUE(m.force_failover);
    EXPECT_EQ(run({"SENTINEL", "FAILOVER", "mymaster"}),
              "-INPROG Failover already in progress\r\n");
    EXPECT_EQ(field_names(run({"SENTINEL", "MASTER", "mymaster"}))[7], "failover-state");
}

// ---- the dispatcher's errors ----

TEST_F(SentinelServiceTest, ArityAndSubcommandErrors) {
    captured_state();
    const std::pair<std::vector<std::string_view>, std::string_view> cases[] = {
        {{"SENTINEL", "MASTER"},
         "-ERR wrong number of arguments for 'sentinel|master' command\r\n"},
        {{"SENTINEL", "MASTER", "a", "b"},
         "-ERR wrong number of arguments for 'sentinel|master' command\r\n"},
        {{"SENTINEL", "MASTERS", "x"},
         "-ERR wrong number of arguments for 'sentinel|masters' command\r\n"},
        {{"SENTINEL", "SET", "mymaster"},
         "-ERR wrong number of arguments for 'sentinel|set' command\r\n"},
        {{"SENTINEL", "NOSUCHSUB"}, "-ERR unknown subcommand 'NOSUCHSUB'. Try SENTINEL HELP.\r\n"},
        {{"SENTINEL", "nosuchsub", "a", "b"},
         "-ERR unknown subcommand 'nosuchsub'. Try SENTINEL HELP.\r\n"},
        {{"sentinel", "nosuchsub"}, "-ERR unknown subcommand 'nosuchsub'. Try SENTINEL HELP.\r\n"},
        {{"SENTINEL"}, "-ERR wrong number of arguments for 'sentinel' command\r\n"},
        {{"CLIENT"}, "-ERR wrong number of arguments for 'client' command\r\n"},
        {{"CLIENT", "SETNAME"}, "-ERR wrong number of arguments for 'client|setname' command\r\n"},
        {{"ACL"}, "-ERR wrong number of arguments for 'acl' command\r\n"},
        {{"ACL", "NOSUCH"}, "-ERR unknown subcommand 'NOSUCH'. Try ACL HELP.\r\n"},
        {{"SUBSCRIBE"}, "-ERR wrong number of arguments for 'subscribe' command\r\n"},
        {{"PUBLISH"}, "-ERR wrong number of arguments for 'publish' command\r\n"},
    };
    for (const auto& [args, reply] : cases) {
        EXPECT_EQ(run(args), reply) << args[0];
    }
}

TEST_F(SentinelServiceTest, UnknownCommandsAreWordedAsRedis70) {
    const std::pair<std::vector<std::string_view>, std::string_view> cases[] = {
        {{"GET", "k"}, "-ERR unknown command 'GET', with args beginning with: 'k' \r\n"},
        {{"SET", "k", "v"}, "-ERR unknown command 'SET', with args beginning with: 'k' 'v' \r\n"},
        {{"CONFIG", "GET", "port"},
         "-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'port' \r\n"},
        {{"MULTI"}, "-ERR unknown command 'MULTI', with args beginning with: \r\n"},
        {{"QUIT"}, "-ERR unknown command 'QUIT', with args beginning with: \r\n"},
        {{"REPLICAOF", "NO", "ONE"},
         "-ERR unknown command 'REPLICAOF', with args beginning with: 'NO' 'ONE' \r\n"},
        {{"ECHO", "a\r\nb"}, "-ERR unknown command 'ECHO', with args beginning with: 'a  b' \r\n"},
    };
    for (const auto& [args, reply] : cases) {
        EXPECT_EQ(run(args), reply) << args[0];
    }
    const std::string long_arg(200, 'x');
    const std::string r = run({"FOO", long_arg, "y"});
    EXPECT_EQ(r, "-ERR unknown command 'FOO', with args beginning with: '" + std::string(128, 'x') +
                     "' \r\n");
}

// ---- PUBLISH and events ----

TEST_F(SentinelServiceTest, PublishOnlyTakesHellos) {
    captured_state();
    EXPECT_EQ(run({"PUBLISH", "foo", "bar"}),
              "-ERR Only HELLO messages are accepted by Sentinel instances.\r\n");
    EXPECT_EQ(run({"PUBLISH", "__sentinel__:hello", "garbage"}), ":1\r\n");
    const std::string runid = "3333333333333333333333333333333333333333";
    const std::string hello = "127.0.0.1,26390," + runid + ",0,mymaster,127.0.0.1,36741,0";
    EXPECT_EQ(run({"PUBLISH", "__sentinel__:hello", hello}), ":1\r\n");
    const Master& m = core.masters.at("mymaster");
    ASSERT_EQ(m.sentinels.count(runid), 1U);
    EXPECT_EQ(m.sentinels.at(runid).addr.port, 26390);
    EXPECT_NE(std::find_if(events.begin(), events.end(),
                           [](const std::string& e) { return e.rfind("+sentinel ", 0) == 0; }),
              events.end());
}

TEST_F(SentinelServiceTest, SubscribersReceiveEvents) {
    Conn& sub = connect();
    EXPECT_EQ(run(sub, {"SUBSCRIBE", "+switch-master"}),
              "*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n");
    Conn& psub = connect();
    EXPECT_EQ(run(psub, {"PSUBSCRIBE", "*"}), "*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n");
    Conn& resp3 = connect();
    run(resp3, {"HELLO", "3"});
    EXPECT_EQ(run(resp3, {"SUBSCRIBE", "+sdown"}),
              ">3\r\n$9\r\nsubscribe\r\n$6\r\n+sdown\r\n:1\r\n");
    service->publish_event({"+switch-master", "mymaster 127.0.0.1 6379 127.0.0.1 6380"});
    EXPECT_EQ(sub.fake->pushed,
              "*3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n$38\r\n"
              "mymaster 127.0.0.1 6379 127.0.0.1 6380\r\n");
    EXPECT_EQ(psub.fake->pushed,
              "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$14\r\n+switch-master\r\n$38\r\n"
              "mymaster 127.0.0.1 6379 127.0.0.1 6380\r\n");
    service->publish_event({"+sdown", "master mymaster 127.0.0.1 6379"});
    EXPECT_EQ(resp3.fake->pushed,
              ">3\r\n$7\r\nmessage\r\n$6\r\n+sdown\r\n$30\r\nmaster mymaster 127.0.0.1 6379\r\n");
    // Debug-level events are never published.
    psub.fake->pushed.clear();
    service->publish_event({"-cmd-link-reconnection", "x"});
    EXPECT_EQ(psub.fake->pushed, "");
    // In RESP2 a subscriber may only (un)subscribe and PING.
    EXPECT_EQ(run(sub, {"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    EXPECT_EQ(run(sub, {"SENTINEL", "MYID"}),
              "-ERR Can't execute 'sentinel|myid': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
              "PING / QUIT / RESET are allowed in this context\r\n");
    EXPECT_EQ(run(sub, {"UNSUBSCRIBE"}),
              "*3\r\n$11\r\nunsubscribe\r\n$14\r\n+switch-master\r\n:0\r\n");
    EXPECT_EQ(run(sub, {"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
    EXPECT_EQ(run(sub, {"ROLE"}), "*2\r\n$8\r\nsentinel\r\n*0\r\n");
}

TEST_F(SentinelServiceTest, CommandEventsReachSubscribers) {
    captured_state();
    Conn& sub = connect();
    run(sub, {"PSUBSCRIBE", "+*"});
    Conn& admin = connect();
    EXPECT_EQ(run(admin, {"SENTINEL", "SET", "mymaster", "quorum", "2"}), "+OK\r\n");
    EXPECT_EQ(sub.fake->pushed,
              "*4\r\n$8\r\npmessage\r\n$2\r\n+*\r\n$4\r\n+set\r\n$40\r\n"
              "master mymaster 127.0.0.1 36741 quorum 2\r\n");
}

// ---- connection commands ----

TEST_F(SentinelServiceTest, PingRoleHello) {
    captured_state();
    EXPECT_EQ(run({"PING"}), "+PONG\r\n");
    EXPECT_EQ(run({"PING", "hi"}), "$2\r\nhi\r\n");
    EXPECT_EQ(run({"ROLE"}), "*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n");
    Conn& c = connect();
    const std::string id = std::to_string(clients.size());
    const std::string body =
        "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
        "$5\r\nproto\r\n:";
    const std::string tail =
        "\r\n$2\r\nid\r\n:" + id + "\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n";
    EXPECT_EQ(run(c, {"HELLO"}), "*12\r\n" + body + "2" + tail);
    EXPECT_EQ(run(c, {"HELLO", "3"}), "%6\r\n" + body + "3" + tail);
    EXPECT_EQ(run(c, {"ROLE"}), "*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n");
    EXPECT_EQ(run(c, {"INFO", "sentinel"}).substr(0, 6), "$255\r\n");
    EXPECT_EQ(run(c, {"HELLO", "2"}), "*12\r\n" + body + "2" + tail);
    EXPECT_EQ(run(c, {"HELLO", "4"}), "-NOPROTO unsupported protocol version\r\n");
    EXPECT_EQ(run(c, {"HELLO", "abc"}),
              "-ERR Protocol version is not an integer or out of range\r\n");
    EXPECT_EQ(run(c, {"HELLO", "3", "bogus"}), "-ERR Syntax error in HELLO option 'bogus'\r\n");
    EXPECT_EQ(run(c, {"HELLO", "3", "SETNAME", "a b"}),
              "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
}

TEST_F(SentinelServiceTest, AuthWithRequirepassAndAclUsers) {
    ServiceSettings settings;
    settings.requirepass = "secret";
    settings.users.push_back({"alice", "on", ">apw", "+ping", "+sentinel|myid", "+subscribe"});
    make(settings);
    Conn& c = connect();
    EXPECT_EQ(run(c, {"PING"}), "-NOAUTH Authentication required.\r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "MYID"}), "-NOAUTH Authentication required.\r\n");
    // Existence and arity come before authentication.
    EXPECT_EQ(run(c, {"NOSUCH", "x"}),
              "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "NOSUCH"}),
              "-ERR unknown subcommand 'NOSUCH'. Try SENTINEL HELP.\r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "MASTER"}),
              "-ERR wrong number of arguments for 'sentinel|master' command\r\n");
    EXPECT_EQ(run(c, {"HELLO", "3"}),
              "-NOAUTH HELLO must be called with the client already authenticated, otherwise "
              "the HELLO AUTH <user> <pass> option can be used to authenticate the client and "
              "select the RESP protocol version at the same time\r\n");
    EXPECT_EQ(run(c, {"AUTH"}), "-ERR wrong number of arguments for 'auth' command\r\n");
    EXPECT_EQ(run(c, {"AUTH", "wrong"}),
              "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    EXPECT_EQ(run(c, {"AUTH", "a", "b", "c"}), "-ERR syntax error\r\n");
    EXPECT_EQ(run(c, {"AUTH", "alice", "apw"}), "+OK\r\n");
    EXPECT_EQ(run(c, {"PING"}), "+PONG\r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "MYID"}), "$40\r\n" + std::string(kMyId) + "\r\n");
    EXPECT_EQ(run(c, {"ACL", "WHOAMI"}),
              "-NOPERM this user has no permissions to run the 'acl|whoami' command\r\n");
    EXPECT_EQ(run(c, {"SENTINEL", "MASTERS"}),
              "-NOPERM this user has no permissions to run the 'sentinel|masters' command\r\n");
    EXPECT_EQ(run(c, {"SUBSCRIBE", "x"}),
              "-NOPERM this user has no permissions to access one of the channels used as "
              "arguments\r\n");
    Conn& d = connect();
    EXPECT_EQ(run(d, {"AUTH", "secret"}), "+OK\r\n");
    EXPECT_EQ(run(d, {"ACL", "WHOAMI"}), "$7\r\ndefault\r\n");
    Conn& e = connect();
    EXPECT_NE(run(e, {"HELLO", "3", "AUTH", "default", "secret"}).find("%6\r\n"),
              std::string::npos);
}

TEST_F(SentinelServiceTest, AuthWithoutPassword) {
    EXPECT_EQ(run({"AUTH", "x"}),
              "-ERR AUTH <password> called without any password configured for the default "
              "user. Are you sure your configuration is correct?\r\n");
    EXPECT_EQ(run({"AUTH", "nosuch", "x"}),
              "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    EXPECT_EQ(run({"ACL", "WHOAMI"}), "$7\r\ndefault\r\n");
}

TEST_F(SentinelServiceTest, BadUserLineIsRejected) {
    ServiceSettings settings;
    settings.users.push_back({"bob", "+get"});
    EXPECT_THROW(make(settings), std::invalid_argument);
}

TEST_F(SentinelServiceTest, RenamedAndDisabledCommands) {
    ServiceSettings settings;
    settings.renamed_commands = {{"SENTINEL", "MYSENTINEL"}, {"shutdown", ""}};
    make(settings);
    EXPECT_EQ(run({"SENTINEL", "MYID"}),
              "-ERR unknown command 'SENTINEL', with args beginning with: 'MYID' \r\n");
    EXPECT_EQ(run({"mysentinel", "myid"}), "$40\r\n" + std::string(kMyId) + "\r\n");
    EXPECT_EQ(run({"MYSENTINEL", "NOSUCH"}),
              "-ERR unknown subcommand 'NOSUCH'. Try MYSENTINEL HELP.\r\n");
    EXPECT_EQ(run({"MYSENTINEL", "MASTER"}),
              "-ERR wrong number of arguments for 'sentinel|master' command\r\n");
    EXPECT_EQ(run({"SHUTDOWN"}), "-ERR unknown command 'SHUTDOWN', with args beginning with: \r\n");
    EXPECT_EQ(run({"COMMAND", "COUNT"}), ":14\r\n");
    ServiceSettings bad;
    bad.renamed_commands = {{"nosuch", "x"}};
    EXPECT_THROW(make(bad), std::invalid_argument);
}

TEST_F(SentinelServiceTest, Shutdown) {
    EXPECT_EQ(run({"SHUTDOWN", "ABORT"}), "-ERR No shutdown in progress.\r\n");
    EXPECT_EQ(run({"SHUTDOWN", "bogus"}), "-ERR syntax error\r\n");
    EXPECT_EQ(run({"SHUTDOWN", "SAVE", "NOSAVE"}), "-ERR syntax error\r\n");
    EXPECT_EQ(run({"SHUTDOWN", "NOSAVE", "ABORT"}), "-ERR syntax error\r\n");
    EXPECT_EQ(shutdowns, 0);
    EXPECT_EQ(run({"SHUTDOWN", "SAVE"}), "");  // never saves, no reply
    EXPECT_EQ(shutdowns, 1);
    EXPECT_TRUE(clients.front()->ctx->close_requested);
}

TEST_F(SentinelServiceTest, MaxClients) {
    ServiceSettings settings;
    settings.maxclients = 1;
    make(settings);
    connect();
    FakeConnection extra("127.0.0.1:1");
    std::string out;
    EXPECT_EQ(service->on_connect(extra, out), nullptr);
    EXPECT_EQ(out, "-ERR max number of clients reached\r\n");
    EXPECT_EQ(service->stats().rejected_connections, 1U);
}

// ---- COMMAND, ACL, CLIENT ----

TEST_F(SentinelServiceTest, CommandCountListAndInfo) {
    EXPECT_EQ(run({"COMMAND", "COUNT"}), ":15\r\n");
    const std::string list = run({"COMMAND", "LIST"});
    std::string expected = "*72\r\n";
    std::string_view names = kCapturedCommandList;
    while (!names.empty()) {
        const std::size_t sp = names.find(' ');
        const std::string_view n = names.substr(0, sp);
        expected += "$" + std::to_string(n.size()) + "\r\n" + std::string(n) + "\r\n";
        names = sp == std::string_view::npos ? std::string_view() : names.substr(sp + 1);
    }
    EXPECT_EQ(list, expected);
    EXPECT_EQ(run({"COMMAND", "INFO", "ping"}),
              "*1\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n"
              "+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\n"
              "response_policy:all_succeeded\r\n*0\r\n*0\r\n");
    EXPECT_EQ(run({"COMMAND", "INFO", "nosuch"}), "*1\r\n$-1\r\n");
    EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "pubsub"}),
              "*5\r\n$7\r\npublish\r\n$11\r\nunsubscribe\r\n$12\r\npunsubscribe\r\n"
              "$10\r\npsubscribe\r\n$9\r\nsubscribe\r\n");
    EXPECT_EQ(run({"COMMAND", "GETKEYS", "ping"}),
              "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
    EXPECT_EQ(run({"COMMAND", "GETKEYS", "nosuch", "x"}), "-ERR Invalid command specified\r\n");
    EXPECT_EQ(run({"COMMAND", "GETKEYSANDFLAGS", "ping", "x"}),
              "-ERR The command has no key arguments\r\n");
    EXPECT_EQ(run({"COMMAND", "LIST", "bogus"}), "-ERR syntax error\r\n");
    EXPECT_EQ(run({"COMMAND", "DOCS", "nosuch"}), "*0\r\n");
    const std::string all = run({"COMMAND"});
    EXPECT_EQ(all.substr(0, 5), "*15\r\n");
    EXPECT_EQ(run({"COMMAND", "HELP"}).substr(0, 5), "*21\r\n");
}

TEST_F(SentinelServiceTest, AclCommands) {
    EXPECT_EQ(run({"ACL", "CAT"}).substr(0, 5), "*21\r\n");
    EXPECT_EQ(run({"ACL", "CAT", "nosuch"}), "-ERR Unknown category 'nosuch'\r\n");
    const std::string admin = run({"ACL", "CAT", "admin"});
    EXPECT_EQ(admin.substr(0, 5), "*38\r\n");
    EXPECT_EQ(run({"ACL", "CAT", "a", "b"}),
              "-ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.\r\n");
    EXPECT_EQ(run({"ACL", "LIST"}), "*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n");
    EXPECT_EQ(run({"ACL", "USERS"}), "*1\r\n$7\r\ndefault\r\n");
    EXPECT_EQ(run({"ACL", "GETUSER", "default"}),
              "*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n"
              "$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n"
              "$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n");
    EXPECT_EQ(run({"ACL", "GETUSER", "nosuch"}), "$-1\r\n");
    EXPECT_EQ(run({"ACL", "DELUSER", "default"}), "-ERR The 'default' user cannot be removed\r\n");
    EXPECT_EQ(run({"ACL", "SETUSER", "bob", "on", ">pw", "+ping"}), "+OK\r\n");
    EXPECT_EQ(run({"ACL", "SETUSER", "bob", "+get"}),
              "-ERR Error in ACL SETUSER modifier '+get': Unknown command or category name in "
              "ACL\r\n");
    EXPECT_EQ(run({"ACL", "SETUSER", "bob", "+sentinel|nosuch"}),
              "-ERR Error in ACL SETUSER modifier '+sentinel|nosuch': Unknown command or "
              "category name in ACL\r\n");
    EXPECT_EQ(run({"ACL", "SETUSER", "bob", "+sentinel|myid"}), "+OK\r\n");
    EXPECT_EQ(run({"ACL", "DRYRUN", "bob", "sentinel", "myid"}), "+OK\r\n");
    EXPECT_EQ(run({"ACL", "DRYRUN", "bob", "sentinel", "masters"}),
              bulk("This user has no permissions to run the 'sentinel|masters' command"));
    EXPECT_EQ(run({"ACL", "DRYRUN", "nosuch", "ping"}), "-ERR User 'nosuch' not found\r\n");
    EXPECT_EQ(run({"ACL", "DELUSER", "bob", "nosuch"}), ":1\r\n");
    EXPECT_EQ(run({"ACL", "SAVE"}).substr(0, 59),
              "-ERR This Redis instance is not configured to use an ACL fi");
    EXPECT_EQ(run({"ACL", "LOG"}), "*0\r\n");
    EXPECT_EQ(run({"ACL", "GENPASS", "32"}).size(), 4U + 8U + 2U);
    EXPECT_EQ(run({"ACL", "HELP"}).substr(0, 5), "*29\r\n");
}

TEST_F(SentinelServiceTest, ClientCommands) {
    Conn& c = connect("127.0.0.1:32822");
    EXPECT_EQ(run(c, {"CLIENT", "ID"}), ":1\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "GETNAME"}), "$-1\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "SETNAME", "a b"}),
              "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "SETNAME", "foo"}), "+OK\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "GETNAME"}), "$3\r\nfoo\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "NO-EVICT", "maybe"}), "-ERR syntax error\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "NO-EVICT", "on"}), "+OK\r\n");
    const std::string info = run(c, {"CLIENT", "INFO"});
    EXPECT_NE(info.find("id=1 addr=127.0.0.1:32822 laddr=127.0.0.1:26379 fd=9 name=foo age=0 "
                        "idle=0 flags=e db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0"),
              std::string::npos)
        << info;
    EXPECT_NE(info.find(" cmd=client|info user=default redir=-1 resp=2\n\r\n"), std::string::npos);
    EXPECT_EQ(run(c, {"CLIENT", "KILL", "1.2.3.4:5"}), "-ERR No such client\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "KILL", "ID", "abc"}),
              "-ERR client-id should be greater than 0\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "KILL", "ID", "99999"}), ":0\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "KILL", "TYPE", "bogus"}), "-ERR Unknown client type 'bogus'\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "KILL", "bogus", "x"}), "-ERR syntax error\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "KILL", "ADDR", "1.2.3.4:5", "x"}), "-ERR syntax error\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "LIST", "ID", "1", "x"}), "-ERR Invalid client ID\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "LIST", "bogus"}), "-ERR syntax error\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "PAUSE", "abc"}),
              "-ERR timeout is not an integer or out of range\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "NOSUCH"}),
              "-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "HELP"}).substr(0, 5), "*48\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "TRACKINGINFO"}),
              "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n"
              "*0\r\n");
    Conn& other = connect("127.0.0.1:40000");
    EXPECT_EQ(run(c, {"CLIENT", "KILL", "ADDR", "127.0.0.1:40000"}), ":1\r\n");
    EXPECT_TRUE(other.fake->closed);
    EXPECT_EQ(run(c, {"CLIENT", "KILL", "127.0.0.1:32822"}), "+OK\r\n");
    EXPECT_TRUE(c.ctx->close_requested);
}

TEST_F(SentinelServiceTest, ClientReplyOffAndSkip) {
    Conn& c = connect();
    EXPECT_EQ(run(c, {"CLIENT", "REPLY", "SKIP"}), "");
    EXPECT_EQ(run(c, {"PING"}), "");
    EXPECT_EQ(run(c, {"PING"}), "+PONG\r\n");
    EXPECT_EQ(run(c, {"CLIENT", "REPLY", "OFF"}), "");
    EXPECT_EQ(run(c, {"PING"}), "");
    EXPECT_EQ(run(c, {"CLIENT", "REPLY", "ON"}), "+OK\r\n");
    EXPECT_EQ(run(c, {"PING"}), "+PONG\r\n");
}

TEST_F(SentinelServiceTest, ClientPauseHoldsCommands) {
    Conn& c = connect();
    EXPECT_EQ(run(c, {"CLIENT", "PAUSE", "1000"}), "+OK\r\n");
    std::string out;
    std::vector<std::string_view> ping = {"PING"};
    EXPECT_EQ(service->execute(*c.ctx, ping, out), common::ExecStatus::wait);
    EXPECT_EQ(service->wait_timeout(*c.ctx), std::chrono::milliseconds(100));
    now += 1001;
    EXPECT_EQ(service->execute(*c.ctx, ping, out), common::ExecStatus::done);
    EXPECT_EQ(out, "+PONG\r\n");
}

// ---- INFO ----

TEST_F(SentinelServiceTest, InfoSentinelIsTheCapturedOne) {
    captured_state();
    EXPECT_EQ(run({"INFO", "sentinel"}), kCapturedInfoSentinel);
    EXPECT_EQ(run({"INFO", "replication"}), "$0\r\n\r\n");
    Master& m = core.masters.at("mymaster");
    m.sdown = true;
    EXPECT_NE(run({"INFO", "SENTINEL"}).find("status=sdown"), std::string::npos);
    m.odown = true;
    EXPECT_NE(run({"INFO", "SENTINEL"}).find("status=odown"), std::string::npos);
    core.tilt.active = true;
    core.tilt.since = now - 3500;
    EXPECT_NE(
        run({"INFO", "sentinel"}).find("sentinel_tilt:1\r\nsentinel_tilt_since_seconds:3\r\n"),
        std::string::npos);
}

// The section headers of a reply, in order.
std::vector<std::string> sections(const std::string& info) {
    std::vector<std::string> out;
    for (std::size_t pos = info.find("# "); pos != std::string::npos;
         pos = info.find("\r\n# ", pos + 1)) {
        const std::size_t start = info[pos] == '#' ? pos + 2 : pos + 4;
        out.push_back(info.substr(start, info.find("\r\n", start) - start));
        if (info[pos] == '#') {
            pos += 1;
        }
    }
    return out;
}

TEST_F(SentinelServiceTest, InfoSectionsAndServerFields) {
    captured_state();
    const std::vector<std::string> five = {"Server", "Clients", "Stats", "CPU", "Sentinel"};
    EXPECT_EQ(sections(run({"INFO"})), five);
    EXPECT_EQ(sections(run({"INFO", "default"})), five);
    EXPECT_EQ(sections(run({"INFO", "all"})), five);
    EXPECT_EQ(sections(run({"INFO", "everything", "sentinel"})), five);
    EXPECT_EQ(sections(run({"INFO", "sentinel", "cpu", "server"})),
              (std::vector<std::string>{"Server", "CPU", "Sentinel"}));
    EXPECT_EQ(sections(run({"INFO", "stats", "clients", "memory"})),
              (std::vector<std::string>{"Clients", "Stats"}));
    const std::string server = run({"INFO", "server"});
    std::vector<std::string> names;
    for (std::size_t pos = server.find("\r\n") + 2; pos < server.size();) {
        const std::size_t eol = server.find("\r\n", pos);
        const std::string line = server.substr(pos, eol - pos);
        if (!line.empty() && line[0] != '#') {
            names.push_back(line.substr(0, line.find(':')));
        }
        pos = eol + 2;
    }
    const std::vector<std::string> expected = {"redis_version",
                                               "vigil_version",
                                               "redis_git_sha1",
                                               "redis_git_dirty",
                                               "redis_build_id",
                                               "redis_mode",
                                               "os",
                                               "arch_bits",
                                               "monotonic_clock",
                                               "multiplexing_api",
                                               "atomicvar_api",
                                               "gcc_version",
                                               "process_id",
                                               "process_supervised",
                                               "run_id",
                                               "tcp_port",
                                               "server_time_usec",
                                               "uptime_in_seconds",
                                               "uptime_in_days",
                                               "hz",
                                               "configured_hz",
                                               "lru_clock",
                                               "executable",
                                               "config_file",
                                               "io_threads_active"};
    EXPECT_EQ(names, expected);
    EXPECT_NE(server.find("redis_version:7.0.15\r\n"), std::string::npos);
    EXPECT_NE(server.find("redis_mode:sentinel\r\n"), std::string::npos);
    EXPECT_NE(server.find("run_id:2cb50581776fe26c840ba592f1695edfedb3435e\r\ntcp_port:58807\r\n"),
              std::string::npos);
    EXPECT_NE(server.find("executable:/usr/bin/vigil-sentinel\r\nconfig_file:/tmp/s1.conf\r\n"),
              std::string::npos);
    // RESP3 keeps a plain bulk string.
    Conn& c = connect();
    run(c, {"HELLO", "3"});
    EXPECT_EQ(run(c, {"INFO", "sentinel"}), kCapturedInfoSentinel);
}

}  // namespace
}  // namespace vigil::sentinel
