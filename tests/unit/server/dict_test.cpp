#include "server/store/dict.hpp"

#include <set>

#include <gtest/gtest.h>

using vigil::server::Dict;

TEST(Dict, InsertFindErase) {
    Dict<int> d;
    for (int i = 0; i < 1000; ++i) {
        d.insert_or_assign("k" + std::to_string(i), i);
    }
    EXPECT_EQ(d.size(), 1000U);
    EXPECT_EQ(*d.find("k500"), 500);
    EXPECT_TRUE(d.erase("k500"));
    EXPECT_FALSE(d.erase("k500"));
    EXPECT_EQ(d.find("k500"), nullptr);
    for (int i = 0; i < 1000; ++i) {
        d.erase("k" + std::to_string(i));
    }
    EXPECT_TRUE(d.empty());
}

TEST(Dict, ScanReturnsEveryElementPresentThroughoutEvenAcrossResizes) {
    Dict<int> d;
    for (int i = 0; i < 500; ++i) {
        d.insert_or_assign("a" + std::to_string(i), i);
    }
    std::set<std::string> seen;
    std::uint64_t cursor = 0;
    int step = 0;
    do {
        cursor = d.scan(cursor, [&](const std::string& k, int) { seen.insert(k); });
        // Grow the table in the middle of the iteration, then shrink it.
        if (++step == 50) {
            for (int i = 0; i < 5000; ++i) {
                d.insert_or_assign("b" + std::to_string(i), i);
            }
        }
        if (step == 400) {
            for (int i = 0; i < 5000; ++i) {
                d.erase("b" + std::to_string(i));
            }
        }
    } while (cursor != 0);
    for (int i = 0; i < 500; ++i) {
        EXPECT_TRUE(seen.count("a" + std::to_string(i))) << i;
    }
}

TEST(Dict, RandomNodeReturnsMembers) {
    Dict<int> d;
    std::mt19937_64 rng(1);
    EXPECT_EQ(d.random_node(rng), nullptr);
    d.insert_or_assign("x", 1);
    d.insert_or_assign("y", 2);
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        seen.insert(d.random_node(rng)->key);
    }
    EXPECT_EQ(seen, (std::set<std::string>{"x", "y"}));
}
