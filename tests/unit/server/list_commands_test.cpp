// List commands over an in-memory server: replies are compared byte for byte with what
// redis-server 7.0.15 sends (expected values captured from it).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/command_runner.hpp"

using vigil::test::CommandRunner;

TEST(ListCommands, PushAndRange) {
    CommandRunner r;
    EXPECT_EQ(r.run({"lpush", "l", "a", "b", "c"}), ":3\r\n");
    EXPECT_EQ(r.run({"rpush", "l", "d", "e"}), ":5\r\n");
    EXPECT_EQ(r.run({"lpushx", "nokey", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"rpushx", "nokey", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"exists", "nokey"}), ":0\r\n");
    EXPECT_EQ(r.run({"lpushx", "l", "x", "y"}), ":7\r\n");
    EXPECT_EQ(r.run({"rpushx", "l", "z"}), ":8\r\n");
    EXPECT_EQ(r.run({"llen", "l"}), ":8\r\n");
    EXPECT_EQ(r.run({"llen", "nokey"}), ":0\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}),
              "*8\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$"
              "1\r\nz\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "-100", "100"}),
              "*8\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$"
              "1\r\nz\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "2", "3"}), "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "-3", "-2"}), "*2\r\n$1\r\nd\r\n$1\r\ne\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "5", "2"}), "*0\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "-1", "-2"}), "*0\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "100", "200"}), "*0\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "-9223372036854775808", "9223372036854775807"}),
              "*8\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$"
              "1\r\nz\r\n");
    EXPECT_EQ(r.run({"lrange", "nokey", "0", "-1"}), "*0\r\n");
}

