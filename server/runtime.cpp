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
    server.request_shutdown = shutdown;

    asio::signal_set signals(io, SIGINT, SIGTERM);
    std::function<void(const boost::system::error_code&, int)> on_signal;
    on_signal = [&](const boost::system::error_code& ec, int sig) {
        if (ec) {
            return;
        }
        spdlog::warn("Received {} scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
        shutdown(!server.config.save_params.empty());
        if (!stopping) {
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
