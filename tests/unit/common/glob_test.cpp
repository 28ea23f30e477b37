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

TEST(Glob, ManyStarsDoNotBacktrackExponentially) {
    std::string s(200, 'a');
    std::string p;
    for (int i = 0; i < 30; ++i) {
        p += "*a";
    }
    p += "*b";
    EXPECT_FALSE(glob_match(p, s));  // would take ages with naive recursion
    EXPECT_TRUE(glob_match(p.substr(0, p.size() - 2), s));
    std::string stars(5000, '*');
    EXPECT_TRUE(glob_match(stars, "anything"));
}

TEST(Glob, ClassesAndEscapesBehaveLikeRedis) {
    EXPECT_TRUE(glob_match("[a-]", "a"));
    EXPECT_FALSE(glob_match("a[", "a["));  // an unterminated class matches nothing
    EXPECT_TRUE(glob_match("[^]", "a"));   // an empty negated class matches any character
    EXPECT_TRUE(glob_match("[\\]]", "]"));
    EXPECT_TRUE(glob_match("*[0-9]", "key7"));
    EXPECT_FALSE(glob_match("*[0-9]", "key"));
    EXPECT_TRUE(glob_match("a\\?c*", "a?cde"));
    EXPECT_FALSE(glob_match("a\\?c", "abc"));
}
