#pragma once
// One outgoing connection of the sentinel (a command link or a pub/sub link to a server or a
// peer sentinel): resolve (common::Resolver: a slow name delays no other link), connect with a
// timeout, write what it is given, read RESP2 replies.
// Callback style (no coroutines): a link is small and its steps are plain completions.
//
// A misbehaving peer cannot make it buffer without bound: a reply that grows past
// kMaxReplyBytes closes the link (hiredis itself has no limit, see common/resp/reply_reader.hpp).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/net/asio.hpp"
#include "common/net/resolve.hpp"
#include "common/resp/reply_reader.hpp"

namespace vigil::sentinel {

class Link : public std::enable_shared_from_this<Link> {
public:
    static constexpr std::size_t kMaxReplyBytes = 64U << 20;

    Link(asio::io_context& io, std::string host, int port, std::string bind_source);
    ~Link();

    std::function<void(const std::string& local_ip)> on_connected;
    std::function<void(const std::string& why)> on_closed;  // once, after connect() was called
    std::function<void(common::Reply& reply)> on_reply;

    void connect(std::chrono::milliseconds timeout);
    // Queues bytes for writing (dropped when the link is not connected).
    void send(std::string_view bytes);
    void close(const std::string& why);

    bool connected() const { return connected_; }
    bool closed() const { return closed_; }
    const std::string& host() const { return host_; }
    int port() const { return port_; }

private:
    void on_resolved(const boost::system::error_code& ec,
                     const asio::ip::tcp::resolver::results_type& results);
    void try_endpoint(asio::ip::tcp::resolver::results_type::const_iterator it,
                      asio::ip::tcp::resolver::results_type results);
    void start_read();
    void flush();

    asio::io_context& io_;
    asio::ip::tcp::socket socket_;
    common::Resolver resolver_;
    asio::steady_timer connect_timer_;
    std::string host_;
    int port_;
    std::string bind_source_;
    common::ReplyReader reader_;
    std::string out_;
    std::string writing_;
    bool writing_now_ = false;
    bool connected_ = false;
    bool closed_ = false;
    bool started_ = false;
    std::size_t unanswered_ = 0;  // bytes read since the last complete reply
    char buf_[16384];
};

}  // namespace vigil::sentinel
