#include <gtest/gtest.h>

#include "common/pubsub/pubsub.hpp"

using vigil::common::glob_match;

TEST(Glob, MatchesLikeRedis) {
    EXPECT_TRUE(glob_match("*", "anything"));
    EXPECT_TRUE(glob_match("h?llo", "hello"));
    EXPECT_TRUE(glob_match("h*llo", "heeeello"));
    EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
    EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
    EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
    EXPECT_TRUE(glob_match("h\\*llo", "h*llo"));
    EXPECT_FALSE(glob_match("h\\*llo", "hello"));
    EXPECT_FALSE(glob_match("abc", "abcd"));
    EXPECT_TRUE(glob_match("a*", "a"));
    EXPECT_TRUE(glob_match("HELLO", "hello", true));
}
