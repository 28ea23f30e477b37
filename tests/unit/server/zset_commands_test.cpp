// Sorted-set commands over an in-memory server: replies are compared byte for byte with what
// redis-server 7.0.15 sends (expected values captured from it).
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/command_runner.hpp"

using vigil::test::CommandRunner;

TEST(ZSetCommands, AddOptions) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "z", "1", "a", "2", "b", "3", "c"}), ":3\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "nx", "xx", "1", "a"}),
              "-ERR XX and NX options at the same time are not compatible\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "nx", "gt", "1", "a"}),
              "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "gt", "lt", "1", "a"}),
              "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "NX", "LT", "1", "a"}),
              "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "incr", "1", "a", "2", "b"}),
              "-ERR INCR option supports a single increment-element pair\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "1", "a", "2"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "ch", "1"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "foo", "1", "a"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "x", "a"}), "-ERR value is not a valid float\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "nan", "a"}), "-ERR value is not a valid float\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "1e400", "a"}), "-ERR value is not a valid float\r\n");
    EXPECT_EQ(r.run({"zadd", "z", " 1", "a"}), "-ERR value is not a valid float\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "incr", "1", "a"}), "$1\r\n2\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "incr", "nx", "1", "a"}), "$-1\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "incr", "xx", "1", "zz"}), "$-1\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "xx", "5", "zz"}), ":0\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "ch", "1", "a", "10", "b", "4", "d"}), ":3\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "gt", "ch", "0", "a", "20", "b"}), ":1\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "lt", "ch", "0", "a", "30", "b"}), ":1\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "gt", "incr", "-100", "a"}), "$-1\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "gt", "5", "new"}), ":1\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "xx", "ch", "2", "a", "3", "zz"}), ":1\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "1", "q", "1", "q", "2", "q"}), ":1\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "inf", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "incr", "-inf", "a"}),
              "-ERR resulting score is not a number (NaN)\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "incr", "+inf", "b"}), "$3\r\ninf\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "-0", "m"}), ":1\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "0x10", "h"}), ":1\r\n");
    EXPECT_EQ(r.run({"zadd", "nokey", "xx", "1", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"zadd", "nokey", "xx", "incr", "1", "a"}), "$-1\r\n");
    EXPECT_EQ(r.run({"exists", "nokey"}), ":0\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "-1", "withscores"}),
              "*16\r\n$1\r\nm\r\n$1\r\n0\r\n$1\r\nq\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$"
              "1\r\nd\r\n$1\r\n4\r\n$3\r\nnew\r\n$1\r\n5\r\n$1\r\nh\r\n$2\r\n16\r\n$1\r\na\r\n$"
              "3\r\ninf\r\n$1\r\nb\r\n$3\r\ninf\r\n");
}

TEST(ZSetCommands, ScoresAndIncrby) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "z", "0.1", "a", "1.1e-5", "b", "123456789012345678", "c", "-0", "d",
                     "1e3", "e"}),
              ":5\r\n");
    EXPECT_EQ(r.run({"zscore", "z", "a"}), "$19\r\n0.10000000000000001\r\n");
    EXPECT_EQ(r.run({"zscore", "z", "b"}), "$7\r\n1.1e-05\r\n");
    EXPECT_EQ(r.run({"zscore", "z", "c"}), "$22\r\n1.2345678901234568e+17\r\n");
    EXPECT_EQ(r.run({"zscore", "z", "d"}), "$1\r\n0\r\n");
    EXPECT_EQ(r.run({"zscore", "z", "e"}), "$4\r\n1000\r\n");
    EXPECT_EQ(r.run({"zscore", "z", "missing"}), "$-1\r\n");
    EXPECT_EQ(r.run({"zscore", "nokey", "a"}), "$-1\r\n");
    EXPECT_EQ(r.run({"zmscore", "z", "a", "missing", "e"}),
              "*3\r\n$19\r\n0.10000000000000001\r\n$-1\r\n$4\r\n1000\r\n");
    EXPECT_EQ(r.run({"zmscore", "nokey", "a"}), "*1\r\n$-1\r\n");
    EXPECT_EQ(r.run({"zincrby", "z", "1.5", "e"}), "$6\r\n1001.5\r\n");
    EXPECT_EQ(r.run({"zincrby", "z", "x", "e"}), "-ERR value is not a valid float\r\n");
    EXPECT_EQ(r.run({"zincrby", "z", "1", "new"}), "$1\r\n1\r\n");
    EXPECT_EQ(r.run({"zincrby", "nokey", "-2.5", "m"}), "$4\r\n-2.5\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "inf", "f"}), ":1\r\n");
    EXPECT_EQ(r.run({"zincrby", "z", "-inf", "f"}),
              "-ERR resulting score is not a number (NaN)\r\n");
    EXPECT_EQ(r.run({"zincrby", "z", "-0", "d"}), "$1\r\n0\r\n");
    EXPECT_EQ(r.run({"zcard", "z"}), ":7\r\n");
    EXPECT_EQ(r.run({"zcard", "nokey"}), ":1\r\n");
}

