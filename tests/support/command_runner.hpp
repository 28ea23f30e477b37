#pragma once
// Runs commands against an in-memory Server without sockets: Run({"set","k","v"}) returns the
// raw RESP reply. The clock is a value the test advances.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/server.hpp"

namespace vigil::test {

class CommandRunner {
public:
    explicit CommandRunner(server::ServerConfig config = {})
        : server_(std::make_unique<server::Server>(std::move(config))) {
        server_->clock = [this] {
            return now_ms;
        };
        client_.id = 1;
        client_.authenticated = server_->config.requirepass.empty();
        server_->clients.emplace(client_.id, &client_);
    }
    ~CommandRunner() { server_->on_disconnect(client_); }

    std::string run(std::initializer_list<std::string_view> args) {
        return run(std::vector<std::string_view>(args));
    }
    std::string run(const std::vector<std::string_view>& args) {
        std::string out;
        server_->execute(client_, args, out);
        return out;
    }
    void advance_ms(std::int64_t ms) { now_ms += ms; }

    server::Server& server() { return *server_; }
    server::ClientState& client() { return client_; }

    std::int64_t now_ms = 1'700'000'000'000;

private:
    std::unique_ptr<server::Server> server_;
    server::ClientState client_;
};

}  // namespace vigil::test
