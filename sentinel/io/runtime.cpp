#include "sentinel/io/runtime.hpp"

#include <chrono>
#include <cstdlib>
#include <set>

#include <spdlog/spdlog.h>

#include "common/config/config_lexer.hpp"
#include "common/resp/command_encoder.hpp"

namespace vigil::sentinel {

namespace {

constexpr std::string_view kHelloChannel = "__sentinel__:hello";
constexpr auto kTickPeriod = std::chrono::milliseconds(100);

void log_line(LogLevel level, const std::string& line) {
    switch (level) {
        case LogLevel::debug:
            spdlog::trace("{}", line);
            break;
        case LogLevel::verbose:
            spdlog::debug("{}", line);
            break;
        case LogLevel::notice:
            spdlog::info("{}", line);
            break;
        case LogLevel::warning:
            spdlog::warn("{}", line);
            break;
    }
}

std::string encode(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    common::append_command(out, views);
    return out;
}

}  // namespace

Ms unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

SentinelRuntime::SentinelRuntime(asio::io_context& io, SentinelCore& core)
    : io_(io), core_(core), timer_(io) {}

SentinelRuntime::~SentinelRuntime() {
    stop();
}

void SentinelRuntime::start() {
    reconcile(unix_ms());
    on_timer();
}

void SentinelRuntime::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    timer_.cancel();
    scripts.kill_all();
    for (auto& [id, l] : links_) {
        drop(l);
    }
    links_.clear();
}

void SentinelRuntime::on_timer() {
    if (stopped_) {
        return;
    }
    tick();
    timer_.expires_after(kTickPeriod);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            on_timer();
        }
    });
}

void SentinelRuntime::schedule_tick() {
    if (tick_posted_ || stopped_) {
        return;
    }
    tick_posted_ = true;
    asio::post(io_, [this] {
        tick_posted_ = false;
        if (!stopped_) {
            tick();
        }
    });
}

void SentinelRuntime::tick() {
    const Ms now = unix_ms();
    Actions a;
    core_.tick(now, a);
    scripts.run(core_.timers, now, a.events);
    perform(a);
    close_dead_links(now);
    reconcile(now);
}

void SentinelRuntime::perform(Actions& a) {
    for (const Event& e : a.events) {
        const LogLevel level = event_level(e.type);
        log_line(level, e.type + " " + e.text);
        if (level != LogLevel::debug && publish) {
            publish(e);
        }
    }
    for (const auto& [level, line] : a.logs) {
        log_line(level, line);
    }
    for (const OutCommand& c : a.commands) {
        send(c);
    }
    for (const ScriptRequest& s : a.scripts) {
        std::vector<std::string> argv{s.path};
        argv.insert(argv.end(), s.args.begin(), s.args.end());
        scripts.schedule(std::move(argv), unix_ms());
    }
    if (a.flush_config && save_config) {
        save_config();
    }
    if (core_.crash_requested) {
        spdlog::warn("Sentinel is simulating a failure. Exiting with code 99...");
        spdlog::shutdown();
        std::_Exit(99);
    }
    for (const InstanceId& id : core_.links_to_drop) {
        auto it = links_.find(id);
        if (it != links_.end()) {
            drop(it->second);
            it->second.cc_attempt = it->second.pc_attempt = 0;  // reconnect at once
            core_.link_down(id, unix_ms());
        }
    }
    if (!core_.links_to_drop.empty()) {
        a.links_changed = true;
    }
    core_.links_to_drop.clear();
    if (a.links_changed) {
        reconcile(unix_ms());
    }
    a = Actions{};
}

void SentinelRuntime::send(const OutCommand& cmd) {
    auto it = links_.find(cmd.target);
    if (it == links_.end() || !it->second.cc || !it->second.cc->connected()) {
        return;  // the core resets its pending count when the link comes (back) up
    }
    std::string bytes;
    for (const auto& args : cmd.commands) {
        bytes += encode(args);
        it->second.purposes.push_back(cmd.purpose);
    }
    it->second.cc->send(bytes);
}

void SentinelRuntime::reconcile(Ms now) {
    if (stopped_) {
        return;
    }
    std::set<InstanceId> wanted;
    for (LinkTarget& t : core_.link_targets()) {
        wanted.insert(t.id);
        auto [it, inserted] = links_.try_emplace(t.id);
        Links& l = it->second;
        if (!inserted && !(l.target.addr == t.addr)) {
            drop(l);  // the instance moved: start over at the new address
        }
        l.target = t;
        if (!l.cc && now - l.cc_attempt >= core_.timers.ping_period) {
            connect_cc(t.id, l, now);
        }
        if (t.pubsub && !l.pc && now - l.pc_attempt >= core_.timers.ping_period) {
            connect_pc(t.id, l, now);
        }
    }
    for (auto it = links_.begin(); it != links_.end();) {
        if (wanted.count(it->first) == 0) {
            drop(it->second);
            it = links_.erase(it);
        } else {
            ++it;
        }
    }
}

