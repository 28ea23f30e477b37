// Set commands over an in-memory server: replies are compared byte for byte with what
// redis-server 7.0.15 sends (expected values captured from it).
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/command_runner.hpp"

using vigil::test::CommandRunner;

TEST(SetCommands, AddRemoveAndMembership) {
    CommandRunner r;
    EXPECT_EQ(r.run({"sadd", "s", "3", "1", "2"}), ":3\r\n");
    EXPECT_EQ(r.run({"sadd", "s", "2", "4"}), ":1\r\n");
    EXPECT_EQ(r.run({"sadd", "s", "4"}), ":0\r\n");
    EXPECT_EQ(r.run({"smembers", "s"}), "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"srem", "s", "1", "zz"}), ":1\r\n");
    EXPECT_EQ(r.run({"srem", "nokey", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"scard", "s"}), ":3\r\n");
    EXPECT_EQ(r.run({"scard", "nokey"}), ":0\r\n");
    EXPECT_EQ(r.run({"sismember", "s", "2"}), ":1\r\n");
    EXPECT_EQ(r.run({"sismember", "s", "zz"}), ":0\r\n");
    EXPECT_EQ(r.run({"sismember", "nokey", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"smismember", "s", "2", "zz", "3"}), "*3\r\n:1\r\n:0\r\n:1\r\n");
    EXPECT_EQ(r.run({"smismember", "nokey", "a", "b"}), "*2\r\n:0\r\n:0\r\n");
    EXPECT_EQ(r.run({"smembers", "nokey"}), "*0\r\n");
    EXPECT_EQ(r.run({"srem", "s", "2", "3", "4"}), ":3\r\n");
    EXPECT_EQ(r.run({"exists", "s"}), ":0\r\n");
}

TEST(SetCommands, SmallIntegerSetsAreSorted) {
    CommandRunner r;
    EXPECT_EQ(r.run({"sadd", "s", "10", "-5", "3", "100", "0"}), ":5\r\n");
    EXPECT_EQ(r.run({"smembers", "s"}),
              "*5\r\n$2\r\n-5\r\n$1\r\n0\r\n$1\r\n3\r\n$2\r\n10\r\n$3\r\n100\r\n");
    EXPECT_EQ(r.run({"sscan", "s", "0"}),
              "*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-5\r\n$1\r\n0\r\n$1\r\n3\r\n$2\r\n10\r\n$3\r\n100\r\n");
    EXPECT_EQ(r.run({"sscan", "s", "0", "match", "1*"}),
              "*2\r\n$1\r\n0\r\n*2\r\n$2\r\n10\r\n$3\r\n100\r\n");
    EXPECT_EQ(r.run({"sadd", "s", "007"}), ":1\r\n");
    EXPECT_EQ(r.run({"scard", "s"}), ":6\r\n");
}

TEST(SetCommands, PopAndRandomEdges) {
    CommandRunner r;
    EXPECT_EQ(r.run({"spop", "nokey"}), "$-1\r\n");
    EXPECT_EQ(r.run({"spop", "nokey", "2"}), "*0\r\n");
    EXPECT_EQ(r.run({"spop", "nokey", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"sadd", "s", "1", "2", "3"}), ":3\r\n");
    EXPECT_EQ(r.run({"spop", "s", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"spop", "s", "-1"}), "-ERR value is out of range, must be positive\r\n");
    EXPECT_EQ(r.run({"spop", "s", "x"}), "-ERR value is out of range, must be positive\r\n");
    EXPECT_EQ(r.run({"spop", "s", "1", "2"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"srandmember", "nokey"}), "$-1\r\n");
    EXPECT_EQ(r.run({"srandmember", "nokey", "2"}), "*0\r\n");
    EXPECT_EQ(r.run({"srandmember", "nokey", "-2"}), "*0\r\n");
    EXPECT_EQ(r.run({"srandmember", "s", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"srandmember", "s", "x"}), "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"srandmember", "s", "-9223372036854775808"}),
              "-ERR value is out of range, value must between -9223372036854775807 and "
              "9223372036854775807\r\n");
    EXPECT_EQ(r.run({"srandmember", "s", "3"}), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"srandmember", "s", "100"}), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"srandmember", "s", "1", "2"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"spop", "s", "3"}), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"exists", "s"}), ":0\r\n");
    EXPECT_EQ(r.run({"sadd", "t", "5", "6"}), ":2\r\n");
    EXPECT_EQ(r.run({"spop", "t", "10"}), "*2\r\n$1\r\n5\r\n$1\r\n6\r\n");
    EXPECT_EQ(r.run({"exists", "t"}), ":0\r\n");
}

