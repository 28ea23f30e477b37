// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms], as Redis 6.2+: the master pauses writes,
// waits until a replica (the target, or any) has acknowledged every byte of the stream, then
// becomes a replica of it with `PSYNC <replid> <offset> FAILOVER`, which makes the target promote
// itself and continue the old master partially. Nothing acknowledged is lost: writes stay paused
// from the moment the replica is chosen until the roles swapped, and then get READONLY.
#include <algorithm>
#include <climits>

#include <spdlog/spdlog.h>

#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/replication/replication.hpp"
#include "server/server.hpp"

namespace vigil::server {

void Replication::failover(CommandContext& ctx) {
    std::string host;
    std::int64_t port = 0;
    std::int64_t timeout_ms = 0;
    bool force = false;
    bool abort = false;
    const auto& a = ctx.args;
    for (std::size_t j = 1; j < a.size(); ++j) {
        if (iequals(a[j], "to") && host.empty() && a.size() > j + 2) {
            host = std::string(a[++j]);
            auto p = parse_int(a[++j]);
            if (!p) {
                ctx.reply.error("ERR value is not an integer or out of range");
                return;
            }
            port = *p;
        } else if (iequals(a[j], "timeout") && a.size() > j + 1 && timeout_ms == 0) {
            auto t = parse_int(a[++j]);
            if (!t) {
                ctx.reply.error("ERR value is not an integer or out of range");
                return;
            }
            if (*t <= 0) {
                ctx.reply.error("ERR FAILOVER timeout must be greater than 0");
                return;
            }
            timeout_ms = *t;
        } else if (iequals(a[j], "force") && !force) {
            force = true;
        } else if (iequals(a[j], "abort") && !abort) {
            abort = true;
        } else {
            ctx.reply.error("ERR syntax error");
            return;
        }
    }
    if (abort) {
        if (failover_state_ == FailoverState::none) {
            ctx.reply.error("ERR No failover in progress.");
            return;
        }
        abort_failover("Failover manually aborted");
        ctx.reply.ok();
        return;
    }
    if (force && (timeout_ms == 0 || host.empty())) {
        ctx.reply.error(
            "ERR FAILOVER with force option requires both a timeout and target HOST "
            "and IP.");
        return;
    }
    if (server_.is_replica()) {
        ctx.reply.error("ERR FAILOVER is not valid when server is a replica.");
        return;
    }
    if (replicas_.empty()) {
        ctx.reply.error("ERR FAILOVER requires connected replicas.");
        return;
    }
    if (failover_state_ != FailoverState::none) {
        ctx.reply.error("ERR FAILOVER already in progress.");
        return;
    }
    if (!host.empty()) {
        ClientState* target = nullptr;
        for (std::uint64_t id : replicas_) {
            ClientState* c = find_replica(id);
            if (c != nullptr && Replication::replica_ip(*c) == host &&
                c->repl_listening_port == port) {
                target = c;
            }
        }
        if (target == nullptr) {
            ctx.reply.error("ERR FAILOVER target HOST and PORT is not a replica.");
            return;
        }
        if (target->repl_state != online) {
            ctx.reply.error("ERR FAILOVER target replica is not online.");
            return;
        }
        spdlog::info("FAILOVER requested to {}:{}.", host, port);
    } else {
        spdlog::info("FAILOVER requested to any replica.");
    }
    failover_host_ = host;
    failover_port_ = static_cast<int>(port);
    failover_force_ = force;
    failover_deadline_ms_ = timeout_ms > 0 ? ctx.now_ms + timeout_ms : 0;
    failover_state_ = FailoverState::waiting_for_sync;
    // Writes wait from now on; the replica catches up with a stream that no longer grows.
    saved_pause_end_ms_ = server_.pause_end_ms;
    saved_pause_all_ = server_.pause_all;
    server_.pause_end_ms = INT64_MAX;
    server_.pause_all = false;
    request_acks();
    ctx.reply.ok();
}

bool Replication::caught_up(const ClientState& r) const {
    return r.repl_state == online &&
           (r.repl_ack_offset >= master_repl_offset_ ||
            (getack_end_ == master_repl_offset_ && r.repl_ack_offset >= getack_start_));
}

void Replication::failover_cron(std::int64_t now_ms) {
    if (failover_state_ == FailoverState::in_progress) {
        // The target never answered our PSYNC FAILOVER: become a master again.
        const std::int64_t limit =
            std::max<std::int64_t>(server_.config.repl_timeout_s * 1000LL, 10000);
        if (now_ms - failover_switch_ms_ > limit) {
            abort_failover("Timeout waiting for the target to accept the failover");
        }
        return;
    }
    if (failover_state_ != FailoverState::waiting_for_sync) {
        return;
    }
    if (failover_deadline_ms_ > 0 && failover_deadline_ms_ <= now_ms) {
        if (failover_force_) {
            spdlog::info("FAILOVER to {}:{} time out exceeded, failing over.", failover_host_,
                         failover_port_);
            begin_switch();
            return;
        }
        abort_failover("Replica never caught up before timeout");
        return;
    }
    ClientState* chosen = nullptr;
    for (std::uint64_t id : replicas_) {
        ClientState* c = find_replica(id);
        if (c == nullptr) {
            continue;
        }
        if (!failover_host_.empty()) {
            if (Replication::replica_ip(*c) == failover_host_ &&
                c->repl_listening_port == failover_port_) {
                chosen = c;
                break;
            }
        } else if (caught_up(*c)) {
            chosen = c;
            break;
        }
    }
    if (chosen != nullptr && caught_up(*chosen)) {
        failover_host_ = Replication::replica_ip(*chosen);
        failover_port_ = chosen->repl_listening_port;
        spdlog::info("Failover target {}:{} is synced, failing over.", failover_host_,
                     failover_port_);
        begin_switch();
        return;
    }
    // Ask again; replicas also ACK every second on their own.
    if (getack_end_ != master_repl_offset_) {
        request_acks();
    }
}

void Replication::on_ack() {
    if (failover_state_ == FailoverState::waiting_for_sync) {
        failover_cron(server_.clock());
    }
}

void Replication::begin_switch() {
    failover_state_ = FailoverState::in_progress;
    failover_switch_ms_ = server_.clock();
    failover_psync_ = true;
    std::string host = failover_host_;
    int port = failover_port_;
    set_master(host, port);
}

void Replication::failover_psync_done(bool ok) {
    if (!failover_psync_) {
        return;
    }
    failover_psync_ = false;
    if (!ok) {
        abort_failover("Failover target rejected psync request");
        return;
    }
    spdlog::info("Failover target {}:{} accepted the PSYNC: failover complete.", failover_host_,
                 failover_port_);
    clear_failover();
}

void Replication::clear_failover() {
    failover_state_ = FailoverState::none;
    failover_host_.clear();
    failover_port_ = 0;
    failover_force_ = false;
    failover_deadline_ms_ = 0;
    failover_psync_ = false;
    server_.pause_end_ms = saved_pause_end_ms_ > server_.clock() ? saved_pause_end_ms_ : 0;
    server_.pause_all = saved_pause_all_;
    saved_pause_end_ms_ = 0;
    for (auto& [id, c] : server_.clients) {
        if (c->conn != nullptr) {
            c->conn->resume();
        }
    }
}

void Replication::abort_failover(std::string_view reason) {
    if (failover_state_ == FailoverState::none) {
        return;
    }
    if (!failover_host_.empty()) {
        spdlog::warn("FAILOVER to {}:{} aborted: {}", failover_host_, failover_port_, reason);
    } else {
        spdlog::warn("FAILOVER to any replica aborted: {}", reason);
    }
    const bool switched = failover_state_ == FailoverState::in_progress;
    failover_state_ = FailoverState::none;  // lets unset_master run
    if (switched) {
        unset_master();
    }
    clear_failover();
}

}  // namespace vigil::server
