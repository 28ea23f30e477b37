#pragma once
// Accepts TCP connections on one or more addresses and runs a Session for each.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/net/asio.hpp"
#include "common/net/service.hpp"
#include "common/resp/request_parser.hpp"

namespace vigil::common {

class Listener {
public:
    Listener(asio::io_context& io, Service& service);

    // Binds every address (port 0 picks a free port). Throws std::runtime_error with Redis's
    // wording ("Could not create server TCP listening socket 127.0.0.1:6379: bind: ...").
    void bind(const std::vector<std::string>& addresses, unsigned short port, int backlog);
    unsigned short port() const { return port_; }
    void start();
    void stop();

    std::function<ParserLimits()> limits = [] {
        return ParserLimits{};
    };

private:
    asio::awaitable<void> accept_loop(TcpAcceptor& acceptor);

    asio::io_context& io_;
    Service& service_;
    std::vector<std::unique_ptr<TcpAcceptor>> acceptors_;
    unsigned short port_ = 0;
};

}  // namespace vigil::common