TEST(SetCommands, PopReplyShapesInResp3) {
    CommandRunner r;
    r.run({"hello", "3"});
    EXPECT_EQ(r.run({"smembers", "nokey"}), "~0\r\n");
    EXPECT_EQ(r.run({"spop", "nokey", "2"}), "~0\r\n");
    EXPECT_EQ(r.run({"sadd", "s", "1", "2"}), ":2\r\n");
    EXPECT_EQ(r.run({"smembers", "s"}), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"srandmember", "s", "5"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"spop", "s", "0"}), "~0\r\n");
    EXPECT_EQ(r.run({"spop", "s", "2"}), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"sinter", "nokey", "s"}), "~0\r\n");
    EXPECT_EQ(r.run({"sunion", "s", "nokey"}), "~0\r\n");
    EXPECT_EQ(r.run({"sdiff", "s"}), "~0\r\n");
}

TEST(SetCommands, Move) {
    CommandRunner r;
    EXPECT_EQ(r.run({"sadd", "a", "1", "2", "3"}), ":3\r\n");
    EXPECT_EQ(r.run({"sadd", "b", "x"}), ":1\r\n");
    EXPECT_EQ(r.run({"smove", "a", "b", "2"}), ":1\r\n");
    EXPECT_EQ(r.run({"smove", "a", "b", "zz"}), ":0\r\n");
    EXPECT_EQ(r.run({"smove", "nokey", "b", "1"}), ":0\r\n");
    EXPECT_EQ(r.run({"smove", "a", "a", "3"}), ":1\r\n");
    EXPECT_EQ(r.run({"smove", "a", "a", "zz"}), ":0\r\n");
    EXPECT_EQ(r.run({"smembers", "a"}), "*2\r\n$1\r\n1\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"sismember", "b", "2"}), ":1\r\n");
    EXPECT_EQ(r.run({"scard", "b"}), ":2\r\n");
    EXPECT_EQ(r.run({"smove", "a", "new", "1"}), ":1\r\n");
    EXPECT_EQ(r.run({"smove", "a", "new", "3"}), ":1\r\n");
    EXPECT_EQ(r.run({"exists", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"smembers", "new"}), "*2\r\n$1\r\n1\r\n$1\r\n3\r\n");
    r.run({"set", "str", "v"});
    EXPECT_EQ(r.run({"smove", "b", "str", "x"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"smove", "str", "b", "x"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"smove", "nokey", "str", "x"}), ":0\r\n");
}

TEST(SetCommands, Algebra) {
    CommandRunner r;
    EXPECT_EQ(r.run({"sadd", "a", "1", "2", "3", "4"}), ":4\r\n");
    EXPECT_EQ(r.run({"sadd", "b", "3", "4", "5"}), ":3\r\n");
    EXPECT_EQ(r.run({"sadd", "c", "4", "5", "6"}), ":3\r\n");
    EXPECT_EQ(r.run({"sinter", "a", "b"}), "*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"sinter", "a", "b", "c"}), "*1\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"sinter", "a", "nokey"}), "*0\r\n");
    EXPECT_EQ(r.run({"sinter", "a"}), "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"sunion", "a", "b", "c"}),
              "*6\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n");
    EXPECT_EQ(r.run({"sunion", "nokey"}), "*0\r\n");
    EXPECT_EQ(r.run({"sdiff", "a", "b"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"sdiff", "a", "b", "c"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"sdiff", "nokey", "a"}), "*0\r\n");
    EXPECT_EQ(r.run({"sdiff", "a", "nokey"}), "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"sinterstore", "d", "a", "b"}), ":2\r\n");
    EXPECT_EQ(r.run({"smembers", "d"}), "*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"sinterstore", "d", "a", "nokey"}), ":0\r\n");
    EXPECT_EQ(r.run({"exists", "d"}), ":0\r\n");
    EXPECT_EQ(r.run({"sunionstore", "d", "a", "b"}), ":5\r\n");
    EXPECT_EQ(r.run({"smembers", "d"}),
              "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n");
    EXPECT_EQ(r.run({"sdiffstore", "d", "a", "b"}), ":2\r\n");
    EXPECT_EQ(r.run({"smembers", "d"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"sdiffstore", "d", "nokey"}), ":0\r\n");
    EXPECT_EQ(r.run({"exists", "d"}), ":0\r\n");
    EXPECT_EQ(r.run({"sinterstore", "a", "a", "b"}), ":2\r\n");
    EXPECT_EQ(r.run({"smembers", "a"}), "*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    r.run({"set", "str", "v"});
    EXPECT_EQ(r.run({"sunionstore", "str", "b", "c"}), ":4\r\n");
    EXPECT_EQ(r.run({"type", "str"}), "+set\r\n");
    EXPECT_EQ(r.run({"smembers", "str"}), "*4\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n");
}

TEST(SetCommands, Intercard) {
    CommandRunner r;
    EXPECT_EQ(r.run({"sadd", "a", "1", "2", "3", "4"}), ":4\r\n");
    EXPECT_EQ(r.run({"sadd", "b", "3", "4", "5"}), ":3\r\n");
    EXPECT_EQ(r.run({"sintercard", "2", "a", "b"}), ":2\r\n");
    EXPECT_EQ(r.run({"sintercard", "2", "a", "b", "limit", "1"}), ":1\r\n");
    EXPECT_EQ(r.run({"sintercard", "2", "a", "b", "LIMIT", "0"}), ":2\r\n");
    EXPECT_EQ(r.run({"sintercard", "1", "a"}), ":4\r\n");
    EXPECT_EQ(r.run({"sintercard", "2", "a", "b", "limit", "-1"}),
              "-ERR LIMIT can't be negative\r\n");
    EXPECT_EQ(r.run({"sintercard", "2", "a", "b", "limit", "x"}),
              "-ERR LIMIT can't be negative\r\n");
    EXPECT_EQ(r.run({"sintercard", "0", "a"}), "-ERR numkeys should be greater than 0\r\n");
    EXPECT_EQ(r.run({"sintercard", "x", "a"}), "-ERR numkeys should be greater than 0\r\n");
    EXPECT_EQ(r.run({"sintercard", "-1", "a"}), "-ERR numkeys should be greater than 0\r\n");
    EXPECT_EQ(r.run({"sintercard", "3", "a", "b"}),
              "-ERR Number of keys can't be greater than number of args\r\n");
    EXPECT_EQ(r.run({"sintercard", "1", "a", "b"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"sintercard", "2", "a", "nokey"}), ":0\r\n");
    EXPECT_EQ(r.run({"sintercard", "2", "a", "b", "foo", "1"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"sintercard", "2", "a", "b", "limit"}), "-ERR syntax error\r\n");
}

TEST(SetCommands, WrongTypeAndArity) {
    CommandRunner r;
    r.run({"set", "str", "v"});
    r.run({"sadd", "s", "a"});
    EXPECT_EQ(r.run({"sadd", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"srem", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"smembers", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sismember", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"smismember", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"scard", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"spop", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"spop", "str", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"srandmember", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"srandmember", "str", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sinter", "s", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sinter", "nokey", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sunion", "s", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sdiff", "nokey", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sinterstore", "d", "s", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sunionstore", "d", "s", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sdiffstore", "d", "nokey", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sintercard", "2", "s", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sscan", "str", "0"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"sadd", "s"}), "-ERR wrong number of arguments for 'sadd' command\r\n");
    EXPECT_EQ(r.run({"srem", "s"}), "-ERR wrong number of arguments for 'srem' command\r\n");
    EXPECT_EQ(r.run({"smembers"}), "-ERR wrong number of arguments for 'smembers' command\r\n");
    EXPECT_EQ(r.run({"sismember", "s"}),
              "-ERR wrong number of arguments for 'sismember' command\r\n");
    EXPECT_EQ(r.run({"smismember", "s"}),
              "-ERR wrong number of arguments for 'smismember' command\r\n");
    EXPECT_EQ(r.run({"scard"}), "-ERR wrong number of arguments for 'scard' command\r\n");
    EXPECT_EQ(r.run({"smove", "s", "d"}), "-ERR wrong number of arguments for 'smove' command\r\n");
    EXPECT_EQ(r.run({"sinter"}), "-ERR wrong number of arguments for 'sinter' command\r\n");
    EXPECT_EQ(r.run({"sinterstore", "d"}),
              "-ERR wrong number of arguments for 'sinterstore' command\r\n");
    EXPECT_EQ(r.run({"sintercard", "1"}),
              "-ERR wrong number of arguments for 'sintercard' command\r\n");
    EXPECT_EQ(r.run({"sscan", "s"}), "-ERR wrong number of arguments for 'sscan' command\r\n");
}

TEST(SetCommands, ScanErrors) {
    CommandRunner r;
    EXPECT_EQ(r.run({"sadd", "s", "a"}), ":1\r\n");
    EXPECT_EQ(r.run({"sscan", "s", "x"}), "-ERR invalid cursor\r\n");
    EXPECT_EQ(r.run({"sscan", "s", "0", "count", "0"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"sscan", "s", "0", "match"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"sscan", "s", "0", "type", "string"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"sscan", "nokey", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
    EXPECT_EQ(r.run({"sscan", "nokey", "0", "count", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
    EXPECT_EQ(r.run({"sscan", "nokey", "x"}), "-ERR invalid cursor\r\n");
}

// ---- Random replies and propagation (not byte-comparable with redis-server) ----

namespace {

// Splits a RESP2 array of bulk strings ("*N\r\n$len\r\nitem\r\n...") into its items.
std::vector<std::string> bulk_items(const std::string& reply) {
    std::vector<std::string> items;
    std::size_t pos = reply.find("\r\n") + 2;
    while (pos < reply.size() && reply[pos] == '$') {
        std::size_t eol = reply.find("\r\n", pos);
        std::size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
        items.push_back(reply.substr(eol + 2, len));
        pos = eol + 2 + len + 2;
    }
    return items;
}

void capture_propagation(CommandRunner& r, std::vector<std::string>& seen) {
    r.server().propagation_sinks.push_back([&seen](int, std::span<const std::string_view> args) {
        std::string line;
        for (auto a : args) {
            line += (line.empty() ? "" : " ") + std::string(a);
        }
        seen.push_back(line);
    });
}

}  // namespace

TEST(SetCommands, RandomMembersComeFromTheSet) {
    CommandRunner r;
    r.run({"sadd", "s", "a", "b", "c", "d", "e"});
    const std::set<std::string> all{"a", "b", "c", "d", "e"};
    for (int i = 0; i < 20; ++i) {
        auto distinct = bulk_items(r.run({"srandmember", "s", "3"}));
        std::set<std::string> unique(distinct.begin(), distinct.end());
        EXPECT_EQ(distinct.size(), 3U);
        EXPECT_EQ(unique.size(), 3U);
        EXPECT_TRUE(std::includes(all.begin(), all.end(), unique.begin(), unique.end()));
        auto repeated = bulk_items(r.run({"srandmember", "s", "-8"}));
        EXPECT_EQ(repeated.size(), 8U);
        for (const auto& m : repeated) {
            EXPECT_TRUE(all.count(m) == 1) << m;
        }
    }
    EXPECT_EQ(r.run({"scard", "s"}), ":5\r\n");
}

TEST(SetCommands, SpopPropagatesAsSremOrDel) {
    CommandRunner r;
    std::vector<std::string> seen;
    capture_propagation(r, seen);
    r.run({"sadd", "s", "a", "b", "c", "d"});
    auto one = bulk_items("*1\r\n" + r.run({"spop", "s"}));
    ASSERT_EQ(one.size(), 1U);
    auto two = bulk_items(r.run({"spop", "s", "2"}));
    ASSERT_EQ(two.size(), 2U);
    EXPECT_EQ(r.run({"scard", "s"}), ":1\r\n");
    r.run({"spop", "s", "5"});
    EXPECT_EQ(r.run({"exists", "s"}), ":0\r\n");
    r.run({"spop", "s"});
    EXPECT_EQ(seen, (std::vector<std::string>{"sadd s a b c d", "SREM s " + one[0],
                                              "SREM s " + two[0] + " " + two[1], "DEL s"}));
}

TEST(SetCommands, LargeSetsScanEveryMemberOnce) {
    CommandRunner r;
    std::set<std::string> expected;
    for (int i = 0; i < 600; ++i) {
        r.run({"sadd", "s", std::to_string(i)});
        expected.insert(std::to_string(i));
    }
    r.run({"sadd", "s", "x"});
    expected.insert("x");
    std::set<std::string> seen;
    std::string cursor = "0";
    for (int rounds = 0; rounds < 1000; ++rounds) {
        std::string reply = r.run({"sscan", "s", cursor});
        std::size_t len_end = reply.find("\r\n", 4);
        std::size_t len = std::stoul(reply.substr(5, len_end - 5));
        cursor = reply.substr(len_end + 2, len);
        for (const auto& m : bulk_items(reply.substr(len_end + 2 + len + 2))) {
            seen.insert(m);
        }
        if (cursor == "0") {
            break;
        }
    }
    EXPECT_EQ(cursor, "0");
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(r.run({"sinterstore", "d", "s", "s"}), ":601\r\n");
    EXPECT_EQ(r.run({"sdiffstore", "d", "s", "s"}), ":0\r\n");
    EXPECT_EQ(r.run({"exists", "d"}), ":0\r\n");
}