TEST(ZSetCommands, RemAndRanks) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "z", "1", "a", "2", "b", "3", "c"}), ":3\r\n");
    EXPECT_EQ(r.run({"zrank", "z", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"zrank", "z", "c"}), ":2\r\n");
    EXPECT_EQ(r.run({"zrevrank", "z", "a"}), ":2\r\n");
    EXPECT_EQ(r.run({"zrank", "z", "missing"}), "$-1\r\n");
    EXPECT_EQ(r.run({"zrevrank", "nokey", "a"}), "$-1\r\n");
    EXPECT_EQ(r.run({"zrem", "z", "a", "missing"}), ":1\r\n");
    EXPECT_EQ(r.run({"zrem", "nokey", "a"}), ":0\r\n");
    EXPECT_EQ(r.run({"zrem", "z", "b", "c"}), ":2\r\n");
    EXPECT_EQ(r.run({"exists", "z"}), ":0\r\n");
}

TEST(ZSetCommands, CountAndRangeParsing) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d"}), ":4\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "-inf", "+inf"}), ":4\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "(1", "3"}), ":2\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "1", "(3"}), ":2\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "(1", "(1"}), ":0\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "3", "1"}), ":0\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "", "2"}), ":2\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "(", "2"}), ":2\r\n");
    EXPECT_EQ(r.run({"zcount", "z", " 1", "2"}), ":2\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "1 ", "2"}), "-ERR min or max is not a float\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "[1", "2"}), "-ERR min or max is not a float\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "x", "3"}), "-ERR min or max is not a float\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "1", "nan"}), "-ERR min or max is not a float\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "1e400", "inf"}), ":0\r\n");
    EXPECT_EQ(r.run({"zcount", "nokey", "0", "1"}), ":0\r\n");
    EXPECT_EQ(r.run({"zadd", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"}), ":5\r\n");
    EXPECT_EQ(r.run({"zlexcount", "l", "-", "+"}), ":5\r\n");
    EXPECT_EQ(r.run({"zlexcount", "l", "[b", "(d"}), ":2\r\n");
    EXPECT_EQ(r.run({"zlexcount", "l", "(a", "[zz"}), ":4\r\n");
    EXPECT_EQ(r.run({"zlexcount", "l", "+", "-"}), ":0\r\n");
    EXPECT_EQ(r.run({"zlexcount", "l", "b", "d"}),
              "-ERR min or max not valid string range item\r\n");
    EXPECT_EQ(r.run({"zlexcount", "l", "[", "("}), ":0\r\n");
    EXPECT_EQ(r.run({"zlexcount", "l", "", "+"}),
              "-ERR min or max not valid string range item\r\n");
    EXPECT_EQ(r.run({"zlexcount", "nokey", "-", "+"}), ":0\r\n");
}

TEST(ZSetCommands, RangeByRank) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d"}), ":4\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "-1"}),
              "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "-1", "WITHSCORES"}),
              "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$"
              "1\r\n4\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "-2", "-1", "withscores"}),
              "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "1", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "100"}),
              "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "-100", "-50"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "9223372036854775807", "-9223372036854775808"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "x", "1"}), "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "-1", "rev", "withscores"}),
              "*8\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$"
              "1\r\n1\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "1", "2", "rev"}), "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
    EXPECT_EQ(r.run({"zrevrange", "z", "0", "1", "withscores"}),
              "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"zrevrange", "z", "-1", "-1"}), "*1\r\n$1\r\na\r\n");
    EXPECT_EQ(r.run({"zrevrange", "z", "0", "1", "foo"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrevrange", "z", "0", "1", "rev"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrevrange", "z", "0", "1", "limit", "0", "1"}),
              "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
              "BYLEX\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "-1", "limit", "0", "1"}),
              "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
              "BYLEX\r\n");
    EXPECT_EQ(r.run({"zrange", "nokey", "0", "-1"}), "*0\r\n");
}

