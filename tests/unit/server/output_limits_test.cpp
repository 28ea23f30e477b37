// client-output-buffer-limit for normal and pub/sub clients.
#include <gtest/gtest.h>

#include "tests/support/command_runner.hpp"

using vigil::test::CommandRunner;

namespace {

// A connection that never writes: everything delivered stays pending.
class StuckConnection : public vigil::common::Connection {
public:
    void deliver(std::string_view bytes) override { pending += bytes.size(); }
    void close_after_reply() override { closed = true; }
    void close_now() override { closed = true; }
    void resume() override {}
    std::size_t pending_output() const override { return pending; }
    const std::string& peer() const override { return addr; }
    const std::string& local() const override { return addr; }
    int fd() const override { return -1; }
    std::size_t pending = 0;
    bool closed = false;
    std::string addr = "127.0.0.1:5555";
};

}  // namespace

TEST(OutputLimits, PubsubSubscriberOverTheHardLimitIsClosed) {
    CommandRunner r;
    r.server().config.obuf_pubsub = {64 * 1024, 0, 0};
    vigil::server::ClientState sub;
    StuckConnection conn;
    sub.server = &r.server();
    sub.conn = &conn;
    sub.id = 99;
    sub.authenticated = true;
    r.server().clients.emplace(sub.id, &sub);
    r.server().pubsub.subscribe(sub, "news");
    std::string payload(1000, 'x');
    for (int i = 0; i < 200 && !conn.closed; ++i) {
        r.run({"publish", "news", payload});
    }
    EXPECT_TRUE(conn.closed);
    EXPECT_LT(conn.pending, 70 * 1024U);
    r.server().on_disconnect(sub);
}

TEST(OutputLimits, SoftLimitClosesOnlyAfterItsTime) {
    CommandRunner r;
    r.server().config.obuf_pubsub = {0, 32 * 1024, 10};
    vigil::server::ClientState sub;
    StuckConnection conn;
    sub.server = &r.server();
    sub.conn = &conn;
    sub.id = 98;
    sub.authenticated = true;
    r.server().clients.emplace(sub.id, &sub);
    r.server().pubsub.subscribe(sub, "news");
    std::string payload(1000, 'x');
    for (int i = 0; i < 50; ++i) {
        r.run({"publish", "news", payload});
    }
    EXPECT_FALSE(conn.closed);
    r.advance_ms(5000);
    r.server().cron(r.now_ms);
    EXPECT_FALSE(conn.closed);
    r.advance_ms(6000);
    r.server().cron(r.now_ms);
    EXPECT_TRUE(conn.closed);
    r.server().on_disconnect(sub);
}
