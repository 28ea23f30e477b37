#pragma once
// The seam between the shared RESP front door (listener, session, parser, writer) and a daemon's
// command logic. vigil-server and vigil-sentinel each implement Service; the session only moves
// bytes. Nothing here includes Asio, so services and their tests stay socket-free.

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace vigil::common {

// What a service may do to a connection. Implemented by the session.
class Connection {
public:
    virtual ~Connection() = default;
    // Appends bytes to the connection's output and makes sure they get written (pub/sub pushes,
    // replies to a command that was waiting).
    virtual void deliver(std::string_view bytes) = 0;
    // Closes the connection once the pending output is written.
    virtual void close_after_reply() = 0;
    // Closes the connection now, dropping pending output.
    virtual void close_now() = 0;
    // Wakes a connection that waits for resume() after ExecStatus::wait.
    virtual void resume() = 0;
    // Bytes queued for writing and not yet written.
    virtual std::size_t pending_output() const = 0;
    virtual const std::string& peer() const = 0;   // "ip:port"
    virtual const std::string& local() const = 0;  // "ip:port"
    virtual int fd() const = 0;
};

// Per-connection state owned by the service (selected db, auth, MULTI, subscriptions, ...).
class ClientContext {
public:
    virtual ~ClientContext() = default;
    int protocol = 2;  // 2 or 3, set by HELLO
    bool close_requested = false;
};

enum class ExecStatus {
    done,  // the command ran; its reply is in the output
    wait,  // the command did not run yet: call execute() again with the same args after
           // Connection::resume() or when wait_deadline passes
};

class Service {
public:
    virtual ~Service() = default;
    // A new connection. May write a reply and ask to close it (e.g. maxclients reached).
    virtual std::unique_ptr<ClientContext> on_connect(Connection& conn, std::string& out) = 0;
    // Runs one request. Replies go to `out`.
    virtual ExecStatus execute(ClientContext& ctx,
                               std::span<const std::string_view> args,
                               std::string& out) = 0;
    // Called when a request could not be parsed, before the connection is closed.
    virtual void on_protocol_error(ClientContext& ctx) = 0;
    // Called with every batch of bytes read (for idle timeouts, query buffer accounting).
    virtual void on_input(ClientContext& ctx, std::size_t bytes, std::size_t buffered) = 0;
    virtual void on_disconnect(ClientContext& ctx) = 0;
    // When execute() returned wait: how long at most to wait before calling it again.
    virtual std::chrono::milliseconds wait_timeout(const ClientContext& ctx) const = 0;
};

}  // namespace vigil::common