TEST(ZSetCommands, RangeByScore) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "z", "1", "a", "2", "b", "2", "bb", "3", "c", "4", "d"}), ":5\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "(1", "+inf", "byscore"}),
              "*4\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "+inf", "(1", "byscore", "rev", "withscores"}),
              "*8\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nbb\r\n$1\r\n2\r\n$"
              "1\r\nb\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "2", "withscores"}),
              "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nbb\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "-1"}),
              "*4\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "-inf", "+inf", "byscore", "limit", "-1", "2"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "-inf", "+inf", "byscore", "limit", "0", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "-inf", "+inf", "byscore", "limit", "1"}),
              "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "-inf", "+inf", "byscore", "limit", "x", "1"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "1", "byscore", "bylex"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "1", "byscore", "byscore"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "1", "rev", "rev"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "(x", "1", "byscore"}), "-ERR min or max is not a float\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "-inf", "+inf", "withscores"}),
              "*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nbb\r\n$1\r\n2\r\n$"
              "1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "2", "2"}), "*2\r\n$1\r\nb\r\n$2\r\nbb\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "(1", "(2"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "1", "3", "withscores", "limit", "1", "2"}),
              "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nbb\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "1", "3", "limit", "1", "2", "withscores"}),
              "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nbb\r\n$1\r\n2\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "1", "3", "limit", "0", "1", "limit", "2", "1"}),
              "*1\r\n$2\r\nbb\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "1", "2", "foo"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "1", "2", "rev"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrevrangebyscore", "z", "+inf", "-inf", "withscores"}),
              "*10\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nbb\r\n$1\r\n2\r\n$"
              "1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
    EXPECT_EQ(r.run({"zrevrangebyscore", "z", "2", "1"}),
              "*3\r\n$2\r\nbb\r\n$1\r\nb\r\n$1\r\na\r\n");
    EXPECT_EQ(r.run({"zrevrangebyscore", "z", "3", "1", "limit", "1", "1"}), "*1\r\n$2\r\nbb\r\n");
    EXPECT_EQ(r.run({"zrevrangebyscore", "z", "1", "3"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "nokey", "0", "1"}), "*0\r\n");
}

