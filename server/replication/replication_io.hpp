#pragma once
// The Asio half of Replication (private to server/replication): the replica's link to its master
// and the pump that moves a diskless snapshot from the child's pipe to the replicas.
#include <cstdint>
#include <memory>
#include <string>

#include "common/net/asio.hpp"
#include "common/net/resolve.hpp"
#include "common/net/service.hpp"
#include "server/replication/replication.hpp"

namespace vigil::server {

// The replica's connection to its master. Also the Connection of the master client, so CLIENT
// KILL TYPE master and CLIENT LIST see it like any client.
class MasterLink : public common::Connection {
public:
    MasterLink(asio::io_context& io, std::string host, int port);
    void deliver(std::string_view bytes) override { send(bytes); }
    void close_after_reply() override { close_now(); }
    void close_now() override;
    void resume() override {}
    std::size_t pending_output() const override { return out_.size(); }
    const std::string& peer() const override { return peer_; }
    const std::string& local() const override { return local_; }
    int fd() const override { return fd_; }

    // Writes without waiting (the socket is non-blocking); what does not fit now waits for the
    // next send. Small messages only (REPLCONF ACK).
    void send(std::string_view bytes);
    // Writes everything and waits for it (handshake commands).
    asio::awaitable<bool> write_all(const std::string& bytes);
    // Appends what the socket has to buf_, waiting for at least one byte. False on error or
    // EOF. (Timeouts are the cron's: it closes a link that made no progress.)
    asio::awaitable<bool> read_more(std::string& error);
    // Reads one line (without CR LF).
    asio::awaitable<bool> read_line(std::string& line, std::string& error);

    TcpSocket socket;
    SteadyTimer timer;
    common::Resolver resolver;  // the master's name; close_now() abandons a pending lookup
    std::string host;
    int port;
    std::string buf_;  // read but not yet consumed
    bool closed = false;
    bool connected = false;
    std::int64_t last_read_ms = 0;  // Unix ms of the last bytes read
    void set_endpoints();

private:
    std::string out_;
    std::string peer_;
    std::string local_;
    int fd_ = -1;
};

struct Replication::Io {
    explicit Io(asio::io_context& ctx) : io(ctx) {}
    asio::io_context& io;
    std::shared_ptr<MasterLink> link;
    std::unique_ptr<ClientState> master_client;
    // diskless snapshot
    bool pump_done = false;
    bool child_done = false;
    bool child_ok = false;
};

}  // namespace vigil::server
