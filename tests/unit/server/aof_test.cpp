// AOF: manifest format, replay with Redis's truncated-tail rules, and the files a server with
// appendonly yes writes and loads back (including a rewrite and a torn last command).
#include "server/persistence/aof.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/command_runner.hpp"
#include <unistd.h>

namespace vigil::server {
namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void append_to(const std::string& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << bytes;
}

TEST(AofManifest, ParsesAndWritesRedisFormat) {
    const std::string text =
        "file appendonly.aof.1.base.rdb seq 1 type b\n"
        "file appendonly.aof.1.incr.aof seq 1 type i\n"
        "file appendonly.aof.2.incr.aof seq 2 type i\n";
    AofManifest m;
    std::string error;
    ASSERT_TRUE(AofManifest::parse(text, m, error)) << error;
    ASSERT_TRUE(m.base.has_value());
    EXPECT_EQ(m.base->name, "appendonly.aof.1.base.rdb");
    ASSERT_EQ(m.incrs.size(), 2U);
    EXPECT_EQ(m.last_incr_seq(), 2);
    EXPECT_EQ(m.to_string(), text);

    // Comments, blank lines, unknown keys and quoted names.
    ASSERT_TRUE(
        AofManifest::parse("# comment\n\nfile \"my file\" seq 3 type i extra 1\n", m, error));
    EXPECT_EQ(m.incrs.at(0).name, "my file");
    EXPECT_EQ(m.to_string(), "file \"my file\" seq 3 type i\n");

    EXPECT_FALSE(AofManifest::parse("file a seq 1\n", m, error));
    EXPECT_FALSE(AofManifest::parse("file a seq x type i\n", m, error));
    EXPECT_FALSE(AofManifest::parse("file a seq 1 type b\nfile b seq 2 type b\n", m, error));
    EXPECT_FALSE(AofManifest::parse("file a/b seq 1 type i\n", m, error));
}

std::string resp(std::initializer_list<std::string_view> args) {
    std::string out;
    std::vector<std::string_view> v(args);
    append_resp_command(out, v);
    return out;
}

TEST(AofReplay, RunsCompleteCommandsAndReportsATruncatedTail) {
    std::string data = resp({"SELECT", "0"}) + resp({"SET", "a", "1"}) + resp({"SET", "b", "2"});
    std::vector<std::string> seen;
    auto run = [&](std::span<const std::string_view> args) {
        seen.emplace_back(args[0]);
    };
    AofReplayResult ok = replay_aof_commands(data, run);
    EXPECT_EQ(ok.status, AofReplayStatus::ok);
    EXPECT_EQ(ok.commands, 3U);
    EXPECT_EQ(ok.valid_bytes, data.size());

    // Every cut inside the last command leaves the first two.
    const std::size_t two = resp({"SELECT", "0"}).size() + resp({"SET", "a", "1"}).size();
    for (std::size_t cut = two + 1; cut < data.size(); ++cut) {
        seen.clear();
        AofReplayResult r = replay_aof_commands(std::string_view(data).substr(0, cut), run);
        EXPECT_EQ(r.status, AofReplayStatus::truncated) << cut;
        EXPECT_EQ(r.valid_bytes, two);
        EXPECT_EQ(seen.size(), 2U);
    }

    // A MULTI without EXEC is reverted to before MULTI.
    std::string tx = resp({"SET", "x", "1"}) + resp({"MULTI"}) + resp({"SET", "y", "1"});
    AofReplayResult open_tx = replay_aof_commands(tx, run);
    EXPECT_EQ(open_tx.status, AofReplayStatus::truncated);
    EXPECT_TRUE(open_tx.ended_in_multi);
    EXPECT_EQ(open_tx.valid_bytes, resp({"SET", "x", "1"}).size());

    AofReplayResult garbage = replay_aof_commands(resp({"SET", "a", "1"}) + "hello\r\n", run);
    EXPECT_EQ(garbage.status, AofReplayStatus::bad_format);
}

class AofFiles : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vigil-aof-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    ServerConfig config() {
        ServerConfig c;
        c.dir = dir_;
        c.save_params.clear();
        c.appendonly = true;
        c.appendfsync = "always";
        return c;
    }
    std::string aof_dir() const { return dir_ + "/appendonlydir"; }
    std::string dir_;
};

