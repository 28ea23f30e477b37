// Handler tests over an in-memory server: replies are compared byte for byte with what
// redis-server 7.0 sends.
#include <gtest/gtest.h>

#include "tests/support/command_runner.hpp"

using vigil::test::CommandRunner;

TEST(StringCommands, SetGetAndOptions) {
    CommandRunner r;
    EXPECT_EQ(r.run({"SET", "k", "v"}), "+OK\r\n");
    EXPECT_EQ(r.run({"get", "k"}), "$1\r\nv\r\n");
    EXPECT_EQ(r.run({"set", "k", "w", "NX"}), "$-1\r\n");
    EXPECT_EQ(r.run({"set", "k", "w", "XX", "GET"}), "$1\r\nv\r\n");
    EXPECT_EQ(r.run({"set", "k", "w", "nx", "xx"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"set", "k", "w", "ex", "0"}), "-ERR invalid expire time in 'set' command\r\n");
    EXPECT_EQ(r.run({"set", "k", "w", "ex", "x"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"get", "missing"}), "$-1\r\n");
    EXPECT_EQ(r.run({"get"}), "-ERR wrong number of arguments for 'get' command\r\n");
}

TEST(StringCommands, Counters) {
    CommandRunner r;
    EXPECT_EQ(r.run({"incr", "n"}), ":1\r\n");
    EXPECT_EQ(r.run({"incrby", "n", "41"}), ":42\r\n");
    EXPECT_EQ(r.run({"decrby", "n", "2"}), ":40\r\n");
    EXPECT_EQ(r.run({"incrbyfloat", "n", "0.5"}), "$4\r\n40.5\r\n");
    EXPECT_EQ(r.run({"incr", "n"}), "-ERR value is not an integer or out of range\r\n");
    r.run({"set", "big", "9223372036854775807"});
    EXPECT_EQ(r.run({"incr", "big"}), "-ERR increment or decrement would overflow\r\n");
    r.run({"rpush", "list", "a"});
}

TEST(StringCommands, WrongTypeAndRanges) {
    CommandRunner r;
    r.run({"set", "s", "Hello World"});
    EXPECT_EQ(r.run({"getrange", "s", "0", "4"}), "$5\r\nHello\r\n");
    EXPECT_EQ(r.run({"getrange", "s", "-5", "-1"}), "$5\r\nWorld\r\n");
    EXPECT_EQ(r.run({"setrange", "s", "6", "Redis"}), ":11\r\n");
    EXPECT_EQ(r.run({"append", "s", "!"}), ":12\r\n");
    EXPECT_EQ(r.run({"strlen", "s"}), ":12\r\n");
}

TEST(KeyCommands, ExpiryIsLazyAndActive) {
    CommandRunner r;
    r.run({"set", "k", "v", "px", "100"});
    EXPECT_EQ(r.run({"pttl", "k"}), ":100\r\n");
    r.advance_ms(101);
    EXPECT_EQ(r.run({"get", "k"}), "$-1\r\n");
    EXPECT_EQ(r.run({"ttl", "k"}), ":-2\r\n");

    for (int i = 0; i < 100; ++i) {
        std::string key = "e" + std::to_string(i);
        r.run({"set", key, "v", "px", "10"});
    }
    r.advance_ms(20);
    r.server().cron(r.now_ms);
    EXPECT_EQ(r.run({"dbsize"}), ":0\r\n");
}