void SentinelRuntime::drop(Links& l) {
    for (auto* link : {&l.cc, &l.pc}) {
        if (*link) {
            (*link)->on_closed = nullptr;
            (*link)->close("dropped");
            link->reset();
        }
    }
    l.purposes.clear();
}

void SentinelRuntime::connect_cc(const InstanceId& id, Links& l, Ms now) {
    l.cc_attempt = now;
    l.purposes.clear();
    auto link = std::make_shared<Link>(io_, l.target.addr.host, l.target.addr.port, bind_source);
    Link* raw = link.get();
    l.cc = link;
    link->on_connected = [this, id, raw](const std::string& local_ip) {
        auto it = links_.find(id);
        if (it == links_.end() || it->second.cc.get() != raw) {
            return;
        }
        it->second.purposes.clear();
        Actions a;
        core_.link_up(id, local_ip, unix_ms(), a);
        perform(a);
    };
    link->on_reply = [this, id, raw](common::Reply& r) {
        auto it = links_.find(id);
        if (it == links_.end() || it->second.cc.get() != raw || it->second.purposes.empty()) {
            return;
        }
        const Purpose p = it->second.purposes.front();
        it->second.purposes.pop_front();
        Actions a;
        core_.reply(id, p, r, unix_ms(), a);
        perform(a);
        schedule_tick();
    };
    link->on_closed = [this, id, raw](const std::string& why) {
        auto it = links_.find(id);
        if (it == links_.end() || it->second.cc.get() != raw) {
            return;
        }
        spdlog::debug("Command link to {}:{} closed: {}", raw->host(), raw->port(), why);
        it->second.cc.reset();
        it->second.purposes.clear();
        core_.link_down(id, unix_ms());
        schedule_tick();
    };
    link->connect(std::chrono::milliseconds(std::max<Ms>(core_.timers.ping_period, 1000)));
}

void SentinelRuntime::connect_pc(const InstanceId& id, Links& l, Ms now) {
    l.pc_attempt = now;
    auto link = std::make_shared<Link>(io_, l.target.addr.host, l.target.addr.port, bind_source);
    Link* raw = link.get();
    l.pc = link;
    link->on_connected = [this, id, raw](const std::string&) {
        auto it = links_.find(id);
        if (it == links_.end() || it->second.pc.get() != raw) {
            return;
        }
        it->second.pc_activity = it->second.pc_since = unix_ms();
        std::string bytes;
        for (const auto& cmd : core_.link_handshake(id, true)) {
            bytes += encode(cmd);
        }
        const Master* m = core_.find_master(id.master);
        bytes += encode({m != nullptr ? core_.command_name(*m, "SUBSCRIBE") : "SUBSCRIBE",
                         std::string(kHelloChannel)});
        raw->send(bytes);
    };
    link->on_reply = [this, id, raw](common::Reply& r) {
        auto it = links_.find(id);
        if (it == links_.end() || it->second.pc.get() != raw) {
            return;
        }
        const Ms at = unix_ms();
        it->second.pc_activity = at;
        if (r.is_array() && r.elements.size() == 3 && r.elements[0].is_string() &&
            r.elements[0].str == "message" && r.elements[2].is_string()) {
            if (r.elements[1].str != kHelloChannel) {
                return;
            }
            Actions a;
            core_.hello_received(r.elements[2].str, at, a);
            perform(a);
            schedule_tick();
        } else if (r.is_error()) {
            spdlog::warn("Pub/sub link to {}:{}: {}", raw->host(), raw->port(),
                         common::config::quote_arg(std::string_view(r.str).substr(0, 120)));
        }
    };
    link->on_closed = [this, id, raw](const std::string& why) {
        auto it = links_.find(id);
        if (it == links_.end() || it->second.pc.get() != raw) {
            return;
        }
        spdlog::debug("Pub/sub link to {}:{} closed: {}", raw->host(), raw->port(), why);
        it->second.pc.reset();
    };
    link->connect(std::chrono::milliseconds(std::max<Ms>(core_.timers.ping_period, 1000)));
}

void SentinelRuntime::close_dead_links(Ms now) {
    const Ms grace = core_.timers.min_link_reconnect_period;
    for (auto& [id, l] : links_) {
        const Instance* inst = core_.find(id);
        const Master* m = core_.find_master(id.master);
        if (inst == nullptr || m == nullptr) {
            continue;
        }
        // A command link that has been up a while, with a PING unanswered and no reply of any
        // kind for half of down-after: the peer is gone without closing (a pause, a partition).
        const LinkState& s = inst->link;
        if (l.cc && l.cc->connected() && now - s.connected_since > grace &&
            s.act_ping_time != kNever && now - s.act_ping_time > m->down_after / 2 &&
            now - s.last_pong_time > m->down_after / 2) {
            l.cc->close("no reply to PING");  // on_closed tells the core
        }
        // A pub/sub link gets our own hellos back every publish period.
        if (l.pc && l.pc->connected() && now - l.pc_since > grace &&
            now - l.pc_activity > 3 * core_.timers.publish_period) {
            l.pc->close("no pub/sub traffic");
        }
    }
}

}  // namespace vigil::sentinel