TEST_F(AofFiles, CreatesRedisLayoutAndReplaysAtStart) {
    {
        test::CommandRunner r(config());
        std::string error;
        ASSERT_TRUE(r.server().persistence->load(error)) << error;
        EXPECT_EQ(slurp(aof_dir() + "/appendonly.aof.manifest"),
                  "file appendonly.aof.1.base.rdb seq 1 type b\n"
                  "file appendonly.aof.1.incr.aof seq 1 type i\n");
        EXPECT_EQ(slurp(aof_dir() + "/appendonly.aof.1.base.rdb").substr(0, 9), "REDIS0010");
        r.run({"set", "a", "1"});
        r.run({"select", "3"});
        r.run({"set", "b", "2", "ex", "100"});
        r.run({"multi"});
        r.run({"incr", "n"});
        r.run({"exec"});
        r.run({"get", "a"});  // reads are not logged
        // Written before the reply, no cron needed: a kill -9 now loses nothing.
        const std::string incr = slurp(aof_dir() + "/appendonly.aof.1.incr.aof");
        EXPECT_EQ(incr.substr(0, resp({"SELECT", "0"}).size()), resp({"SELECT", "0"}));
        EXPECT_NE(incr.find(resp({"SELECT", "3"})), std::string::npos);
        EXPECT_NE(incr.find("PXAT"), std::string::npos);  // relative expiry stored as absolute
        EXPECT_EQ(incr.find("get"), std::string::npos);
    }
    test::CommandRunner r(config());
    std::string error;
    ASSERT_TRUE(r.server().persistence->load(error)) << error;
    EXPECT_EQ(r.run({"get", "a"}), "$1\r\n1\r\n");
    r.run({"select", "3"});
    EXPECT_EQ(r.run({"get", "b"}), "$1\r\n2\r\n");
    EXPECT_EQ(r.run({"get", "n"}), "$1\r\n1\r\n");
    EXPECT_EQ(r.server().stats.dirty, 0U);
}

TEST_F(AofFiles, TruncatedTailLoadsWhenAllowedAndRefusesOtherwise) {
    {
        test::CommandRunner r(config());
        std::string error;
        ASSERT_TRUE(r.server().persistence->load(error)) << error;
        r.run({"set", "a", "1"});
        r.run({"set", "b", "2"});
    }
    const std::string incr = aof_dir() + "/appendonly.aof.1.incr.aof";
    const auto good_size = std::filesystem::file_size(incr);
    append_to(incr, "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$2\r\n3");  // torn by a crash

    ServerConfig strict = config();
    strict.aof_load_truncated = false;
    {
        test::CommandRunner r(strict);
        std::string error;
        EXPECT_FALSE(r.server().persistence->load(error));
        EXPECT_NE(error.find("Unexpected end of file"), std::string::npos) << error;
    }
    test::CommandRunner r(config());
    std::string error;
    ASSERT_TRUE(r.server().persistence->load(error)) << error;
    EXPECT_EQ(r.run({"get", "b"}), "$1\r\n2\r\n");
    EXPECT_EQ(r.run({"exists", "c"}), ":0\r\n");
    EXPECT_EQ(std::filesystem::file_size(incr), good_size);  // truncated to the last command
    r.run({"set", "d", "4"});                                // appends after the cut
    test::CommandRunner again(config());
    ASSERT_TRUE(again.server().persistence->load(error)) << error;
    EXPECT_EQ(again.run({"get", "d"}), "$1\r\n4\r\n");
}

TEST_F(AofFiles, RewriteMakesANewBaseAndKeepsLaterWrites) {
    test::CommandRunner r(config());
    std::string error;
    ASSERT_TRUE(r.server().persistence->load(error)) << error;
    for (int i = 0; i < 100; ++i) {
        r.run({"set", "k" + std::to_string(i), std::to_string(i)});
    }
    EXPECT_EQ(r.run({"bgrewriteaof"}), "+Background append only file rewriting started\r\n");
    r.run({"set", "after", "rewrite"});  // goes to the new incr file
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (r.server().persistence->aof_rewrite_running() &&
           std::chrono::steady_clock::now() < deadline) {
        r.server().cron(r.now_ms);
        ::usleep(5000);
    }
    ASSERT_FALSE(r.server().persistence->aof_rewrite_running());
    EXPECT_EQ(r.server().persistence->stats().aof_rewrites, 1U);
    EXPECT_EQ(slurp(aof_dir() + "/appendonly.aof.manifest"),
              "file appendonly.aof.2.base.rdb seq 2 type b\n"
              "file appendonly.aof.2.incr.aof seq 2 type i\n");
    EXPECT_FALSE(std::filesystem::exists(aof_dir() + "/appendonly.aof.1.incr.aof"));
    EXPECT_FALSE(std::filesystem::exists(aof_dir() + "/appendonly.aof.1.base.rdb"));

    test::CommandRunner r2(config());
    ASSERT_TRUE(r2.server().persistence->load(error)) << error;
    EXPECT_EQ(r2.run({"dbsize"}), ":101\r\n");
    EXPECT_EQ(r2.run({"get", "after"}), "$7\r\nrewrite\r\n");
}

TEST_F(AofFiles, UpgradesAnOldStyleSingleFile) {
    std::ofstream(dir_ + "/appendonly.aof", std::ios::binary)
        << resp({"SELECT", "0"}) << resp({"SET", "old", "style"});
    test::CommandRunner r(config());
    std::string error;
    ASSERT_TRUE(r.server().persistence->load(error)) << error;
    EXPECT_EQ(r.run({"get", "old"}), "$5\r\nstyle\r\n");
    EXPECT_EQ(slurp(aof_dir() + "/appendonly.aof.manifest"),
              "file appendonly.aof seq 1 type b\n"
              "file appendonly.aof.1.incr.aof seq 1 type i\n");
}

}  // namespace
}  // namespace vigil::server
