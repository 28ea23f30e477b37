#include "server/runtime.hpp"

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/net/asio.hpp"
#include "common/net/listener.hpp"
#include "common/net/log_unhandled.hpp"

namespace vigil::server {
namespace {

asio::awaitable<void> cron_loop(Server& server, bool& stopping) {
    SteadyTimer timer(co_await asio::this_coro::executor);
    while (!stopping) {
        timer.expires_after(std::chrono::milliseconds(100));
        co_await timer.async_wait();
        if (!stopping) {
            try {
                server.cron(server.clock());
            } catch (const std::exception& e) {
                // Periodic work must go on (expiry, saves, fsync): log and keep ticking.
                spdlog::warn("cron: {}", e.what());
            }
        }
    }
}

// Makes a listener on the configured addresses and port; throws std::runtime_error.
std::unique_ptr<common::Listener> make_listener(asio::io_context& io, Server& server) {
    auto listener = std::make_unique<common::Listener>(io, server);
    listener->limits = [&server] {
        common::ParserLimits l;
        l.max_bulk_len = server.config.proto_max_bulk_len;
        return l;
    };
    listener->bind(server.config.bind, static_cast<unsigned short>(server.config.port),
                   server.config.tcp_backlog);
    return listener;
}

}  // namespace

int run_server(Server& server) {
    // One thread owns everything (DESIGN.md): the scheduler and reactor need no locking.
    asio::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
    std::unique_ptr<common::Listener> current;
    try {
        current = make_listener(io, server);
    } catch (const std::exception& e) {
        spdlog::warn("{}", e.what());
        spdlog::warn("Failed listening on port {} (TCP), aborting.", server.config.port);
        return 1;
    }
    server.config.port = current->port();
    current->start();
    // CONFIG SET port / bind: listen on the new addresses, then close the old sockets. Closed
    // listeners stay alive until the loop ends (their accept loops may still be finishing).
    std::vector<std::unique_ptr<common::Listener>> retired;
    // The old sockets close first: the new ones may want the same port. When binding fails,
    // CONFIG SET puts the old values back and calls this again.
    auto rebind = [&](std::string& error) {
        if (current) {
            current->stop();
            retired.push_back(std::move(current));
        }
        try {
            current = make_listener(io, server);
            current->start();
            server.config.port = current->port();
            return true;
        } catch (const std::exception& e) {
            spdlog::warn("{}", e.what());
            error = "Unable to listen on this port";
            return false;
        }
    };
    server.config_apply["port"] = rebind;
    server.config_apply["bind"] = rebind;

    bool stopping = false;
    int exit_code = 0;
    auto shutdown = [&](bool save) -> bool {
        if (stopping) {
            return true;
        }
        spdlog::warn("User requested shutdown...");
        if (save && server.save_on_shutdown && !server.save_on_shutdown()) {
            spdlog::warn("Error trying to save the DB, can't exit.");
            // Redis refuses to exit when the final save fails unless NOSAVE/FORCE.
            return false;
        }
        stopping = true;
        if (current) {
            current->stop();
        }
        for (auto& [id, c] : server.clients) {
            if (c->conn) {
                c->conn->close_after_reply();
            }
        }
        spdlog::warn("Redis is now ready to exit, bye bye...");
        io.stop();
        return true;
    };
    // Like Redis 7.0: a master whose replicas have not acknowledged every write pauses writes
    // and waits for them (shutdown-timeout seconds at most) before it exits, so a restart does
    // not lose what replicas were about to receive. SHUTDOWN NOW / FORCE do not wait.
    bool waiting_replicas = false;
    asio::steady_timer replica_wait(io);
    std::int64_t wait_deadline_ms = 0;
    std::function<void(bool)> poll_replicas;
    poll_replicas = [&](bool save) {
        const std::int64_t now = server.clock();
        if (server.replication->replicas_lagging() && now < wait_deadline_ms) {
            replica_wait.expires_after(std::chrono::milliseconds(10));
            replica_wait.async_wait([&, save](const boost::system::error_code& ec) {
                if (!ec) {
                    poll_replicas(save);
                }
            });
            return;
        }
        if (server.replication->replicas_lagging()) {
            spdlog::warn("Lagging replica(s) did not catch up within shutdown-timeout.");
        } else {
            spdlog::info("All replicas are in sync, shutting down.");
        }
        waiting_replicas = false;
        if (!shutdown(save)) {
            server.pause_end_ms = 0;  // the final save failed: keep serving
        }
    };
    server.request_shutdown = [&](bool save, bool now) -> bool {
        if (stopping || waiting_replicas) {
            return true;
        }
        if (!now && server.config.shutdown_timeout_s > 0 && !server.is_replica() &&
            server.replication->replicas_lagging()) {
            spdlog::warn("Waiting for replicas before shutting down.");
            waiting_replicas = true;
            server.pause_end_ms = INT64_MAX;
            server.pause_all = false;
            server.replication->request_acks();
            wait_deadline_ms = server.clock() + server.config.shutdown_timeout_s * 1000LL;
            poll_replicas(save);
            return true;
        }
        return shutdown(save);
    };

    asio::signal_set signals(io, SIGINT, SIGTERM);
    std::function<void(const boost::system::error_code&, int)> on_signal;
    on_signal = [&](const boost::system::error_code& ec, int sig) {
        if (ec) {
            return;
        }
        spdlog::warn("Received {} scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
        server.request_shutdown(!server.config.save_params.empty(), false);
        if (!stopping && !waiting_replicas) {
            signals.async_wait(on_signal);
        }
    };
    signals.async_wait(on_signal);
    std::signal(SIGPIPE, SIG_IGN);

    asio::co_spawn(io, cron_loop(server, stopping), common::log_unhandled("cron"));
    spdlog::info("Ready to accept connections tcp");
    server.replication->start_io(io);
    io.run();
    server.replication->stop_io();
    server.config_apply.erase("port");
    server.config_apply.erase("bind");
    return exit_code;
}

}  // namespace vigil::server
