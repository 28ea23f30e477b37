#include "common/resp/reply_writer.hpp"

#include <gtest/gtest.h>

using vigil::common::ReplyWriter;

TEST(ReplyWriter, WritesResp2) {
    std::string out;
    ReplyWriter w(out, 2);
    w.simple("OK");
    w.error("ERR bad\nthing");
    w.integer(-42);
    w.bulk("hi");
    w.null();
    w.null_array();
    w.map_header(2);
    w.double_value(1.5);
    w.boolean(true);
    EXPECT_EQ(
        out,
        "+OK\r\n-ERR bad thing\r\n:-42\r\n$2\r\nhi\r\n$-1\r\n*-1\r\n*4\r\n$3\r\n1.5\r\n:1\r\n");
}

TEST(ReplyWriter, WritesResp3) {
    std::string out;
    ReplyWriter w(out, 3);
    w.null();
    w.map_header(2);
    w.set_header(1);
    w.double_value(2);
    w.boolean(false);
    w.verbatim("abc");
    w.push_header(3);
    EXPECT_EQ(out, "_\r\n%2\r\n~1\r\n,2\r\n#f\r\n=7\r\ntxt:abc\r\n>3\r\n");
}

TEST(ReplyWriter, FormatsDoublesLikeRedis70) {
    EXPECT_EQ(vigil::common::format_double(1.1), "1.1000000000000001");
    EXPECT_EQ(vigil::common::format_double(3), "3");
    EXPECT_EQ(vigil::common::format_double(-1.0 / 0.0), "-inf");
}
