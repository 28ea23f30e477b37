#include "common/net/input_buffer.hpp"

#include <string>

#include <gtest/gtest.h>

using vigil::common::InputBuffer;

namespace {
void put(InputBuffer& b, const std::string& s) {
    char* p = b.prepare(s.size());
    std::copy(s.begin(), s.end(), p);
    b.commit(s.size());
}
}  // namespace

TEST(InputBuffer, KeepsUnconsumedBytesInOrderAcrossGrowthAndCompaction) {
    InputBuffer b;
    put(b, "hello ");
    put(b, "world");
    EXPECT_EQ(b.readable(), "hello world");
    b.consume(6);
    EXPECT_EQ(b.readable(), "world");
    std::string big(100000, 'x');
    put(b, big);
    EXPECT_EQ(b.readable(), "world" + big);
    b.consume(b.size());
    EXPECT_EQ(b.size(), 0U);
    put(b, "again");
    EXPECT_EQ(b.readable(), "again");
}

TEST(InputBuffer, ReusesConsumedSpaceBeforeGrowing) {
    InputBuffer b;
    b.prepare(1024);
    std::size_t cap = b.capacity();
    for (int i = 0; i < 1000; ++i) {
        put(b, std::string(100, 'a'));
        b.consume(90);
    }
    EXPECT_EQ(b.size(), 10000U);
    EXPECT_LE(b.capacity(), std::max<std::size_t>(cap, 16384));
}
