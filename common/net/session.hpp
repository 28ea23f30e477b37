#pragma once
// One client connection of the RESP front door: a reader coroutine (read -> parse every complete
// request -> execute synchronously -> write) and a writer woken for output that arrives between
// requests (pub/sub pushes, replies to commands that waited).

#include <memory>
#include <string>

#include "common/net/asio.hpp"
#include "common/net/input_buffer.hpp"
#include "common/net/service.hpp"
#include "common/resp/request_parser.hpp"

namespace vigil::common {

class Session : public Connection, public std::enable_shared_from_this<Session> {
public:
    Session(TcpSocket socket, Service& service, ParserLimits limits);
    ~Session() override;

    // Runs the connection until it closes.
    asio::awaitable<void> run();

    void deliver(std::string_view bytes) override;
    void close_after_reply() override;
    void close_now() override;
    void resume() override;
    std::size_t pending_output() const override { return output_.size() + writing_bytes_; }
    const std::string& peer() const override { return peer_; }
    const std::string& local() const override { return local_; }
    int fd() const override { return fd_; }

private:
    asio::awaitable<void> reader();
    asio::awaitable<void> writer();
    // Writes everything in output_; returns false when the connection failed.
    asio::awaitable<bool> flush();
    // Writes output_ at once when the socket takes all of it; false when flush() must go on.
    bool write_now();
    void wake_writer();

    TcpSocket socket_;
    Service& service_;
    RequestParser parser_;
    std::unique_ptr<ClientContext> ctx_;
    InputBuffer input_;
    std::string output_;
    std::string writing_;
    std::size_t writing_bytes_ = 0;
    bool write_in_progress_ = false;
    bool closing_ = false;       // close after output drains
    bool closed_ = false;        // socket closed
    SteadyTimer writer_cv_;      // cancelled when there is new output for the writer
    SteadyTimer write_done_cv_;  // cancelled when an async write completes
    SteadyTimer resume_cv_;      // cancelled by resume() when a waiting command may run
    std::string peer_;
    std::string local_;
    int fd_ = -1;
};

}  // namespace vigil::common