TEST(ListCommands, IndexAndSet) {
    CommandRunner r;
    EXPECT_EQ(r.run({"rpush", "l", "a", "b", "c"}), ":3\r\n");
    EXPECT_EQ(r.run({"lindex", "l", "0"}), "$1\r\na\r\n");
    EXPECT_EQ(r.run({"lindex", "l", "-1"}), "$1\r\nc\r\n");
    EXPECT_EQ(r.run({"lindex", "l", "3"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lindex", "l", "-4"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lindex", "nokey", "0"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lindex", "nokey", "x"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lindex", "l", "x"}), "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"lset", "l", "1", "B"}), "+OK\r\n");
    EXPECT_EQ(r.run({"lset", "l", "-1", "C"}), "+OK\r\n");
    EXPECT_EQ(r.run({"lset", "l", "3", "X"}), "-ERR index out of range\r\n");
    EXPECT_EQ(r.run({"lset", "l", "-4", "X"}), "-ERR index out of range\r\n");
    EXPECT_EQ(r.run({"lset", "l", "x", "X"}), "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"lset", "nokey", "0", "X"}), "-ERR no such key\r\n");
    EXPECT_EQ(r.run({"lset", "nokey", "x", "X"}), "-ERR no such key\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}), "*3\r\n$1\r\na\r\n$1\r\nB\r\n$1\r\nC\r\n");
}

TEST(ListCommands, PopWithAndWithoutCount) {
    CommandRunner r;
    EXPECT_EQ(r.run({"rpush", "l", "a", "b", "c", "d", "e"}), ":5\r\n");
    EXPECT_EQ(r.run({"lpop", "l"}), "$1\r\na\r\n");
    EXPECT_EQ(r.run({"rpop", "l"}), "$1\r\ne\r\n");
    EXPECT_EQ(r.run({"lpop", "l", "2"}), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    EXPECT_EQ(r.run({"lpop", "l", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"rpop", "l", "10"}), "*1\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"exists", "l"}), ":0\r\n");
    EXPECT_EQ(r.run({"lpop", "l"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lpop", "l", "2"}), "*-1\r\n");
    EXPECT_EQ(r.run({"lpop", "nokey", "0"}), "*-1\r\n");
    EXPECT_EQ(r.run({"rpop", "nokey", "1"}), "*-1\r\n");
    EXPECT_EQ(r.run({"lpop", "l", "-1"}), "-ERR value is out of range, must be positive\r\n");
    EXPECT_EQ(r.run({"lpop", "l", "x"}), "-ERR value is out of range, must be positive\r\n");
    EXPECT_EQ(r.run({"lpop", "l", "1", "2"}),
              "-ERR wrong number of arguments for 'lpop' command\r\n");
    EXPECT_EQ(r.run({"lpop"}), "-ERR wrong number of arguments for 'lpop' command\r\n");
}

TEST(ListCommands, PopReplyShapesInResp3) {
    CommandRunner r;
    r.run({"hello", "3"});
    EXPECT_EQ(r.run({"rpush", "l", "a", "b"}), ":2\r\n");
    EXPECT_EQ(r.run({"lpop", "nokey"}), "_\r\n");
    EXPECT_EQ(r.run({"lpop", "nokey", "2"}), "_\r\n");
    EXPECT_EQ(r.run({"lpop", "l", "1"}), "*1\r\n$1\r\na\r\n");
    EXPECT_EQ(r.run({"rpop", "l", "5"}), "*1\r\n$1\r\nb\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}), "*0\r\n");
}

TEST(ListCommands, RemTrimInsert) {
    CommandRunner r;
    EXPECT_EQ(r.run({"rpush", "l", "a", "b", "a", "c", "a", "b"}), ":6\r\n");
    EXPECT_EQ(r.run({"lrem", "l", "2", "a"}), ":2\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}),
              "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n");
    EXPECT_EQ(r.run({"lrem", "l", "-1", "b"}), ":1\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}), "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n");
    EXPECT_EQ(r.run({"lrem", "l", "0", "zz"}), ":0\r\n");
    EXPECT_EQ(r.run({"lrem", "l", "0", "a"}), ":1\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    EXPECT_EQ(r.run({"lrem", "l", "x", "a"}), "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"lrem", "nokey", "0", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"lrem", "l", "0", "c"}), ":1\r\n");
    EXPECT_EQ(r.run({"exists", "l"}), ":1\r\n");
    EXPECT_EQ(r.run({"rpush", "l", "a", "b", "c", "d", "e"}), ":6\r\n");
    EXPECT_EQ(r.run({"ltrim", "l", "1", "-2"}), "+OK\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}),
              "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"ltrim", "l", "-100", "100"}), "+OK\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}),
              "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"ltrim", "l", "x", "1"}), "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"ltrim", "l", "2", "1"}), "+OK\r\n");
    EXPECT_EQ(r.run({"exists", "l"}), ":0\r\n");
    EXPECT_EQ(r.run({"ltrim", "nokey", "0", "1"}), "+OK\r\n");
    EXPECT_EQ(r.run({"rpush", "l", "a", "c"}), ":2\r\n");
    EXPECT_EQ(r.run({"linsert", "l", "before", "c", "b"}), ":3\r\n");
    EXPECT_EQ(r.run({"linsert", "l", "after", "c", "d"}), ":4\r\n");
    EXPECT_EQ(r.run({"linsert", "l", "AFTER", "zz", "e"}), ":-1\r\n");
    EXPECT_EQ(r.run({"linsert", "l", "middle", "c", "e"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"linsert", "nokey", "before", "a", "b"}), ":0\r\n");
    EXPECT_EQ(r.run({"linsert", "nokey", "middle", "a", "b"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}),
              "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
}

TEST(ListCommands, Lpos) {
    CommandRunner r;
    EXPECT_EQ(r.run({"rpush", "l", "a", "b", "c", "1", "2", "3", "c", "c"}), ":8\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c"}), ":2\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "2"}), ":6\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "-1"}), ":7\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "-3"}), ":2\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "4"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "count", "0"}), "*3\r\n:2\r\n:6\r\n:7\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "count", "2"}), "*2\r\n:2\r\n:6\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "2", "count", "0"}), "*2\r\n:6\r\n:7\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "-1", "count", "2"}), "*2\r\n:7\r\n:6\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "maxlen", "2"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "maxlen", "3", "count", "0"}), "*1\r\n:2\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "-1", "maxlen", "1"}), ":7\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "zz"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "zz", "count", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "0"}),
              "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
              "or use negative to start from the end of the list\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "x"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "count", "-1"}), "-ERR COUNT can't be negative\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "maxlen", "-1"}), "-ERR MAXLEN can't be negative\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "foo", "1"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"lpos", "l", "c", "rank", "-9223372036854775808"}), ":7\r\n");
    EXPECT_EQ(r.run({"lpos", "nokey", "c"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lpos", "nokey", "c", "count", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"lpos", "nokey", "c", "rank", "0"}),
              "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
              "or use negative to start from the end of the list\r\n");
}

TEST(ListCommands, MoveBetweenLists) {
    CommandRunner r;
    EXPECT_EQ(r.run({"rpush", "src", "a", "b", "c"}), ":3\r\n");
    EXPECT_EQ(r.run({"lmove", "src", "dst", "left", "right"}), "$1\r\na\r\n");
    EXPECT_EQ(r.run({"lmove", "src", "dst", "RIGHT", "LEFT"}), "$1\r\nc\r\n");
    EXPECT_EQ(r.run({"lrange", "dst", "0", "-1"}), "*2\r\n$1\r\nc\r\n$1\r\na\r\n");
    EXPECT_EQ(r.run({"lmove", "src", "dst", "up", "left"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"lmove", "nokey", "dst", "left", "left"}), "$-1\r\n");
    EXPECT_EQ(r.run({"lmove", "src", "src", "left", "right"}), "$1\r\nb\r\n");
    EXPECT_EQ(r.run({"lrange", "src", "0", "-1"}), "*1\r\n$1\r\nb\r\n");
    EXPECT_EQ(r.run({"rpoplpush", "src", "dst"}), "$1\r\nb\r\n");
    EXPECT_EQ(r.run({"exists", "src"}), ":0\r\n");
    EXPECT_EQ(r.run({"lrange", "dst", "0", "-1"}), "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n");
    EXPECT_EQ(r.run({"rpoplpush", "nokey", "dst"}), "$-1\r\n");
    EXPECT_EQ(r.run({"rpoplpush", "dst", "dst"}), "$1\r\na\r\n");
    EXPECT_EQ(r.run({"lrange", "dst", "0", "-1"}), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
}

TEST(ListCommands, WrongTypeAndArity) {
    CommandRunner r;
    r.run({"set", "str", "v"});
    r.run({"rpush", "l", "a"});
    EXPECT_EQ(r.run({"lpush", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"rpush", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lpushx", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"rpushx", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lpop", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"rpop", "str", "2"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"llen", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lrange", "str", "0", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lindex", "str", "0"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lset", "str", "0", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lrem", "str", "0", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"ltrim", "str", "0", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"linsert", "str", "before", "a", "b"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lpos", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lmove", "str", "l", "left", "left"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lmove", "l", "str", "left", "left"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"rpoplpush", "l", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0", "-1"}), "*1\r\n$1\r\na\r\n");
    EXPECT_EQ(r.run({"lpush", "l"}), "-ERR wrong number of arguments for 'lpush' command\r\n");
    EXPECT_EQ(r.run({"rpush"}), "-ERR wrong number of arguments for 'rpush' command\r\n");
    EXPECT_EQ(r.run({"lrange", "l", "0"}),
              "-ERR wrong number of arguments for 'lrange' command\r\n");
    EXPECT_EQ(r.run({"lindex", "l"}), "-ERR wrong number of arguments for 'lindex' command\r\n");
    EXPECT_EQ(r.run({"lset", "l", "0"}), "-ERR wrong number of arguments for 'lset' command\r\n");
    EXPECT_EQ(r.run({"lrem", "l", "0"}), "-ERR wrong number of arguments for 'lrem' command\r\n");
    EXPECT_EQ(r.run({"ltrim", "l", "0"}), "-ERR wrong number of arguments for 'ltrim' command\r\n");
    EXPECT_EQ(r.run({"linsert", "l", "before", "a"}),
              "-ERR wrong number of arguments for 'linsert' command\r\n");
    EXPECT_EQ(r.run({"lpos", "l"}), "-ERR wrong number of arguments for 'lpos' command\r\n");
    EXPECT_EQ(r.run({"lmove", "l", "l", "left"}),
              "-ERR wrong number of arguments for 'lmove' command\r\n");
    EXPECT_EQ(r.run({"rpoplpush", "l"}),
              "-ERR wrong number of arguments for 'rpoplpush' command\r\n");
}

TEST(ListCommands, OnlyChangesPropagate) {
    CommandRunner r;
    std::vector<std::string> seen;
    r.server().propagation_sinks.push_back([&seen](int, std::span<const std::string_view> args) {
        std::string line;
        for (auto a : args) {
            line += (line.empty() ? "" : " ") + std::string(a);
        }
        seen.push_back(line);
    });
    r.run({"rpush", "l", "a", "b"});
    r.run({"lpop", "l", "0"});
    r.run({"lpop", "nokey"});
    r.run({"linsert", "l", "before", "zz", "x"});
    r.run({"lrem", "l", "0", "zz"});
    r.run({"lpushx", "nokey", "a"});
    r.run({"lmove", "l", "m", "left", "left"});
    r.run({"rpop", "l", "5"});
    EXPECT_EQ(seen, (std::vector<std::string>{"rpush l a b", "lmove l m left left", "rpop l 5"}));
    EXPECT_EQ(r.run({"exists", "l"}), ":0\r\n");
}
