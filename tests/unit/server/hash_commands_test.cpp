// Hash commands over an in-memory server: replies are compared byte for byte with what
// redis-server 7.0.15 sends (expected values captured from it).
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/command_runner.hpp"

using vigil::test::CommandRunner;

TEST(HashCommands, SetGetAndCounts) {
    CommandRunner r;
    EXPECT_EQ(r.run({"hset", "h", "a", "1", "b", "2"}), ":2\r\n");
    EXPECT_EQ(r.run({"hset", "h", "a", "3", "c", "4"}), ":1\r\n");
    EXPECT_EQ(r.run({"hsetnx", "h", "a", "5"}), ":0\r\n");
    EXPECT_EQ(r.run({"hsetnx", "h", "d", "5"}), ":1\r\n");
    EXPECT_EQ(r.run({"hmset", "h", "x", "1", "y", "2"}), "+OK\r\n");
    EXPECT_EQ(r.run({"hget", "h", "a"}), "$1\r\n3\r\n");
    EXPECT_EQ(r.run({"hget", "h", "missing"}), "$-1\r\n");
    EXPECT_EQ(r.run({"hget", "nokey", "a"}), "$-1\r\n");
    EXPECT_EQ(r.run({"hmget", "h", "a", "missing", "b", "c"}),
              "*4\r\n$1\r\n3\r\n$-1\r\n$1\r\n2\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"hmget", "nokey", "a", "b"}), "*2\r\n$-1\r\n$-1\r\n");
    EXPECT_EQ(r.run({"hlen", "h"}), ":6\r\n");
    EXPECT_EQ(r.run({"hlen", "nokey"}), ":0\r\n");
    EXPECT_EQ(r.run({"hstrlen", "h", "c"}), ":1\r\n");
    EXPECT_EQ(r.run({"hstrlen", "h", "missing"}), ":0\r\n");
    EXPECT_EQ(r.run({"hexists", "h", "c"}), ":1\r\n");
    EXPECT_EQ(r.run({"hexists", "h", "missing"}), ":0\r\n");
    EXPECT_EQ(r.run({"hexists", "nokey", "a"}), ":0\r\n");
}

TEST(HashCommands, SmallHashesKeepInsertionOrder) {
    CommandRunner r;
    EXPECT_EQ(r.run({"hset", "h", "z", "1", "a", "2", "m", "3"}), ":3\r\n");
    EXPECT_EQ(r.run({"hset", "h", "a", "9"}), ":0\r\n");
    EXPECT_EQ(r.run({"hgetall", "h"}),
              "*6\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n9\r\n$1\r\nm\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"hkeys", "h"}), "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nm\r\n");
    EXPECT_EQ(r.run({"hvals", "h"}), "*3\r\n$1\r\n1\r\n$1\r\n9\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"hdel", "h", "a"}), ":1\r\n");
    EXPECT_EQ(r.run({"hset", "h", "a", "4"}), ":1\r\n");
    EXPECT_EQ(r.run({"hgetall", "h"}),
              "*6\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\nm\r\n$1\r\n3\r\n$1\r\na\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"hgetall", "nokey"}), "*0\r\n");
    EXPECT_EQ(r.run({"hkeys", "nokey"}), "*0\r\n");
    EXPECT_EQ(r.run({"hvals", "nokey"}), "*0\r\n");
}

TEST(HashCommands, DelRemovesTheKeyWhenEmpty) {
    CommandRunner r;
    EXPECT_EQ(r.run({"hset", "h", "a", "1", "b", "2", "c", "3"}), ":3\r\n");
    EXPECT_EQ(r.run({"hdel", "h", "missing"}), ":0\r\n");
    EXPECT_EQ(r.run({"hdel", "h", "a", "b", "missing"}), ":2\r\n");
    EXPECT_EQ(r.run({"exists", "h"}), ":1\r\n");
    EXPECT_EQ(r.run({"hdel", "h", "c"}), ":1\r\n");
    EXPECT_EQ(r.run({"exists", "h"}), ":0\r\n");
    EXPECT_EQ(r.run({"type", "h"}), "+none\r\n");
    EXPECT_EQ(r.run({"hdel", "nokey", "a"}), ":0\r\n");
}

TEST(HashCommands, Arity) {
    CommandRunner r;
    EXPECT_EQ(r.run({"hset", "h"}), "-ERR wrong number of arguments for 'hset' command\r\n");
    EXPECT_EQ(r.run({"hset", "h", "a"}), "-ERR wrong number of arguments for 'hset' command\r\n");
    EXPECT_EQ(r.run({"hset", "h", "a", "1", "b"}),
              "-ERR wrong number of arguments for 'hset' command\r\n");
    EXPECT_EQ(r.run({"hmset", "h", "a", "1", "b"}),
              "-ERR wrong number of arguments for 'hmset' command\r\n");
    EXPECT_EQ(r.run({"hsetnx", "h", "a"}),
              "-ERR wrong number of arguments for 'hsetnx' command\r\n");
    EXPECT_EQ(r.run({"hget", "h"}), "-ERR wrong number of arguments for 'hget' command\r\n");
    EXPECT_EQ(r.run({"hmget", "h"}), "-ERR wrong number of arguments for 'hmget' command\r\n");
    EXPECT_EQ(r.run({"hdel", "h"}), "-ERR wrong number of arguments for 'hdel' command\r\n");
    EXPECT_EQ(r.run({"hgetall"}), "-ERR wrong number of arguments for 'hgetall' command\r\n");
    EXPECT_EQ(r.run({"hgetall", "h", "x"}),
              "-ERR wrong number of arguments for 'hgetall' command\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "a"}),
              "-ERR wrong number of arguments for 'hincrby' command\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "a", "1", "2"}),
              "-ERR wrong number of arguments for 'hincrbyfloat' command\r\n");
    EXPECT_EQ(r.run({"hrandfield"}), "-ERR wrong number of arguments for 'hrandfield' command\r\n");
    EXPECT_EQ(r.run({"hscan", "h"}), "-ERR wrong number of arguments for 'hscan' command\r\n");
}

TEST(HashCommands, WrongType) {
    CommandRunner r;
    r.run({"set", "str", "v"});
    EXPECT_EQ(r.run({"hset", "str", "a", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hsetnx", "str", "a", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hmset", "str", "a", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hget", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hmget", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hdel", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hgetall", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hkeys", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hvals", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hlen", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hstrlen", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hexists", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hincrby", "str", "a", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "str", "a", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hrandfield", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hrandfield", "str", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"hscan", "str", "0"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}

TEST(HashCommands, Incrby) {
    CommandRunner r;
    EXPECT_EQ(r.run({"hincrby", "h", "n", "10"}), ":10\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "n", "-15"}), ":-5\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "n", "x"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "n", "1.5"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "n", "99999999999999999999"}),
              "-ERR value is not an integer or out of range\r\n");
    r.run({"hset", "h", "big", "9223372036854775807", "small", "-9223372036854775808", "s", "abc",
           "f", "1.5", "sp", " 1"});
    EXPECT_EQ(r.run({"hincrby", "h", "big", "1"}),
              "-ERR increment or decrement would overflow\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "small", "-1"}),
              "-ERR increment or decrement would overflow\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "big", "0"}), ":9223372036854775807\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "s", "1"}), "-ERR hash value is not an integer\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "f", "1"}), "-ERR hash value is not an integer\r\n");
    EXPECT_EQ(r.run({"hincrby", "h", "sp", "1"}), "-ERR hash value is not an integer\r\n");
    EXPECT_EQ(r.run({"hget", "h", "n"}), "$2\r\n-5\r\n");
}

TEST(HashCommands, IncrbyFloat) {
    CommandRunner r;
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "f", "10.5"}), "$4\r\n10.5\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "f", "0.1"}), "$4\r\n10.6\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "f", "-1.5e2"}), "$22\r\n-139.39999999999999999\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "f", "1e400"}),
              "$401\r\n1000000000000000000028188068394758651458645343362905203862591069353968553400"
              "862986203936399484832416052209405392731761620029582277725925573402382897659334066101"
              "779744743454617391786244811667497172377894382439159333804747067502624668440135923751"
              "360383034373548550524495596497902182503828009106841494740245689865304095101751265809"
              "2615827588920183472511643316591362664138176309734806343732497430221946880\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "g", "3.0e3"}), "$4\r\n3000\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "g", "abc"}), "-ERR value is not a valid float\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "g", "inf"}), "-ERR value is NaN or Infinity\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "g", "-inf"}), "-ERR value is NaN or Infinity\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "g", "nan"}), "-ERR value is not a valid float\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "g", " 1"}), "-ERR value is not a valid float\r\n");
    r.run({"hset", "h", "s", "abc", "sp", " 1"});
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "s", "1"}), "-ERR hash value is not a float\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "sp", "1"}), "-ERR hash value is not a float\r\n");
    EXPECT_EQ(r.run({"hget", "h", "f"}),
              "$401\r\n1000000000000000000028188068394758651458645343362905203862591069353968553400"
              "862986203936399484832416052209405392731761620029582277725925573402382897659334066101"
              "779744743454617391786244811667497172377894382439159333804747067502624668440135923751"
              "360383034373548550524495596497902182503828009106841494740245689865304095101751265809"
              "2615827588920183472511643316591362664138176309734806343732497430221946880\r\n");
}

