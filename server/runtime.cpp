#include "server/runtime.hpp"

#include <csignal>

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
            server.cron(server.clock());
        }
    }
}

}  // namespace

int run_server(Server& server) {
    asio::io_context io(1);
    common::Listener listener(io, server);
    listener.limits = [&server] {
        common::ParserLimits l;
        l.max_bulk_len = server.config.proto_max_bulk_len;
        return l;
    };
    try {
        listener.bind(server.config.bind, static_cast<unsigned short>(server.config.port),
                      server.config.tcp_backlog);
    } catch (const std::exception& e) {
        spdlog::warn("{}", e.what());
        spdlog::critical("Failed listening on port {} (TCP), aborting.", server.config.port);
        return 1;
    }
    server.config.port = listener.port();
    listener.start();

    bool stopping = false;
    int exit_code = 0;
    auto shutdown = [&](bool save) {
        if (stopping) {
            return;
        }
        spdlog::warn("User requested shutdown...");
        if (save && server.save_on_shutdown && !server.save_on_shutdown()) {
            spdlog::warn("Error trying to save the DB, can't exit.");
            // Redis refuses to exit when the final save fails unless NOSAVE/FORCE.
            return;
        }
        stopping = true;
        listener.stop();
        for (auto& [id, c] : server.clients) {
            if (c->conn) {
                c->conn->close_after_reply();
            }
        }
        spdlog::warn("Redis is now ready to exit, bye bye...");
        io.stop();
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
    io.run();
    return exit_code;
}

}  // namespace vigil::server
