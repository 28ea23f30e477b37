#include <gtest/gtest.h>

#include "common/config/config_rewrite.hpp"
#include "common/config/directive_table.hpp"

namespace vigil::common::config {
namespace {

struct Settings {
    int port = 6379;
    bool flag = true;
    std::uint64_t mem = 0;
    std::string name = "x";
    std::string mode = "b";
    int fixed = 1;
    int knob = 10;
    int secret = 10;
};

struct Fixture : ::testing::Test {
    Settings s;
    DirectiveTable t;
    Fixture() {
        t.add(int_directive("port", s.port, 0, 65535));
        Directive flag = bool_directive("replica-flag", s.flag);
        flag.aliases.emplace_back("slave-flag");
        t.add(std::move(flag));
        t.add(memory_directive("maxmem", s.mem, 0, ~0ULL));
        t.add(string_directive("name", s.name));
        t.add(enum_directive("mode", s.mode, {"a", "b", "c"}));
        t.add(int_directive("fixed", s.fixed, 0, 10, kImmutable));
        t.add(int_directive("knob", s.knob, 0, 100, kIgnored));
        t.add(int_directive("secret-knob", s.secret, 0, 100, kHidden));
        t.capture_defaults();
    }
    void apply(const std::string& text) { t.apply_all(lex_config(text, "t.conf")); }
    std::string set(std::vector<std::string_view> args) {
        auto r = t.set(args);
        return r ? *r : "OK";
    }
};

using DirectiveTableTest = Fixture;

TEST_F(DirectiveTableTest, AppliesTypedValues) {
    apply("port 7000\nslave-flag no\nmaxmem 2mb\nname \"a b\"\nmode C\n");
    EXPECT_EQ(s.port, 7000);
    EXPECT_FALSE(s.flag);
    EXPECT_EQ(s.mem, 2U * 1024 * 1024);
    EXPECT_EQ(s.name, "a b");
    EXPECT_EQ(s.mode, "c");
}

TEST_F(DirectiveTableTest, ErrorsCarryRedisReasonsAndLines) {
    auto reason = [&](const std::string& text) {
        try {
            apply(text);
        } catch (const ConfigError& e) {
            return std::to_string(e.line()) + ": " + e.reason();
        }
        return std::string("no error");
    };
    EXPECT_EQ(reason("port 1\nfoo bar\n"), "2: Bad directive or wrong number of arguments");
    EXPECT_EQ(reason("port abc\n"), "1: argument couldn't be parsed into an integer");
    EXPECT_EQ(reason("port 99999\n"), "1: argument must be between 0 and 65535 inclusive");
    EXPECT_EQ(reason("port 1 2\n"), "1: wrong number of arguments");
    EXPECT_EQ(reason("replica-flag maybe\n"), "1: argument must be 'yes' or 'no'");
    EXPECT_EQ(reason("maxmem 10zz\n"), "1: argument must be a memory value");
    EXPECT_EQ(reason("mode d\n"), "1: argument(s) must be one of the following: a, b, c");
}

TEST_F(DirectiveTableTest, IgnoredDirectivesAreRecordedOnce) {
    apply("knob 5\nknob 6\nport 1\n");
    EXPECT_EQ(t.ignored_seen(), (std::vector<std::string>{"knob"}));
    EXPECT_EQ(s.knob, 6);
}

TEST_F(DirectiveTableTest, GetWithGlobsAliasesAndHidden) {
    std::vector<std::string_view> all{"*"};
    auto values = t.get(all);
    std::vector<std::string> names;
    for (auto& [n, v] : values) {
        names.push_back(n);
    }
    EXPECT_NE(std::find(names.begin(), names.end(), "slave-flag"), names.end());
    EXPECT_EQ(std::find(names.begin(), names.end(), "secret-knob"), names.end());
    std::vector<std::string_view> exact{"SECRET-KNOB", "po?t", "replica-*", "port"};
    auto v = t.get(exact);
    ASSERT_EQ(v.size(), 3U);
    EXPECT_EQ(v[0], (std::pair<std::string, std::string>{"SECRET-KNOB", "10"}));
    EXPECT_EQ(v[1], (std::pair<std::string, std::string>{"port", "6379"}));
    EXPECT_EQ(v[2], (std::pair<std::string, std::string>{"replica-flag", "yes"}));
}

TEST_F(DirectiveTableTest, SetIsAllOrNothing) {
    EXPECT_EQ(set({"port", "7000", "maxmem", "1gb"}), "OK");
    EXPECT_EQ(s.port, 7000);
    EXPECT_EQ(s.mem, 1024ULL * 1024 * 1024);
    EXPECT_EQ(set({"port", "7001", "mode", "z"}),
              "ERR CONFIG SET failed (possibly related to argument 'mode') - argument(s) must be "
              "one of the following: a, b, c");
    EXPECT_EQ(s.port, 7000);
    EXPECT_EQ(set({"foo", "1"}),
              "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    EXPECT_EQ(set({"fixed", "2"}),
              "ERR CONFIG SET failed (possibly related to argument 'fixed') - can't set immutable "
              "config");
    EXPECT_EQ(set({"port", "1", "port", "2"}),
              "ERR CONFIG SET failed (possibly related to argument 'port') - duplicate parameter");
    EXPECT_EQ(set({"port", "x"}),
              "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be "
              "parsed into an integer");
}

TEST_F(DirectiveTableTest, RewriteKeepsCommentsAndOrder) {
    const std::string old =
        "# my server\n"
        "port 7000\n"
        "\n"
        "# flags\n"
        "slave-flag yes\n"
        "include other.conf\n"
        "unknown-thing 1\n"
        "port 7001\n";
    apply("port 7000\n");
    ASSERT_EQ(set({"port", "8000", "maxmem", "3gb", "name", "a\"b"}), "OK");
    EXPECT_EQ(rewrite_config_text(old, t),
              "# my server\n"
              "port 8000\n"
              "\n"
              "# flags\n"
              "replica-flag yes\n"
              "include other.conf\n"
              "unknown-thing 1\n"
              "\n"  // the second port line, blanked as Redis does
              "# Generated by CONFIG REWRITE\n"
              "maxmem 3gb\n"
              "name \"a\\\"b\"\n");
}

TEST_F(DirectiveTableTest, RewriteAppendsAfterAnExistingSignatureAndSkipsDefaults) {
    const std::string old = "port 1\n\n# Generated by CONFIG REWRITE\nmode a\n";
    ASSERT_EQ(set({"mode", "b", "knob", "11"}), "OK");  // mode back to its default
    EXPECT_EQ(rewrite_config_text(old, t),
              "port 6379\n\n# Generated by CONFIG REWRITE\nmode b\nknob 11\n");
}

TEST(ConfigValues, MemoryParsingAndFormatting) {
    EXPECT_EQ(parse_memory("1k"), 1000U);
    EXPECT_EQ(parse_memory("1KB"), 1024U);
    EXPECT_EQ(parse_memory("2gb"), 2ULL << 30);
    EXPECT_EQ(parse_memory(""), 0U);
    EXPECT_FALSE(parse_memory("1.5gb"));
    EXPECT_FALSE(parse_memory("-1"));
    EXPECT_EQ(format_memory(3ULL << 30), "3gb");
    EXPECT_EQ(format_memory(16384), "16kb");
    EXPECT_EQ(format_memory(1025), "1025");
    EXPECT_EQ(format_memory(0), "0");
}

TEST(ConfigValues, StrictIntegers) {
    EXPECT_EQ(parse_ll("-5"), -5);
    EXPECT_EQ(parse_ll("9223372036854775807"), INT64_MAX);
    EXPECT_EQ(parse_ll("-9223372036854775808"), INT64_MIN);
    EXPECT_FALSE(parse_ll("9223372036854775808"));
    EXPECT_FALSE(parse_ll("05"));
    EXPECT_FALSE(parse_ll("+5"));
    EXPECT_FALSE(parse_ll(" 5"));
    EXPECT_FALSE(parse_ll(""));
}

}  // namespace
}  // namespace vigil::common::config