TEST(ZSetCommands, RangeByLex) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"}), ":5\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "l", "-", "+"}),
              "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "l", "[b", "+"}),
              "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "l", "(b", "[d"}), "*2\r\n$1\r\nc\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "l", "-", "+", "limit", "1", "2"}),
              "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "l", "-", "+", "limit", "1", "-1"}),
              "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "l", "-", "+", "limit", "-1", "2"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "l", "-", "+", "withscores"}),
              "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "l", "(a", "b"}),
              "-ERR min or max not valid string range item\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "l", "+", "-"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrevrangebylex", "l", "+", "-"}),
              "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
    EXPECT_EQ(r.run({"zrevrangebylex", "l", "(d", "[b"}), "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
    EXPECT_EQ(r.run({"zrevrangebylex", "l", "+", "-", "limit", "0", "2"}),
              "*2\r\n$1\r\ne\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"zrevrangebylex", "l", "-", "+"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrange", "l", "[b", "[d", "bylex"}),
              "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    EXPECT_EQ(r.run({"zrange", "l", "[d", "[b", "bylex", "rev", "limit", "1", "5"}),
              "*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
    EXPECT_EQ(r.run({"zrange", "l", "-", "+", "bylex", "withscores"}),
              "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
    EXPECT_EQ(r.run({"zrange", "l", "-", "+", "bylex", "limit", "0", "1", "withscores"}),
              "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
}

TEST(ZSetCommands, Pops) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"}), ":5\r\n");
    EXPECT_EQ(r.run({"zpopmin", "z"}), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    EXPECT_EQ(r.run({"zpopmax", "z"}), "*2\r\n$1\r\ne\r\n$1\r\n5\r\n");
    EXPECT_EQ(r.run({"zpopmin", "z", "2"}), "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"zpopmax", "z", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"zpopmax", "z", "10"}), "*2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"exists", "z"}), ":0\r\n");
    EXPECT_EQ(r.run({"zpopmin", "z"}), "*0\r\n");
    EXPECT_EQ(r.run({"zpopmin", "nokey", "2"}), "*0\r\n");
    EXPECT_EQ(r.run({"zpopmin", "z", "-1"}), "-ERR value is out of range, must be positive\r\n");
    EXPECT_EQ(r.run({"zpopmin", "z", "x"}), "-ERR value is out of range, must be positive\r\n");
    EXPECT_EQ(r.run({"zpopmin", "z", "1", "2"}), "-ERR syntax error\r\n");
}

TEST(ZSetCommands, PopsAndScoresInResp3) {
    CommandRunner r;
    r.run({"hello", "3"});
    EXPECT_EQ(r.run({"zadd", "z", "1", "a", "2", "b", "3", "c"}), ":3\r\n");
    EXPECT_EQ(r.run({"zscore", "z", "a"}), ",1\r\n");
    EXPECT_EQ(r.run({"zscore", "z", "missing"}), "_\r\n");
    EXPECT_EQ(r.run({"zmscore", "z", "a", "missing"}), "*2\r\n,1\r\n_\r\n");
    EXPECT_EQ(r.run({"zincrby", "z", "0.5", "a"}), ",1.5\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "incr", "1", "a"}), ",2.5\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "xx", "incr", "1", "missing"}), "_\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0", "-1", "withscores"}),
              "*3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,2.5\r\n*2\r\n$1\r\nc\r\n,3\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "-inf", "+inf", "withscores", "limit", "0", "1"}),
              "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
    EXPECT_EQ(r.run({"zrevrange", "z", "0", "0", "withscores"}), "*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
    EXPECT_EQ(r.run({"zpopmin", "z"}), "*2\r\n$1\r\nb\r\n,2\r\n");
    EXPECT_EQ(r.run({"zpopmax", "z", "1"}), "*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
    EXPECT_EQ(r.run({"zpopmin", "nokey"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "5", "withscores"}), "*1\r\n*2\r\n$1\r\na\r\n,2.5\r\n");
    EXPECT_EQ(r.run({"zrandmember", "nokey"}), "_\r\n");
    EXPECT_EQ(r.run({"zscan", "z", "0"}), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$3\r\n2.5\r\n");
}

TEST(ZSetCommands, RemoveRanges) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"}), ":5\r\n");
    EXPECT_EQ(r.run({"zremrangebyrank", "r", "0", "0"}), ":1\r\n");
    EXPECT_EQ(r.run({"zremrangebyrank", "r", "-1", "-1"}), ":1\r\n");
    EXPECT_EQ(r.run({"zremrangebyrank", "r", "5", "10"}), ":0\r\n");
    EXPECT_EQ(r.run({"zremrangebyrank", "r", "x", "1"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"zremrangebyrank", "nokey", "0", "1"}), ":0\r\n");
    EXPECT_EQ(r.run({"zremrangebyscore", "r", "(2", "3"}), ":1\r\n");
    EXPECT_EQ(r.run({"zremrangebyscore", "r", "x", "3"}), "-ERR min or max is not a float\r\n");
    EXPECT_EQ(r.run({"zremrangebyscore", "r", "10", "20"}), ":0\r\n");
    EXPECT_EQ(r.run({"zrange", "r", "0", "-1", "withscores"}),
              "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    EXPECT_EQ(r.run({"zremrangebyrank", "r", "0", "-1"}), ":2\r\n");
    EXPECT_EQ(r.run({"exists", "r"}), ":0\r\n");
    EXPECT_EQ(r.run({"zadd", "l", "0", "a", "0", "b", "0", "c", "0", "d"}), ":4\r\n");
    EXPECT_EQ(r.run({"zremrangebylex", "l", "[b", "[c"}), ":2\r\n");
    EXPECT_EQ(r.run({"zremrangebylex", "l", "x", "[c"}),
              "-ERR min or max not valid string range item\r\n");
    EXPECT_EQ(r.run({"zremrangebylex", "l", "-", "+"}), ":2\r\n");
    EXPECT_EQ(r.run({"exists", "l"}), ":0\r\n");
}

TEST(ZSetCommands, RandmemberEdges) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zrandmember", "nokey"}), "$-1\r\n");
    EXPECT_EQ(r.run({"zrandmember", "nokey", "1"}), "*0\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "1", "a", "2", "b", "3", "c"}), ":3\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "0"}), "*0\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "x"}), "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "1", "foo"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "1", "withscores", "foo"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "-9223372036854775808"}),
              "-ERR value is out of range, value must between -9223372036854775807 and "
              "9223372036854775807\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "-4611686018427387904", "withscores"}),
              "-ERR value is out of range\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "4611686018427387904", "withscores"}),
              "-ERR value is out of range\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "3"}), "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
    EXPECT_EQ(r.run({"zrandmember", "z", "10", "withscores"}),
              "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
}