TEST(HashCommands, RandfieldErrorsAndEdges) {
    CommandRunner r;
    EXPECT_EQ(r.run({"hrandfield", "nokey"}), "$-1\r\n");
    EXPECT_EQ(r.run({"hrandfield", "nokey", "5"}), "*0\r\n");
    EXPECT_EQ(r.run({"hrandfield", "nokey", "-5", "withvalues"}), "*0\r\n");
    r.run({"hset", "h", "a", "1", "b", "2", "c", "3"});
    EXPECT_EQ(r.run({"hrandfield", "h", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "0", "withvalues"}), "*0\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "x"}), "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "1", "values"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "1", "withvalues", "extra"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "-9223372036854775808"}),
              "-ERR value is out of range, value must between -9223372036854775807 and "
              "9223372036854775807\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "-9223372036854775807", "WITHVALUES"}),
              "-ERR value is out of range\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "4611686018427387904", "withvalues"}),
              "-ERR value is out of range\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "3"}), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "100"}), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "100", "WITHVALUES"}),
              "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
}

TEST(HashCommands, RandfieldResp3) {
    CommandRunner r;
    r.run({"hello", "3"});
    EXPECT_EQ(r.run({"hrandfield", "nokey"}), "_\r\n");
    r.run({"hset", "h", "a", "1", "b", "2"});
    EXPECT_EQ(r.run({"hrandfield", "h", "2", "withvalues"}),
              "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"hrandfield", "h", "5"}), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
}

TEST(HashCommands, ScanSmallHash) {
    CommandRunner r;
    r.run({"hset", "h", "f1", "v1", "f2", "v2", "g1", "v3"});
    EXPECT_EQ(r.run({"hscan", "h", "0"}),
              "*2\r\n$1\r\n0\r\n*6\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n$2\r\ng1\r\n$"
              "2\r\nv3\r\n");
    EXPECT_EQ(r.run({"hscan", "h", "0", "match", "f*"}),
              "*2\r\n$1\r\n0\r\n*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n");
    EXPECT_EQ(r.run({"hscan", "h", "0", "MATCH", "*", "COUNT", "1"}),
              "*2\r\n$1\r\n0\r\n*6\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n$2\r\ng1\r\n$"
              "2\r\nv3\r\n");
    EXPECT_EQ(r.run({"hscan", "h", "0", "count", "0"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"hscan", "h", "0", "count", "x"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"hscan", "h", "0", "match"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"hscan", "h", "0", "foo", "bar"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"hscan", "h", "x"}), "-ERR invalid cursor\r\n");
    EXPECT_EQ(r.run({"hscan", "nokey", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
    EXPECT_EQ(r.run({"hscan", "nokey", "0", "count", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
    EXPECT_EQ(r.run({"hscan", "nokey", "x"}), "-ERR invalid cursor\r\n");
}

TEST(HashCommands, Resp3MapReplies) {
    CommandRunner r;
    r.run({"hello", "3"});
    EXPECT_EQ(r.run({"hset", "h", "a", "1", "b", "2"}), ":2\r\n");
    EXPECT_EQ(r.run({"hgetall", "h"}), "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"hgetall", "nokey"}), "%0\r\n");
    EXPECT_EQ(r.run({"hget", "nokey", "a"}), "_\r\n");
    EXPECT_EQ(r.run({"hmget", "h", "a", "missing"}), "*2\r\n$1\r\n1\r\n_\r\n");
    EXPECT_EQ(r.run({"hkeys", "h"}), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    EXPECT_EQ(r.run({"hincrbyfloat", "h", "a", "0.5"}), "$3\r\n1.5\r\n");
}

// ---- Random replies and internal behaviour (not byte-comparable with redis-server) ----

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

// Parses a SCAN-family reply into its cursor and items.
std::pair<std::string, std::vector<std::string>> scan_reply(const std::string& reply) {
    std::size_t len_start = reply.find("\r\n") + 3;  // after "*2\r\n$"
    std::size_t len_end = reply.find("\r\n", len_start);
    std::size_t len = std::stoul(reply.substr(len_start, len_end - len_start));
    std::string cursor = reply.substr(len_end + 2, len);
    return {cursor, bulk_items(reply.substr(len_end + 2 + len + 2))};
}

// Records what the server propagates to the AOF and replicas, one line per command.
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

TEST(HashCommands, RandfieldPicksDistinctOrRepeatedFields) {
    CommandRunner r;
    r.run({"hset", "h", "a", "1", "b", "2", "c", "3", "d", "4"});
    for (int i = 0; i < 20; ++i) {
        auto one = r.run({"hrandfield", "h"});
        EXPECT_TRUE(one == "$1\r\na\r\n" || one == "$1\r\nb\r\n" || one == "$1\r\nc\r\n" ||
                    one == "$1\r\nd\r\n")
            << one;
        auto distinct = bulk_items(r.run({"hrandfield", "h", "3"}));
        EXPECT_EQ(distinct.size(), 3U);
        EXPECT_EQ(std::set<std::string>(distinct.begin(), distinct.end()).size(), 3U);
        auto repeated = bulk_items(r.run({"hrandfield", "h", "-10", "withvalues"}));
        ASSERT_EQ(repeated.size(), 20U);
        for (std::size_t k = 0; k < repeated.size(); k += 2) {
            EXPECT_EQ(repeated[k + 1][0] - '1', repeated[k][0] - 'a');  // value matches field
        }
    }
}

TEST(HashCommands, LargeHashesScanEveryFieldOnce) {
    CommandRunner r;
    std::set<std::string> expected;
    for (int i = 0; i < 300; ++i) {
        std::string f = "field:" + std::to_string(i);
        r.run({"hset", "h", f, "v"});
        expected.insert(f);
    }
    r.run({"hset", "h", "long", std::string(100, 'x')});
    expected.insert("long");
    EXPECT_EQ(r.run({"hlen", "h"}), ":301\r\n");
    std::set<std::string> seen;
    std::string cursor = "0";
    for (int rounds = 0; rounds < 1000; ++rounds) {
        auto [next, items] = scan_reply(r.run({"hscan", "h", cursor, "count", "20"}));
        cursor = next;
        for (std::size_t k = 0; k < items.size(); k += 2) {
            seen.insert(items[k]);
        }
        if (cursor == "0") {
            break;
        }
    }
    EXPECT_EQ(cursor, "0");
    EXPECT_EQ(seen, expected);
}

TEST(HashCommands, IncrbyfloatPropagatesTheResultAsHset) {
    CommandRunner r;
    std::vector<std::string> seen;
    capture_propagation(r, seen);
    r.run({"hincrbyfloat", "h", "f", "1.5"});
    r.run({"hincrbyfloat", "h", "f", "0.1"});
    r.run({"hincrby", "h", "n", "2"});
    r.run({"hset", "h", "a", "1"});
    r.run({"hget", "h", "a"});
    r.run({"hdel", "h", "missing"});
    EXPECT_EQ(seen, (std::vector<std::string>{"HSET h f 1.5", "HSET h f 1.6", "hincrby h n 2",
                                              "hset h a 1"}));
}
