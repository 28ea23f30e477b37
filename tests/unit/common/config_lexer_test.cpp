#include "common/config/config_lexer.hpp"

#include <map>

#include <gtest/gtest.h>

namespace vigil::common::config {
namespace {

IncludeReader fake_files(std::map<std::string, std::string> files) {
    IncludeReader r;
    r.expand = [](const std::string& p) {
        return std::vector<std::string>{p};
    };
    r.read = [files](const std::string& path, std::string& out, std::string& error) {
        auto it = files.find(path);
        if (it == files.end()) {
            error = "No such file or directory";
            return false;
        }
        out = it->second;
        return true;
    };
    return r;
}

TEST(ConfigLexer, SkipsCommentsAndBlankLinesAndCountsLines) {
    auto lines = lex_config("# comment\n\n  port 6380  \r\n\tbind 127.0.0.1 ::1\n", "a.conf");
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[0].line, 3);
    EXPECT_EQ(lines[0].text, "port 6380");
    EXPECT_EQ(lines[0].args, (std::vector<std::string>{"port", "6380"}));
    EXPECT_EQ(lines[1].line, 4);
    EXPECT_EQ(lines[1].args, (std::vector<std::string>{"bind", "127.0.0.1", "::1"}));
    EXPECT_EQ(lines[1].source, "a.conf");
}

TEST(ConfigLexer, LowerCasesTheDirectiveNameOnly) {
    auto lines = lex_config("RequirePass SeCrEt\n", "a.conf");
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(lines[0].args, (std::vector<std::string>{"requirepass", "SeCrEt"}));
}

TEST(ConfigLexer, QuotesAndEscapes) {
    auto lines = lex_config(
        "requirepass \"a b\\n\\x41\\\"\"\nlogfile ''\nmasterauth 'it\\'s'\nsave \"\"\n", "a");
    ASSERT_EQ(lines.size(), 4U);
    EXPECT_EQ(lines[0].args[1], "a b\nA\"");
    EXPECT_EQ(lines[1].args[1], "");
    EXPECT_EQ(lines[2].args[1], "it's");
    EXPECT_EQ(lines[3].args, (std::vector<std::string>{"save", ""}));
}

TEST(ConfigLexer, UnbalancedQuotesReportLineAndText) {
    try {
        lex_config("port 1\nrequirepass \"abc\n", "x.conf");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.kind(), ConfigError::Kind::bad_line);
        EXPECT_EQ(e.line(), 2);
        EXPECT_EQ(e.source(), "x.conf");
        EXPECT_EQ(e.text(), "requirepass \"abc");
        EXPECT_EQ(e.reason(), "Unbalanced quotes in configuration line");
    }
}

TEST(ConfigLexer, FatalReportHasRedisFormat) {
    ConfigError e("x.conf", 2, "foo bar", "Bad directive or wrong number of arguments");
    EXPECT_EQ(e.fatal_report("7.0.15"),
              "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
              "Reading the configuration file, at line 2\n"
              ">>> 'foo bar'\n"
              "Bad directive or wrong number of arguments\n"
              "(in x.conf, line 2)\n");
}

TEST(ConfigLexer, IncludeExpandsInPlaceWithItsOwnLineNumbers) {
    auto files = fake_files({{"inc.conf", "# inc\nport 7000\n"}});
    auto lines = lex_config("timeout 1\ninclude inc.conf\ntimeout 2\n", "main.conf", files);
    ASSERT_EQ(lines.size(), 3U);
    EXPECT_EQ(lines[0].args[0], "timeout");
    EXPECT_EQ(lines[1].source, "inc.conf");
    EXPECT_EQ(lines[1].line, 2);
    EXPECT_EQ(lines[1].args[1], "7000");
    EXPECT_EQ(lines[2].source, "main.conf");
    EXPECT_EQ(lines[2].line, 3);
}

TEST(ConfigLexer, MissingIncludeIsCannotOpen) {
    auto files = fake_files({});
    try {
        lex_config("include /nope.conf\n", "main.conf", files);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.kind(), ConfigError::Kind::cannot_open);
        EXPECT_STREQ(e.what(),
                     "Fatal error, can't open config file '/nope.conf': No such file or directory");
    }
}

TEST(ConfigLexer, IncludeLoopIsStopped) {
    auto files = fake_files({{"self.conf", "include self.conf\n"}});
    EXPECT_THROW(lex_config("include self.conf\n", "main.conf", files), ConfigError);
}

TEST(ConfigLexer, QuoteArgRoundTrips) {
    for (std::string s : {std::string(""), std::string("a b\"c\\d"), std::string("\x01\n\t'x")}) {
        std::vector<std::string> args;
        ASSERT_TRUE(split_config_line("k " + quote_arg(s), args));
        ASSERT_EQ(args.size(), 2U);
        EXPECT_EQ(args[1], s);
    }
    EXPECT_EQ(quote_arg("a b\"c"), "\"a b\\\"c\"");
}

}  // namespace
}  // namespace vigil::common::config
