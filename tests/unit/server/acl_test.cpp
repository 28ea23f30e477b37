// ACL and authentication, replies as redis-server 7.0 sends them.
#include <gtest/gtest.h>

#include "tests/support/command_runner.hpp"

using vigil::test::CommandRunner;

TEST(Acl, DefaultUserAndList) {
    CommandRunner r;
    EXPECT_EQ(r.run({"acl", "whoami"}), "$7\r\ndefault\r\n");
    EXPECT_EQ(r.run({"acl", "list"}), "*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n");
}

TEST(Acl, SetUserDescribesLikeRedis) {
    CommandRunner r;
    EXPECT_EQ(r.run({"acl", "setuser", "alice", "on", ">pw", "+@all", "-set", "~*", "allchannels"}),
              "+OK\r\n");
    EXPECT_EQ(r.run({"acl", "setuser", "carol", "on", ">x", "+get", "~k*"}), "+OK\r\n");
    EXPECT_EQ(r.run({"acl", "list"}),
              "*3\r\n"
              "$96\r\nuser alice on "
              "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~* &* +@all "
              "-set\r\n"
              "$108\r\nuser carol on "
              "#2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 ~k* "
              "resetchannels -@all +get\r\n"
              "$34\r\nuser default on nopass ~* &* +@all\r\n");
    EXPECT_EQ(r.run({"acl", "setuser", "bob", "badrule"}),
              "-ERR Error in ACL SETUSER modifier 'badrule': Syntax error\r\n");
    EXPECT_EQ(r.run({"acl", "setuser", "bob", "+nosuchcmd"}),
              "-ERR Error in ACL SETUSER modifier '+nosuchcmd': Unknown command or category "
              "name in ACL\r\n");
    EXPECT_EQ(r.run({"acl", "getuser", "nobody"}), "$-1\r\n");
}

TEST(Acl, PermissionsAreEnforced) {
    CommandRunner r;
    r.run({"acl", "setuser", "carol", "on", ">x", "+get", "+auth", "~k*"});
    EXPECT_EQ(r.run({"auth", "carol", "wrong"}),
              "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    EXPECT_EQ(r.run({"auth", "carol", "x"}), "+OK\r\n");
    EXPECT_EQ(r.run({"set", "a", "1"}),
              "-NOPERM this user has no permissions to run the 'set' command\r\n");
    EXPECT_EQ(r.run({"get", "a"}),
              "-NOPERM this user has no permissions to access one of the keys used as "
              "arguments\r\n");
    EXPECT_EQ(r.run({"get", "k1"}), "$-1\r\n");
    EXPECT_EQ(r.run({"acl", "whoami"}),
              "-NOPERM this user has no permissions to run the 'acl|whoami' command\r\n");
}

TEST(Acl, DefaultUserCannotBeDeletedAndDisabledUsersCannotLogIn) {
    CommandRunner r;
    EXPECT_EQ(r.run({"acl", "deluser", "default"}),
              "-ERR The 'default' user cannot be removed\r\n");
    r.run({"acl", "setuser", "dave", "off", ">pw", "+@all"});
    EXPECT_EQ(r.run({"auth", "dave", "pw"}),
              "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    EXPECT_EQ(r.run({"acl", "deluser", "dave", "nobody"}), ":1\r\n");
    EXPECT_EQ(r.run({"auth", "x"}),
              "-ERR AUTH <password> called without any password configured for the default "
              "user. Are you sure your configuration is correct?\r\n");
}
