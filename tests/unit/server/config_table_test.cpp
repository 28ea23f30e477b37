#include "server/config_table.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "common/config/config_rewrite.hpp"
#include "server/config_loader.hpp"

namespace vigil::server {
namespace {

std::string get(common::config::DirectiveTable& t, std::string_view name) {
    std::vector<std::string_view> p{name};
    auto v = t.get(p);
    return v.empty() ? "<none>" : v[0].second;
}

TEST(ServerConfigTable, DefaultsPrintLikeRedis) {
    ServerConfig cfg;
    auto t = make_config_table(cfg);
    EXPECT_EQ(get(t, "save"), "3600 1 300 100 60 10000");
    EXPECT_EQ(get(t, "client-output-buffer-limit"),
              "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    EXPECT_EQ(get(t, "maxmemory-policy"), "noeviction");
    EXPECT_EQ(get(t, "bind"), "* -::*");
    EXPECT_EQ(get(t, "proto-max-bulk-len"), "536870912");
    EXPECT_EQ(get(t, "slave-read-only"), "yes");
    EXPECT_EQ(get(t, "replicaof"), "");
    EXPECT_EQ(get(t, "hz"), "10");
    EXPECT_EQ(get(t, "unixsocketperm"), "0");
    EXPECT_EQ(get(t, "key-load-delay"), "0");
    EXPECT_EQ(get(t, "user"), "<none>");
}

TEST(ServerConfigTable, EveryRedisDirectiveIsKnown) {
    ServerConfig cfg;
    auto t = make_config_table(cfg);
    std::vector<std::string_view> all{"*"};
    EXPECT_EQ(t.get(all).size(), 192U);  // what redis-server 7.0.15 answers to CONFIG GET *
}

TEST(ServerConfigTable, SaveLinesAddUpInAFileAndReplaceOnSet) {
    ServerSetup s;
    apply_config_text(s, "save 900 1\nsave 300 10\n", "t.conf");
    auto t = make_config_table(s.config);
    EXPECT_EQ(get(t, "save"), "900 1 300 10");
    std::vector<std::string_view> args{"save", "60 5"};
    EXPECT_FALSE(t.set(args));
    EXPECT_EQ(get(t, "save"), "60 5");
    std::vector<std::string_view> clear{"save", ""};
    EXPECT_FALSE(t.set(clear));
    EXPECT_TRUE(s.config.save_params.empty());
    // dir is always written, as Redis does.
    EXPECT_EQ(common::config::rewrite_config_text("save 1 1\ndir /\n", t).substr(0, 13),
              "save \"\"\ndir \"");
}

TEST(ServerConfigTable, SpecialValues) {
    ServerSetup s;
    apply_config_text(s,
                      "client-output-buffer-limit replica 1mb 2mb 3\n"
                      "notify-keyspace-events KEA\n"
                      "replicaof 10.0.0.1 6379\n"
                      "maxmemory-policy ALLKEYS-LRU\n"
                      "user alice on >pw ~* +@all\n"
                      "rename-command flushall \"\"\n"
                      "slave-priority 7\n",
                      "t.conf");
    auto t = make_config_table(s.config);
    EXPECT_EQ(get(t, "client-output-buffer-limit"),
              "normal 0 0 0 slave 1048576 2097152 3 pubsub 33554432 8388608 60");
    EXPECT_EQ(get(t, "notify-keyspace-events"), "AKE");
    EXPECT_EQ(get(t, "replicaof"), "10.0.0.1 6379");
    EXPECT_EQ(get(t, "slaveof"), "10.0.0.1 6379");
    EXPECT_EQ(s.config.maxmemory_policy, MaxmemoryPolicy::allkeys_lru);
    EXPECT_EQ(s.config.replica_priority, 7);
    ASSERT_EQ(s.config.acl_user_lines.size(), 1U);
    EXPECT_EQ(s.config.acl_user_lines[0].front(), "alice");
    ASSERT_EQ(s.config.rename_commands.size(), 1U);
    EXPECT_EQ(s.config.rename_commands[0].second, "");
    EXPECT_EQ(common::config::rewrite_config_text("", t).find("user "), std::string::npos);
}

TEST(ServerConfigTable, RefusesWhatVigilCannotHonour) {
    for (std::string text :
         {"cluster-enabled yes\n", "tls-port 6380\n", "unixsocket /tmp/s\n", "loadmodule /x.so\n",
          "sentinel monitor m 1.2.3.4 6379 2\n", "rename-command nosuchcommand foo\n"}) {
        ServerSetup s;
        EXPECT_THROW(apply_config_text(s, text, "t.conf"), common::config::ConfigError) << text;
    }
    ServerSetup ok;
    apply_config_text(ok, "cluster-enabled no\ntls-port 0\nlist-max-ziplist-entries 5\n", "t.conf");
    EXPECT_EQ(ok.ignored_directives, (std::vector<std::string>{"list-max-ziplist-entries"}));
}

TEST(ServerConfigTable, ImmutableAndProtected) {
    ServerConfig cfg;
    auto t = make_config_table(cfg);
    std::vector<std::string_view> d{"daemonize", "yes"};
    EXPECT_EQ(*t.set(d),
              "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
              "immutable config");
    std::vector<std::string_view> p{"dir", "/tmp"};
    EXPECT_EQ(*t.set(p),
              "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected "
              "config");
}

TEST(CommandLine, OptionsBecomeQuotedLines) {
    EXPECT_EQ(command_line_options({"--port", "6380", "--save", "--bind", "a", "b"}),
              "port \"6380\" \nsave \"\"\nbind \"a\" \"b\" ");
    EXPECT_EQ(command_line_options({"--masterauth", "--secret"}), "masterauth \"--secret\" ");
    EXPECT_EQ(command_line_options({"--port 7000"}), "port 7000 ");
    EXPECT_EQ(command_line_options({"--save"}), "save \"\"");
}

TEST(CommandLine, OneArgumentOfAMultiArgumentDirectiveIsSplit) {
    ServerSetup s;
    apply_config_text(s, command_line_options({"--save", "3600 1 60 5", "--bind", "a b"}),
                      "t.conf");
    EXPECT_EQ(s.config.save_params.size(), 2U);
    EXPECT_EQ(s.config.bind, (std::vector<std::string>{"a", "b"}));
}

TEST(CommandLine, OverridesApplyAfterTheFile) {
    ServerSetup s;
    apply_config_text(s, "port 1\n\n" + command_line_options({"--port", "2"}) + "\n", "t.conf", 3);
    EXPECT_EQ(s.config.port, 2);
}

}  // namespace
}  // namespace vigil::server
