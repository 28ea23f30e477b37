// sentinel.conf loading: every directive, the order of application and the errors, compared
// with what redis-sentinel 7.0.15 does with the same files.
#include <gtest/gtest.h>

#include "sentinel/io/config_file.hpp"
#include "tests/unit/sentinel/config_test_support.hpp"
#include <sys/stat.h>
#include <unistd.h>

namespace vigil::sentinel {
namespace {

using namespace config_testing;  // NOLINT(google-build-using-namespace): test helpers

// ---- loading ----

TEST(SentinelConfigLoad, EveryDirective) {
    auto l = load(R"(port 26950
sentinel myid 0123456789abcdef0123456789abcdef01234567
sentinel announce-ip 10.0.0.9
sentinel announce-port 26001
sentinel deny-scripts-reconfig no
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel sentinel-user su
sentinel sentinel-pass "s p"
sentinel current-epoch 7
sentinel monitor m1 127.0.0.1 6379 2
sentinel down-after-milliseconds m1 5000
sentinel failover-timeout m1 60000
sentinel parallel-syncs m1 3
sentinel notification-script m1 /ok/notify.sh
sentinel client-reconfig-script m1 /ok/reconfig.sh
sentinel auth-pass m1 secret
sentinel auth-user m1 admin
sentinel master-reboot-down-after-period m1 9000
sentinel config-epoch m1 4
sentinel leader-epoch m1 6
sentinel known-replica m1 127.0.0.1 6380
sentinel known-slave m1 127.0.0.1 6381
sentinel known-sentinel m1 127.0.0.1 26380 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
sentinel known-sentinel m1 127.0.0.1 26381
sentinel rename-command m1 CONFIG MYCONFIG
sentinel rename-command m1 flushall ""
sentinel monitor m2 db.example 6390 1
)");
    const SentinelGlobals& g = l->g;
    EXPECT_EQ(l->cfg.port, 26950);
    EXPECT_EQ(g.self.myid, "0123456789abcdef0123456789abcdef01234567");
    EXPECT_EQ(g.self.current_epoch, 7U);
    EXPECT_EQ(g.announce_ip, "10.0.0.9");
    EXPECT_EQ(g.announce_port, 26001);
    EXPECT_FALSE(g.deny_scripts_reconfig);
    EXPECT_TRUE(g.resolve_hostnames);
    EXPECT_TRUE(g.announce_hostnames);
    EXPECT_EQ(g.sentinel_user, "su");
    EXPECT_EQ(g.sentinel_pass, "s p");
    ASSERT_EQ(l->masters.size(), 2U);
    const Master& m = l->masters.at("m1");
    EXPECT_EQ(m.kind, Kind::master);
    EXPECT_EQ(m.name, "m1");
    EXPECT_EQ(m.addr, (Address{"127.0.0.1", 6379}));
    EXPECT_EQ(m.quorum, 2);
    EXPECT_EQ(m.down_after, 5000);
    EXPECT_EQ(m.failover_timeout, 60000);
    EXPECT_EQ(m.parallel_syncs, 3);
    EXPECT_EQ(m.notification_script, "/ok/notify.sh");
    EXPECT_EQ(m.client_reconfig_script, "/ok/reconfig.sh");
    EXPECT_EQ(m.auth_pass, "secret");
    EXPECT_EQ(m.auth_user, "admin");
    EXPECT_EQ(m.master_reboot_down_after_period, 9000);
    EXPECT_EQ(m.config_epoch, 4U);
    EXPECT_EQ(m.leader_epoch, 6U);
    ASSERT_EQ(m.replicas.size(), 2U);
    const Instance& r = m.replicas.at("127.0.0.1:6381");
    EXPECT_EQ(r.kind, Kind::replica);
    EXPECT_EQ(r.name, "127.0.0.1:6381");
    EXPECT_EQ(r.addr, (Address{"127.0.0.1", 6381}));
    ASSERT_EQ(m.sentinels.size(), 1U);  // the old form without a runid is ignored
    const Instance& s = m.sentinels.at("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    EXPECT_EQ(s.kind, Kind::sentinel);
    EXPECT_EQ(s.name, s.runid);
    EXPECT_EQ(s.addr, (Address{"127.0.0.1", 26380}));
    using Renames = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(m.renamed_commands, (Renames{{"CONFIG", "MYCONFIG"}, {"flushall", ""}}));
    const Master& m2 = l->masters.at("m2");
    EXPECT_EQ(m2.addr, (Address{"db.example", 6390}));  // resolve-hostnames yes: kept
    EXPECT_EQ(m2.down_after, 30000);
    EXPECT_EQ(m2.failover_timeout, 180000);
    EXPECT_EQ(m2.parallel_syncs, 1);
}

TEST(SentinelConfigLoad, NewMastersTakeTheTimersDefaults) {
    TempDir tmp;
    Loaded l("/");
    l.timers.default_down_after = 1234;
    l.timers.default_failover_timeout = 5678;
    load_sentinel_config(tmp.file("s.conf", "sentinel monitor m 127.0.0.1 1 1\n"), {}, l.cfg, l.g,
                         l.masters, l.timers, fake_executable, Loaded::options());
    EXPECT_EQ(l.masters.at("m").down_after, 1234);
    EXPECT_EQ(l.masters.at("m").failover_timeout, 5678);
}

TEST(SentinelConfigLoad, LineOrderDoesNotMatter) {
    // Per-master lines before their monitor line, config-epoch before current-epoch, and
    // resolve-hostnames after a monitor line with a hostname.
    auto l = load(R"(sentinel known-replica m1 127.0.0.1 6380
sentinel config-epoch m1 9
sentinel down-after-milliseconds m1 100
sentinel monitor m1 h.example 6379 2
sentinel current-epoch 3
sentinel resolve-hostnames yes
)");
    const Master& m = l->masters.at("m1");
    EXPECT_EQ(m.replicas.count("127.0.0.1:6380"), 1U);
    EXPECT_EQ(m.down_after, 100);
    EXPECT_EQ(m.config_epoch, 9U);
    EXPECT_EQ(l->g.self.current_epoch, 9U);  // raised by config-epoch
}

TEST(SentinelConfigLoad, NumbersAreReadLikeAtoiAndStrtoull) {
    // Checked with redis-sentinel: these all load.
    auto l = load(R"(sentinel monitor m1 127.0.0.1 abc 2
sentinel parallel-syncs m1 -3
sentinel config-epoch m1 -5
sentinel leader-epoch m1 7x
sentinel announce-port -1
sentinel known-replica m1 127.0.0.1 6380junk
sentinel myid 111111111111111111111111111111111111111x
)");
    const Master& m = l->masters.at("m1");
    EXPECT_EQ(m.addr.port, 0);
    EXPECT_EQ(m.parallel_syncs, -3);
    EXPECT_EQ(m.config_epoch, 18446744073709551611ULL);
    EXPECT_EQ(l->g.self.current_epoch, 18446744073709551611ULL);
    EXPECT_EQ(m.leader_epoch, 7U);
    EXPECT_EQ(l->g.announce_port, -1);
    EXPECT_EQ(m.replicas.count("127.0.0.1:6380"), 1U);
}

TEST(SentinelConfigLoad, IpAddressesAreNormalised) {
    auto l = load(
        "sentinel monitor m1 127.1 6399 2\nsentinel monitor m2 0:0::1 6399 2\n"
        "sentinel known-replica m1 0x7f.0.0.1 6400\n");
    EXPECT_EQ(l->masters.at("m1").addr.host, "127.0.0.1");
    EXPECT_EQ(l->masters.at("m2").addr.host, "::1");
    EXPECT_EQ(l->masters.at("m1").replicas.count("127.0.0.1:6400"), 1U);
}

TEST(SentinelConfigLoad, BareSentinelLineAndSecondNameForOneAddressAreAccepted) {
    auto l = load("sentinel\nsentinel monitor a 127.0.0.1 1 1\nsentinel monitor A 127.0.0.1 1 1\n");
    EXPECT_EQ(l->masters.size(), 2U);
}

TEST(SentinelConfigLoad, GenericDirectivesAndOverrides) {
    auto l = load(R"(bind 127.0.0.1 ::1
daemonize no
loglevel WARNING
requirepass "foo bar"
maxclients 100
rename-command PING PONG2
user bob on >pw ~k* +ping
maxmemory 1048576
)",
                  {"--port", "26380", "--sentinel", "announce-ip", "1.2.3.4", "--sentinel",
                   "--bind-source-addr", "127.0.0.2"});
    EXPECT_EQ(l->cfg.port, 26380);
    EXPECT_EQ(l->cfg.bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
    EXPECT_EQ(l->cfg.loglevel, "warning");
    EXPECT_EQ(l->cfg.requirepass, "foo bar");
    EXPECT_EQ(l->cfg.maxclients, 100U);
    EXPECT_EQ(l->cfg.bind_source_addr, "127.0.0.2");
    EXPECT_EQ(l->cfg.rename_commands.size(), 1U);
    EXPECT_EQ(l->cfg.user_lines.size(), 1U);
    EXPECT_EQ(l->cfg.other.at("maxmemory"), (std::vector<std::string>{"1048576"}));
    EXPECT_EQ(l->g.announce_ip, "1.2.3.4");
    EXPECT_FALSE(l->cfg.protected_mode);  // redis-sentinel turns it off
    EXPECT_EQ(command_line_options({"--sentinel", "--port", "1"}), "sentinel \nport \"1\" ");
}

// Reasons and line numbers checked with redis-sentinel 7.0.15 (same files).
TEST(SentinelConfigLoad, ErrorsNameTheLineAndGiveRedisReasons) {
    const std::string m = "sentinel monitor m1 127.0.0.1 6399 2\n";
    struct Case {
        std::string text;
        std::string expected;
    };
    const Case cases[] = {
        {"sentinel foo\n", "sentinel.conf:1: Unrecognized sentinel configuration statement."},
        {"sentinel monitor m1 127.0.0.1 6399\n",
         "sentinel.conf:1: Unrecognized sentinel configuration statement."},
        {"sentinel monitor m1 127.0.0.1 6399 0\n", "sentinel.conf:1: Quorum must be 1 or greater."},
        {"sentinel monitor m1 127.0.0.1 6399 abc\n",
         "sentinel.conf:1: Quorum must be 1 or greater."},
        {"sentinel monitor m1 127.0.0.1 70000 2\n", "sentinel.conf:1: Invalid port number."},
        {"sentinel monitor m1 127.0.0.1 -1 2\n", "sentinel.conf:1: Invalid port number."},
        {"sentinel monitor m1 localhost 6399 2\n",
         "sentinel.conf:1: Can't resolve instance hostname."},
        {m + "sentinel monitor m1 127.0.0.1 6398 2\n", "sentinel.conf:2: Duplicate master name."},
        {m + "sentinel down-after-milliseconds m1 0\n",
         "sentinel.conf:2: negative or zero time parameter."},
        {m + "sentinel failover-timeout m1 abc\n",
         "sentinel.conf:2: negative or zero time parameter."},
        {m + "sentinel master-reboot-down-after-period m1 -1\n",
         "sentinel.conf:2: negative time parameter."},
        {m + "sentinel down-after-milliseconds m2 100\n",
         "sentinel.conf:2: No such master with specified name."},
        {"sentinel monitor M1 127.0.0.1 6399 2\nsentinel parallel-syncs m1 1\n",
         "sentinel.conf:2: No such master with specified name."},
        {m + "sentinel down-after-milliseconds m1\n",
         "sentinel.conf:2: Unrecognized sentinel configuration statement."},
        {m + "sentinel notification-script m1 /nonexistent\n",
         "sentinel.conf:2: Notification script seems non existing or non executable."},
        {m + "sentinel client-reconfig-script m1 /etc/passwd\n",
         "sentinel.conf:2: Client reconfiguration script seems non existing or non executable."},
        {m + "sentinel known-replica m1 127.0.0.1 70000\n",
         "sentinel.conf:2: Invalid port number."},
        {m + "sentinel known-replica m1 localhost 6400\n",
         "sentinel.conf:2: Can't resolve instance hostname."},
        {m + "sentinel known-replica m1 127.0.0.1 6400\nsentinel known-slave m1 127.0.0.1 6400\n",
         "sentinel.conf:3: Duplicate hostname and port for replica."},
        {m + "sentinel known-sentinel m1 127.0.0.1 1 abc\nsentinel known-sentinel m1 127.0.0.1 2 "
             "abc\n",
         "sentinel.conf:3: Duplicate runid for sentinel."},
        {m + "sentinel known-sentinel m1 127.0.0.1 1 abc x\n",
         "sentinel.conf:2: Unrecognized sentinel configuration statement."},
        {m + "sentinel rename-command m1 config x\nsentinel rename-command m1 CONFIG y\n",
         "sentinel.conf:3: Same command renamed multiple times with rename-command."},
        {"sentinel myid abc\n", "sentinel.conf:1: Malformed Sentinel id in myid option."},
        {"sentinel resolve-hostnames maybe\n",
         "sentinel.conf:1: Please specify yes or no for the resolve-hostnames option."},
        {"sentinel announce-hostnames 1\n",
         "sentinel.conf:1: Please specify yes or no for the announce-hostnames option."},
        {"sentinel deny-scripts-reconfig x\n",
         "sentinel.conf:1: Please specify yes or no for the deny-scripts-reconfig options."},
        {"sentinel sentinel-pass a b\n",
         "sentinel.conf:1: Unrecognized sentinel configuration statement."},
        // The pre-monitor group is applied first: its error wins over an earlier line's.
        {"sentinel monitor m1 127.0.0.1 6399 0\nsentinel myid x\n",
         "sentinel.conf:2: Malformed Sentinel id in myid option."},
        // Generic directives, as redis-server words them.
        {"foo bar\n", "sentinel.conf:1: Bad directive or wrong number of arguments"},
        {"port abc\n", "sentinel.conf:1: argument couldn't be parsed into an integer"},
        {"port 70000\n", "sentinel.conf:1: argument must be between 0 and 65535 inclusive"},
        {"loglevel loud\n",
         "sentinel.conf:1: argument(s) must be one of the following: debug, verbose, notice, "
         "warning"},
        {"maxmemory\n", "sentinel.conf:1: wrong number of arguments"},
        {"protected-mode maybe\n", "sentinel.conf:1: argument must be 'yes' or 'no'"},
        {"bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
         "sentinel.conf:1: Too many bind addresses specified."},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(load_error(c.text), c.expected) << c.text;
    }
    EXPECT_EQ(load_error("port 1\n", {"--sentinel", "foo"}),
              "(command line):3: Unrecognized sentinel configuration statement.");
}

TEST(SentinelConfigLoad, MissingFileAndStartUpChecks) {
    TempDir tmp;
    Loaded l("/");
    try {
        load_sentinel_config(tmp.path() + "/none.conf", {}, l.cfg, l.g, l.masters, l.timers,
                             fake_executable);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "Fatal error, can't open config file '" + tmp.path() +
                                             "/none.conf': No such file or directory");
    }
    EXPECT_EQ(check_sentinel_config_file(""),
              "Sentinel needs config file on disk to save state. Exiting...");
    std::string path = tmp.file("s.conf", "port 1\n");
    EXPECT_EQ(check_sentinel_config_file(path), "");
    EXPECT_EQ(check_sentinel_config_file(tmp.path() + "/gone/s.conf"),
              "Sentinel config file " + tmp.path() +
                  "/gone/s.conf is not writable: No such file or directory. Exiting...");
    ::chmod(path.c_str(), 0444);
    if (::access(path.c_str(), W_OK) != 0) {  // not as root
        EXPECT_EQ(
            check_sentinel_config_file(path),
            "Sentinel config file " + path + " is not writable: Permission denied. Exiting...");
    }
    EXPECT_EQ(sentinel_absolute_path("/a/b.conf"), "/a/b.conf");
    char cwd[4096];
    ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
    EXPECT_EQ(sentinel_absolute_path("s.conf"), std::string(cwd) + "/s.conf");
}

TEST(SentinelConfigLoad, AclUsersFromRequirepassAndUserLines) {
    auto l = load("requirepass \"foo bar\"\nuser bob on >pw ~k* +ping\n");
    EXPECT_EQ(acl_rewrite_lines(l->acl, l->cfg),
              (std::vector<std::string>{
                  "user bob on "
                  "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~k* "
                  "resetchannels -@all +ping",
                  "user default on "
                  "#fbc1a9f858ea9e177916964bd88c3d37b91a1e84412765e29950777f265c4b75 ~* &* "
                  "+@all"}));
    SentinelProcessConfig cfg;
    cfg.user_lines = {{"eve", "on", "+nosuch"}};
    common::Acl acl;
    auto err = load_acl_users(cfg, acl, [](std::string_view n, bool) { return n == "ping"; });
    ASSERT_TRUE(err);
    EXPECT_EQ(*err,
              "Error loading ACL rule '+nosuch' for the user named 'eve': Unknown command or "
              "category name in ACL");
}

}  // namespace
}  // namespace vigil::sentinel