TEST(ZSetCommands, UnionAndInterStore) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "a", "1", "x", "2", "y", "3", "z"}), ":3\r\n");
    EXPECT_EQ(r.run({"zadd", "b", "10", "y", "20", "z", "30", "w"}), ":3\r\n");
    EXPECT_EQ(r.run({"sadd", "s", "x", "w", "q"}), ":3\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b"}), ":4\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}),
              "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$"
              "1\r\nw\r\n$2\r\n30\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "weights", "2", "3"}), ":4\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}),
              "*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n34\r\n$1\r\nz\r\n$2\r\n66\r\n$"
              "1\r\nw\r\n$2\r\n90\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "aggregate", "min"}), ":4\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}),
              "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\nw\r\n$"
              "2\r\n30\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "AGGREGATE", "MAX", "weights", "1", "-1"}),
              ":4\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}),
              "*8\r\n$1\r\nw\r\n$3\r\n-30\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$"
              "1\r\nz\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "weights", "1", "2", "weights", "2", "2"}),
              ":4\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}),
              "*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n24\r\n$1\r\nz\r\n$2\r\n46\r\n$"
              "1\r\nw\r\n$2\r\n60\r\n");
    EXPECT_EQ(r.run({"zinterstore", "d", "2", "a", "b"}), ":2\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}),
              "*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n");
    EXPECT_EQ(r.run({"zinterstore", "d", "2", "a", "b", "aggregate", "max"}), ":2\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}),
              "*4\r\n$1\r\ny\r\n$2\r\n10\r\n$1\r\nz\r\n$2\r\n20\r\n");
    EXPECT_EQ(r.run({"zinterstore", "d", "3", "a", "b", "s"}), ":0\r\n");
    EXPECT_EQ(r.run({"exists", "d"}), ":0\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "s"}), ":5\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}),
              "*10\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n2\r\n$"
              "1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n");
    EXPECT_EQ(r.run({"zinterstore", "d", "2", "a", "s", "weights", "2", "5"}), ":1\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}), "*2\r\n$1\r\nx\r\n$1\r\n7\r\n");
    EXPECT_EQ(r.run({"zinterstore", "d", "2", "a", "nokey"}), ":0\r\n");
    EXPECT_EQ(r.run({"exists", "d"}), ":0\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "nokey", "nokey2"}), ":0\r\n");
    EXPECT_EQ(r.run({"zunionstore", "a", "2", "a", "b"}), ":4\r\n");
    EXPECT_EQ(r.run({"zrange", "a", "0", "-1", "withscores"}),
              "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$"
              "1\r\nw\r\n$2\r\n30\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "1", "b", "weights", "inf"}), ":3\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}),
              "*6\r\n$1\r\nw\r\n$3\r\ninf\r\n$1\r\ny\r\n$3\r\ninf\r\n$1\r\nz\r\n$3\r\ninf\r\n");
    EXPECT_EQ(r.run({"zadd", "i", "0", "x"}), ":1\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "1", "i", "weights", "inf"}), ":1\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}), "*2\r\n$1\r\nx\r\n$1\r\n0\r\n");
    EXPECT_EQ(r.run({"zadd", "p", "inf", "x"}), ":1\r\n");
    EXPECT_EQ(r.run({"zadd", "q", "-inf", "x"}), ":1\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "p", "q"}), ":1\r\n");
    EXPECT_EQ(r.run({"zrange", "d", "0", "-1", "withscores"}), "*2\r\n$1\r\nx\r\n$1\r\n0\r\n");
}

