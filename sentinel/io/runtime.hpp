#pragma once
// Performs what the sentinel core decides: keeps a command link (and, for servers, a pub/sub
// link) to every instance the core knows, sends the commands it asks for and hands the replies
// back, ticks it every 100 ms and after every batch of replies, and publishes, logs and saves.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/net/asio.hpp"
#include "sentinel/core/sentinel.hpp"
#include "sentinel/io/link.hpp"
#include "sentinel/io/scripts.hpp"

namespace vigil::sentinel {

// Unix time in ms (the sentinel's clock: TILT must see jumps of the wall clock and pauses).
Ms unix_ms();

class SentinelRuntime {
public:
    SentinelRuntime(asio::io_context& io, SentinelCore& core);
    ~SentinelRuntime();

    std::string bind_source;                    // bind-source-addr for outgoing links
    std::function<void(const Event&)> publish;  // to the clients subscribed to the event
    std::function<bool()> save_config;          // rewrite the config file; false on failure
    ScriptQueue scripts;

    void start();
    void stop();
    // Publishes, logs, sends, saves and reconnects as `a` says; then clears it.
    void perform(Actions& a);
    // Runs the core soon (coalesced): after replies, so decisions do not wait for the timer.
    void schedule_tick();

private:
    struct Links {
        LinkTarget target;
        std::shared_ptr<Link> cc;
        std::shared_ptr<Link> pc;
        std::deque<Purpose> purposes;  // one per command sent on cc, in order
        Ms cc_attempt = 0;
        Ms pc_attempt = 0;
        Ms pc_activity = 0;
        Ms pc_since = 0;
    };

    void on_timer();
    void tick();
    void reconcile(Ms now);
    void connect_cc(const InstanceId& id, Links& l, Ms now);
    void connect_pc(const InstanceId& id, Links& l, Ms now);
    void close_dead_links(Ms now);
    void drop(Links& l);
    void send(const OutCommand& cmd);

    asio::io_context& io_;
    SentinelCore& core_;
    asio::steady_timer timer_;
    std::map<InstanceId, Links> links_;
    bool tick_posted_ = false;
    bool stopped_ = false;
};

}  // namespace vigil::sentinel
