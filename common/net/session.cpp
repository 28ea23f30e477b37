#include "common/net/session.hpp"

#include <spdlog/spdlog.h>

#include "common/net/log_unhandled.hpp"

namespace vigil::common {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

std::string endpoint_string(const asio::ip::tcp::endpoint& ep) {
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

Session::Session(TcpSocket socket, Service& service, ParserLimits limits)
    : socket_(std::move(socket)),
      service_(service),
      parser_(limits),
      writer_cv_(socket_.get_executor()),
      write_done_cv_(socket_.get_executor()),
      resume_cv_(socket_.get_executor()) {
    boost::system::error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    if (!ec) {
        peer_ = endpoint_string(remote);
    }
    auto loc = socket_.local_endpoint(ec);
    if (!ec) {
        local_ = endpoint_string(loc);
    }
    fd_ = static_cast<int>(socket_.native_handle());
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);  // flush() tries a direct write before an async one
    writer_cv_.expires_at(asio::steady_timer::time_point::max());
    write_done_cv_.expires_at(asio::steady_timer::time_point::max());
}

Session::~Session() = default;

asio::awaitable<void> Session::run() {
    ctx_ = service_.on_connect(*this, output_);
    if (ctx_ == nullptr || closing_) {
        co_await flush();
        close_now();
        if (ctx_) {
            service_.on_disconnect(*ctx_);
        }
        co_return;
    }
    auto self = shared_from_this();
    asio::co_spawn(
        socket_.get_executor(), [self] { return self->writer(); }, log_unhandled("session writer"));
    try {
        co_await reader();
    } catch (const std::exception& e) {
        spdlog::warn("client {}: closing after an internal error: {}", peer_, e.what());
    }
    // Whatever ended the reader, the connection is cleaned up exactly once.
    close_now();
    write_done_cv_.cancel();
    service_.on_disconnect(*ctx_);
}

asio::awaitable<void> Session::reader() {
    bool more_likely = false;  // the last read filled the chunk: more bytes are probably waiting
    for (;;) {
        // Like Redis's event loop: wait for readability, then read once. (async_read_some would
        // first try a read that, for a client waiting on its reply, always fails with EAGAIN.)
        if (!more_likely) {
            auto [wec] = co_await socket_.async_wait(asio::socket_base::wait_read);
            if (wec || closed_) {
                co_return;
            }
        }
        char* room = input_.prepare(kReadChunk);
        boost::system::error_code ec;
        std::size_t n = socket_.read_some(asio::buffer(room, kReadChunk), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            more_likely = false;
            continue;
        }
        if (!ec && n == 0) {
            ec = asio::error::eof;
        }
        input_.commit(n);
        more_likely = n == kReadChunk;
        if (ec || closed_) {
            if (ec && ec != asio::error::eof && ec != asio::error::connection_reset &&
                ec != asio::error::operation_aborted) {
                spdlog::debug("client {} read error: {}", peer_, ec.message());
            }
            co_return;
        }
        service_.on_input(*ctx_, n, input_.size());
        if (ctx_->close_requested || closing_ || closed_) {
            co_await flush();
            co_return;
        }

        // Run every complete buffered request (pipelining), then write once.
        for (;;) {
            std::string_view pending = input_.readable();
            if (pending.empty()) {
                break;
            }
            ParseResult r = parser_.parse(pending);
            if (r.status == ParseStatus::need_more) {
                break;
            }
            if (r.status == ParseStatus::protocol_error) {
                output_.push_back('-');
                output_.append(r.error_message);
                output_.append("\r\n");
                service_.on_protocol_error(*ctx_);
                closing_ = true;
                co_await flush();
                co_return;
            }
            if (!parser_.args().empty()) {
                while (service_.execute(*ctx_, parser_.args(), output_) == ExecStatus::wait) {
                    // Write what we have, then wait for resume() or the deadline.
                    if (!co_await flush()) {
                        co_return;
                    }
                    resume_cv_.expires_after(service_.wait_timeout(*ctx_));
                    co_await resume_cv_.async_wait();
                    if (closed_) {
                        co_return;
                    }
                }
            }
            input_.consume(r.consumed);
            if (ctx_->close_requested || closing_ || closed_) {
                closing_ = true;
                co_await flush();
                co_return;
            }
        }
        // Most batches of replies fit in the socket's send buffer: write them here, without
        // entering the flush coroutine (no frame to allocate on the per-request path).
        if (!output_.empty() && !write_now() && !co_await flush()) {
            co_return;
        }
    }
}

bool Session::write_now() {
    if (write_in_progress_ || closed_) {
        return false;
    }
    boost::system::error_code ec;
    std::size_t n = socket_.write_some(asio::buffer(output_), ec);
    if (!ec && n == output_.size()) {
        output_.clear();
        return true;
    }
    if (!ec) {
        output_.erase(0, n);
    }
    return false;  // flush() finishes the rest (or handles the error)
}

asio::awaitable<bool> Session::flush() {
    // A write in flight (the writer coroutine's) finishes first: output keeps its order, and a
    // last reply before a close is not dropped.
    while (write_in_progress_ && !closed_) {
        co_await write_done_cv_.async_wait();
    }
    while (!output_.empty() && !closed_) {
        // Most replies fit in the socket's send buffer: write them at once, without suspending.
        boost::system::error_code ec;
        std::size_t n = socket_.write_some(asio::buffer(output_), ec);
        if (!ec) {
            if (n == output_.size()) {
                output_.clear();
                break;
            }
            output_.erase(0, n);
        } else if (ec != asio::error::would_block && ec != asio::error::try_again) {
            close_now();
            co_return false;
        }
        // The rest waits for the socket to drain.
        write_in_progress_ = true;
        writing_.clear();
        writing_.swap(output_);
        writing_bytes_ = writing_.size();
        auto [wec, written] = co_await asio::async_write(socket_, asio::buffer(writing_), Token{});
        writing_bytes_ = 0;
        write_in_progress_ = false;
        write_done_cv_.cancel();
        if (wec) {
            close_now();
            co_return false;
        }
    }
    co_return !closed_;
}

asio::awaitable<void> Session::writer() {
    auto self = shared_from_this();
    while (!closed_) {
        if (output_.empty() || write_in_progress_) {
            co_await writer_cv_.async_wait();
            continue;
        }
        if (!co_await flush()) {
            co_return;
        }
        if (closing_ && output_.empty()) {
            close_now();
            co_return;
        }
    }
}

void Session::wake_writer() {
    writer_cv_.cancel();
}

void Session::deliver(std::string_view bytes) {
    if (closed_) {
        return;
    }
    output_.append(bytes);
    wake_writer();
}

void Session::close_after_reply() {
    closing_ = true;
    wake_writer();
}

void Session::close_now() {
    if (closed_) {
        return;
    }
    closed_ = true;
    boost::system::error_code ec;
    // shutdown() sends the FIN now, even if a forked child (BGSAVE) still holds the descriptor.
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    writer_cv_.cancel();
    write_done_cv_.cancel();
    resume_cv_.cancel();
}

void Session::resume() {
    resume_cv_.cancel();
}

}  // namespace vigil::common