TEST(ZSetCommands, StoreErrors) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd", "a", "1", "x"}), ":1\r\n");
    r.run({"set", "str", "v"});
    EXPECT_EQ(r.run({"zunionstore", "d", "0", "a"}),
              "-ERR at least 1 input key is needed for 'zunionstore' command\r\n");
    EXPECT_EQ(r.run({"zinterstore", "d", "-1", "a"}),
              "-ERR at least 1 input key is needed for 'zinterstore' command\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "x", "a"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "3", "a", "b"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "1", "a", "b"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "9223372036854775807", "a"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "weights", "1"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "weights", "1", "x"}),
              "-ERR weight value is not a float\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "weights", "1", "2", "3"}),
              "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "aggregate", "foo"}),
              "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "aggregate"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "b", "withscores"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zinterstore", "d", "2", "nokey", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "2", "a", "str", "foo"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d"}),
              "-ERR wrong number of arguments for 'zunionstore' command\r\n");
    EXPECT_EQ(r.run({"zinterstore", "d", "1"}),
              "-ERR wrong number of arguments for 'zinterstore' command\r\n");
}

TEST(ZSetCommands, ScanSmallSortedSet) {
    CommandRunner r;
    EXPECT_EQ(r.run({"zadd",
                     "z",
                     "1",
                     "a",
                     "2.5",
                     "b",
                     "-0",
                     "c",
                     "0.1",
                     "d",
                     "1.1e-5",
                     "e",
                     "123456789012345678",
                     "f",
                     "1e20",
                     "g",
                     "4611686018427387904",
                     "h",
                     "inf",
                     "i"}),
              ":9\r\n");
    EXPECT_EQ(r.run({"zscan", "z", "0"}),
              "*2\r\n$1\r\n0\r\n*18\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$7\r\n1.1e-05\r\n$"
              "1\r\nd\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2."
              "5\r\n$1\r\nf\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$"
              "19\r\n4611686018427387904\r\n$1\r\ng\r\n$5\r\n1e+20\r\n$1\r\ni\r\n$3\r\ninf\r\n");
    EXPECT_EQ(r.run({"zscan", "z", "0", "match", "?"}),
              "*2\r\n$1\r\n0\r\n*18\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\ne\r\n$7\r\n1.1e-05\r\n$"
              "1\r\nd\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2."
              "5\r\n$1\r\nf\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n$"
              "19\r\n4611686018427387904\r\n$1\r\ng\r\n$5\r\n1e+20\r\n$1\r\ni\r\n$3\r\ninf\r\n");
    EXPECT_EQ(r.run({"zscan", "z", "0", "count", "0"}), "-ERR syntax error\r\n");
    EXPECT_EQ(r.run({"zscan", "z", "x"}), "-ERR invalid cursor\r\n");
    EXPECT_EQ(r.run({"zscan", "nokey", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
    EXPECT_EQ(r.run({"zscan", "nokey", "0", "count", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
}

TEST(ZSetCommands, WrongTypeAndArity) {
    CommandRunner r;
    r.run({"set", "str", "v"});
    EXPECT_EQ(r.run({"zadd", "str", "1", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zincrby", "str", "1", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrem", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zscore", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zmscore", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zcard", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zcount", "str", "0", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zlexcount", "str", "-", "+"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrange", "str", "0", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "str", "0", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrevrangebyscore", "str", "1", "0"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrangebylex", "str", "-", "+"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrevrangebylex", "str", "+", "-"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrevrange", "str", "0", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrank", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrevrank", "str", "a"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zpopmin", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zpopmax", "str", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zremrangebyrank", "str", "0", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zremrangebyscore", "str", "0", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zremrangebylex", "str", "-", "+"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrandmember", "str"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zrandmember", "str", "1"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zscan", "str", "0"}),
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_EQ(r.run({"zadd", "str", "x", "a"}), "-ERR value is not a valid float\r\n");
    EXPECT_EQ(r.run({"zcount", "str", "x", "1"}), "-ERR min or max is not a float\r\n");
    EXPECT_EQ(r.run({"zrange", "str", "x", "1"}),
              "-ERR value is not an integer or out of range\r\n");
    EXPECT_EQ(r.run({"zadd", "z"}), "-ERR wrong number of arguments for 'zadd' command\r\n");
    EXPECT_EQ(r.run({"zadd", "z", "1"}), "-ERR wrong number of arguments for 'zadd' command\r\n");
    EXPECT_EQ(r.run({"zincrby", "z", "1"}),
              "-ERR wrong number of arguments for 'zincrby' command\r\n");
    EXPECT_EQ(r.run({"zrem", "z"}), "-ERR wrong number of arguments for 'zrem' command\r\n");
    EXPECT_EQ(r.run({"zscore", "z"}), "-ERR wrong number of arguments for 'zscore' command\r\n");
    EXPECT_EQ(r.run({"zmscore", "z"}), "-ERR wrong number of arguments for 'zmscore' command\r\n");
    EXPECT_EQ(r.run({"zcard"}), "-ERR wrong number of arguments for 'zcard' command\r\n");
    EXPECT_EQ(r.run({"zcount", "z", "0"}),
              "-ERR wrong number of arguments for 'zcount' command\r\n");
    EXPECT_EQ(r.run({"zlexcount", "z", "-"}),
              "-ERR wrong number of arguments for 'zlexcount' command\r\n");
    EXPECT_EQ(r.run({"zrange", "z", "0"}),
              "-ERR wrong number of arguments for 'zrange' command\r\n");
    EXPECT_EQ(r.run({"zrangebyscore", "z", "0"}),
              "-ERR wrong number of arguments for 'zrangebyscore' command\r\n");
    EXPECT_EQ(r.run({"zrank", "z"}), "-ERR wrong number of arguments for 'zrank' command\r\n");
    EXPECT_EQ(r.run({"zpopmin"}), "-ERR wrong number of arguments for 'zpopmin' command\r\n");
    EXPECT_EQ(r.run({"zremrangebyrank", "z", "0"}),
              "-ERR wrong number of arguments for 'zremrangebyrank' command\r\n");
    EXPECT_EQ(r.run({"zrandmember"}),
              "-ERR wrong number of arguments for 'zrandmember' command\r\n");
    EXPECT_EQ(r.run({"zunionstore", "d", "1"}),
              "-ERR wrong number of arguments for 'zunionstore' command\r\n");
    EXPECT_EQ(r.run({"zscan", "z"}), "-ERR wrong number of arguments for 'zscan' command\r\n");
}
