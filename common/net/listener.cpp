#include "common/net/listener.hpp"

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "common/net/log_unhandled.hpp"
#include "common/net/session.hpp"

namespace vigil::common {

Listener::Listener(asio::io_context& io, Service& service) : io_(io), service_(service) {}

void Listener::bind(const std::vector<std::string>& addresses, unsigned short port, int backlog) {
    port_ = port;
    for (std::string addr : addresses) {
        bool optional = false;
        if (!addr.empty() && addr[0] == '-') {  // "-::1": skip if unavailable, like Redis
            optional = true;
            addr.erase(0, 1);
        }
        if (addr == "*") {
            addr = "0.0.0.0";
        } else if (addr == "::*") {  // Redis's "every IPv6 address"
            addr = "::";
        }
        boost::system::error_code ec;
        auto ip = asio::ip::make_address(addr, ec);
        if (ec) {
            throw std::runtime_error("Could not create server TCP listening socket " + addr + ":" +
                                     std::to_string(port) + ": " + ec.message());
        }
        asio::ip::tcp::endpoint ep(ip, port_);
        auto acc = std::make_unique<TcpAcceptor>(io_);
        acc->open(ep.protocol(), ec);
        if (!ec) {
            acc->set_option(asio::socket_base::reuse_address(true), ec);
            if (ip.is_v6()) {
                acc->set_option(asio::ip::v6_only(true), ec);
            }
            acc->bind(ep, ec);
        }
        if (!ec) {
            acc->listen(backlog, ec);
        }
        if (ec) {
            if (optional) {
                spdlog::warn("Could not bind to {}: {}", addr, ec.message());
                continue;
            }
            throw std::runtime_error("Could not create server TCP listening socket " + addr + ":" +
                                     std::to_string(port) + ": bind: " + ec.message());
        }
        port_ = acc->local_endpoint().port();
        acceptors_.push_back(std::move(acc));
    }
}

void Listener::start() {
    for (auto& acc : acceptors_) {
        asio::co_spawn(io_, accept_loop(*acc), log_unhandled("listener"));
    }
}

void Listener::stop() {
    for (auto& acc : acceptors_) {
        boost::system::error_code ec;
        acc->close(ec);
    }
}

asio::awaitable<void> Listener::accept_loop(TcpAcceptor& acceptor) {
    while (acceptor.is_open()) {
        auto [ec, socket] = co_await acceptor.async_accept();
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
                co_return;
            }
            spdlog::warn("Accepting client connection: {}", ec.message());
            continue;
        }
        auto session = std::make_shared<Session>(std::move(socket), service_, limits());
        asio::co_spawn(
            io_, [session] { return session->run(); }, log_unhandled("session"));
    }
}

}  // namespace vigil::common