TEST(KeyCommands, ExpireOptions) {
    CommandRunner r;
    r.run({"set", "k", "v"});
    EXPECT_EQ(r.run({"expire", "k", "100", "xx"}), ":0\r\n");
    EXPECT_EQ(r.run({"expire", "k", "100", "nx"}), ":1\r\n");
    EXPECT_EQ(r.run({"expire", "k", "50", "gt"}), ":0\r\n");
    EXPECT_EQ(r.run({"expire", "k", "50", "lt"}), ":1\r\n");
    EXPECT_EQ(r.run({"ttl", "k"}), ":50\r\n");
    EXPECT_EQ(r.run({"expire", "k", "50", "nx", "xx"}),
              "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
    EXPECT_EQ(r.run({"persist", "k"}), ":1\r\n");
    EXPECT_EQ(r.run({"ttl", "k"}), ":-1\r\n");
    EXPECT_EQ(r.run({"expire", "k", "-1"}), ":1\r\n");
    EXPECT_EQ(r.run({"exists", "k"}), ":0\r\n");
}

TEST(KeyCommands, UnknownCommandError) {
    CommandRunner r;
    EXPECT_EQ(r.run({"foo", "a", "b"}),
              "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
    EXPECT_EQ(r.run({"foo"}), "-ERR unknown command 'foo', with args beginning with: \r\n");
}

TEST(KeyCommands, SelectSwapdbFlush) {
    CommandRunner r;
    r.run({"set", "a", "1"});
    EXPECT_EQ(r.run({"select", "16"}), "-ERR DB index is out of range\r\n");
    EXPECT_EQ(r.run({"swapdb", "0", "1"}), "+OK\r\n");
    EXPECT_EQ(r.run({"exists", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"select", "1"}), "+OK\r\n");
    EXPECT_EQ(r.run({"get", "a"}), "$1\r\n1\r\n");
    EXPECT_EQ(r.run({"flushall"}), "+OK\r\n");
    EXPECT_EQ(r.run({"dbsize"}), ":0\r\n");
}

TEST(Transactions, MultiExecAndWatch) {
    CommandRunner r;
    EXPECT_EQ(r.run({"multi"}), "+OK\r\n");
    EXPECT_EQ(r.run({"set", "a", "1"}), "+QUEUED\r\n");
    EXPECT_EQ(r.run({"incr", "a"}), "+QUEUED\r\n");
    EXPECT_EQ(r.run({"exec"}), "*2\r\n+OK\r\n:2\r\n");

    EXPECT_EQ(r.run({"watch", "a"}), "+OK\r\n");
    r.run({"set", "a", "changed"});
    r.run({"multi"});
    r.run({"get", "a"});
    EXPECT_EQ(r.run({"exec"}), "*-1\r\n");

    r.run({"multi"});
    EXPECT_EQ(r.run({"nosuch"}), "-ERR unknown command 'nosuch', with args beginning with: \r\n");
    EXPECT_EQ(r.run({"exec"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
    EXPECT_EQ(r.run({"exec"}), "-ERR EXEC without MULTI\r\n");
}

TEST(Connection, AuthRequired) {
    vigil::server::ServerConfig cfg;
    cfg.requirepass = "secret";
    CommandRunner r(cfg);
    EXPECT_EQ(r.run({"get", "k"}), "-NOAUTH Authentication required.\r\n");
    EXPECT_EQ(r.run({"auth", "wrong"}),
              "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    EXPECT_EQ(r.run({"auth", "secret"}), "+OK\r\n");
    EXPECT_EQ(r.run({"get", "k"}), "$-1\r\n");
}

TEST(Connection, HelloSwitchesToResp3) {
    CommandRunner r;
    std::string reply = r.run({"hello", "3"});
    EXPECT_EQ(reply.substr(0, 3), "%7\r");
    EXPECT_EQ(r.run({"get", "missing"}), "_\r\n");
}

TEST(Propagation, WritesReachSinksWithAbsoluteExpiryAndTransactions) {
    CommandRunner r;
    std::vector<std::string> seen;
    r.server().propagation_sinks.push_back([&](int db, std::span<const std::string_view> args) {
        std::string line = std::to_string(db);
        for (auto a : args) {
            line += " " + std::string(a);
        }
        seen.push_back(line);
    });
    r.run({"set", "a", "1"});
    r.run({"get", "a"});
    r.run({"set", "b", "2", "ex", "10"});
    r.run({"expire", "a", "5"});
    r.run({"select", "3"});
    r.run({"multi"});
    r.run({"incr", "c"});
    r.run({"get", "c"});
    r.run({"exec"});
    r.run({"del", "nothing"});
    std::string at_b = std::to_string(r.now_ms + 10000);
    std::string at_a = std::to_string(r.now_ms + 5000);
    EXPECT_EQ(seen,
              (std::vector<std::string>{"0 set a 1", "0 SET b 2 PXAT " + at_b,
                                        "0 PEXPIREAT a " + at_a, "3 MULTI", "3 incr c", "3 EXEC"}));
    seen.clear();
    r.run({"set", "gone", "v", "px", "5"});
    seen.clear();
    r.advance_ms(10);
    r.run({"get", "gone"});
    EXPECT_EQ(seen, (std::vector<std::string>{"3 DEL gone"}));
}

// ---- Cases found by the differential test (tests/integration/test_differential.py) ----

TEST(Dispatcher, UnknownCommandListsArgumentsUntil128Bytes) {
    CommandRunner r;
    std::vector<std::string> words;
    for (char c = 'a'; c <= 'z'; ++c) {
        words.emplace_back(2, c);
    }
    std::vector<std::string_view> args{"nosuch"};
    args.insert(args.end(), words.begin(), words.end());
    // Each "'xx' " is 5 bytes: arguments are added while the list is under 128 bytes.
    std::string expected = "-ERR unknown command 'nosuch', with args beginning with: ";
    for (std::size_t i = 0; i < 26 && (expected.size() - 57) < 128; ++i) {
        expected += "'" + words[i] + "' ";
    }
    EXPECT_EQ(r.run(args), expected + "\r\n");
    // The argument that crosses the limit is cut to what is left of the 128 bytes.
    std::string a(60, 'a'), b(80, 'b');
    EXPECT_EQ(r.run({"nosuch", a, b, "c"}),
              "-ERR unknown command 'nosuch', with args beginning with: '" + a + "' '" +
                  b.substr(0, 65) + "' \r\n");
}

TEST(Dispatcher, ContainerCommandRefusesUnknownSubcommand) {
    CommandRunner r;
    EXPECT_EQ(r.run({"command", "foo"}), "-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n");
    EXPECT_EQ(r.run({"client"}), "-ERR wrong number of arguments for 'client' command\r\n");
    EXPECT_EQ(r.run({"command", "help", "x"}),
              "-ERR wrong number of arguments for 'command|help' command\r\n");
}

TEST(Dispatcher, RejectedExecAbortsAndUnwatches) {
    CommandRunner r;
    EXPECT_EQ(r.run({"exec", "x"}),
              "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
              "command\r\n");
    r.run({"set", "m", "1"});
    r.run({"watch", "m"});
    r.run({"set", "m", "2"});
    r.run({"exec", "x"});  // forgets the WATCH
    r.run({"multi"});
    r.run({"get", "m"});
    EXPECT_EQ(r.run({"exec"}), "*1\r\n$1\r\n2\r\n");

    r.run({"multi"});
    r.run({"set", "m", "3"});
    EXPECT_EQ(r.run({"exec", "x"}),
              "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
              "command\r\n");
    EXPECT_EQ(r.run({"get", "m"}), "$1\r\n2\r\n");
    EXPECT_EQ(r.run({"exec"}), "-ERR EXEC without MULTI\r\n");
}

TEST(Dispatcher, ExecRefusedBeforeAuthIsAnExecAbort) {
    vigil::server::ServerConfig cfg;
    cfg.requirepass = "secret";
    CommandRunner r(cfg);
    EXPECT_EQ(r.run({"exec"}),
              "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n");
    EXPECT_EQ(r.run({"get"}), "-ERR wrong number of arguments for 'get' command\r\n");
}

TEST(Dispatcher, NoMultiCommandsAreRefusedInsideMulti) {
    CommandRunner r;
    r.run({"multi"});
    EXPECT_EQ(r.run({"shutdown"}), "-ERR Command not allowed inside a transaction\r\n");
    EXPECT_EQ(r.run({"exec"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
}

TEST(StringCommands, SetOptionsAreCheckedBeforeTheExpireValue) {
    CommandRunner r;
    EXPECT_EQ(r.run({"set", "k", "v", "ex", "10", "ex", "20"}), "+OK\r\n");
    EXPECT_EQ(r.run({"ttl", "k"}), ":20\r\n");
    EXPECT_EQ(r.run({"set", "k", "v", "ex", "abc", "ex", "30"}), "+OK\r\n");
    EXPECT_EQ(r.run({"ttl", "k"}), ":30\r\n");
    EXPECT_EQ(r.run({"set", "k", "v", "ex", "abc", "foo"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"set", "k", "v", "ex", "10", "px", "10"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"set", "k", "v", "keepttl", "keepttl", "get", "get"}), "$1\r\nv\r\n");
}

TEST(StringCommands, GetexAnswersMissingKeyBeforeCheckingTheExpireValue) {
    CommandRunner r;
    EXPECT_EQ(r.run({"getex", "nokey", "ex", "0"}), "$-1\r\n");
    EXPECT_EQ(r.run({"getex", "nokey", "foo"}), "-ERR syntax error\r\n");
    r.run({"set", "k", "v"});
    EXPECT_EQ(r.run({"getex", "k", "ex", "0"}), "-ERR invalid expire time in 'getex' command\r\n");
    EXPECT_EQ(r.run({"getex", "k", "ex", "10", "ex", "20"}), "$1\r\nv\r\n");
    EXPECT_EQ(r.run({"ttl", "k"}), ":20\r\n");
    EXPECT_EQ(r.run({"getex", "k", "persist", "persist"}), "$1\r\nv\r\n");
    EXPECT_EQ(r.run({"getex", "k", "persist", "ex", "10"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"getex", "k", "nx"}), "-ERR syntax error\r\n");
}

TEST(KeyCommands, ScanCursorParsedLikeStrtoul) {
    CommandRunner r;
    const std::string empty_scan = "*2\r\n$1\r\n0\r\n*0\r\n";
    EXPECT_EQ(r.run({"scan", ""}), empty_scan);
    EXPECT_EQ(r.run({"scan", "+0"}), empty_scan);
    EXPECT_EQ(r.run({"scan", "-1"}), empty_scan);
    EXPECT_EQ(r.run({"scan", "18446744073709551615"}), empty_scan);
    EXPECT_EQ(r.run({"scan", "18446744073709551616"}), "-ERR invalid cursor\r\n");
    EXPECT_EQ(r.run({"scan", " 0"}), "-ERR invalid cursor\r\n");
    EXPECT_EQ(r.run({"scan", "0 "}), "-ERR invalid cursor\r\n");
    EXPECT_EQ(r.run({"scan", "1.5"}), "-ERR invalid cursor\r\n");
}

TEST(KeyCommands, ExpiretimeRoundsToTheNearestSecond) {
    CommandRunner r;
    r.run({"set", "k", "v", "pxat", "4000000000500"});
    EXPECT_EQ(r.run({"expiretime", "k"}), ":4000000001\r\n");
    r.run({"pexpireat", "k", "4000000000499"});
    EXPECT_EQ(r.run({"expiretime", "k"}), ":4000000000\r\n");
}

TEST(KeyCommands, SelectAndMoveUseIntErrors) {
    CommandRunner r;
    EXPECT_EQ(r.run({"select", "abc"}), "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"select", "2147483648"}),
              "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
    EXPECT_EQ(r.run({"select", "-1"}), "-ERR DB index is out of range\r\n");
    r.run({"set", "k", "v"});
    EXPECT_EQ(r.run({"move", "k", "9999999999999"}),
              "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
    EXPECT_EQ(r.run({"move", "k", "1.5"}), "-ERR value is not an integer or out of range\r\n");
}

TEST(PubSubCommands, NumsubIsAFlatArrayInResp3AndChannelsTakesOnePattern) {
    CommandRunner r;
    r.run({"hello", "3"});
    EXPECT_EQ(r.run({"pubsub", "numsub", "a"}), "*2\r\n$1\r\na\r\n:0\r\n");
    EXPECT_EQ(r.run({"pubsub", "numsub"}), "*0\r\n");
    EXPECT_EQ(r.run({"pubsub", "channels", "a", "b"}),
              "-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB "
              "HELP.\r\n");
}

TEST(ServerCommands, CommandInfoListAndGetkeys) {
    CommandRunner r;
    EXPECT_EQ(r.run({"command", "info", "nosuch"}), "*1\r\n$-1\r\n");
    EXPECT_EQ(r.run({"command", "list", "filterby", "pattern", "incrby*"}),
              "*2\r\n$6\r\nincrby\r\n$11\r\nincrbyfloat\r\n");
    EXPECT_EQ(r.run({"command", "list", "filterby", "module", "x"}), "*0\r\n");
    EXPECT_EQ(r.run({"command", "list", "foo"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"command", "getkeys", "get"}),
              "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
    EXPECT_EQ(r.run({"command", "getkeys", "get", "k"}), "*1\r\n$1\r\nk\r\n");
}

TEST(ServerCommands, RefusedShutdownScriptFlushAndMemoryUsageOptions) {
    CommandRunner r;
    EXPECT_EQ(r.run({"shutdown", "nosave", "save"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"shutdown", "abort", "now"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"shutdown", "foo"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"shutdown", "abort"}), "-ERR No shutdown in progress.\r\n");
    EXPECT_FALSE(r.client().close_requested);
    EXPECT_EQ(r.run({"script", "flush", "foo"}),
              "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n");
    EXPECT_EQ(r.run({"script", "flush", "async"}), "+OK\r\n");
    EXPECT_EQ(r.run({"memory", "usage", "k", "samples", "abc"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"memory", "usage", "k", "samples", "-1"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"memory", "usage", "k", "foo"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"memory", "usage", "k", "samples", "0"}), "$-1\r\n");
}
