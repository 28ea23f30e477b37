#include "sentinel/io/link.hpp"

#include <utility>

namespace vigil::sentinel {

Link::Link(asio::io_context& io, std::string host, int port, std::string bind_source)
    : io_(io),
      socket_(io),
      resolver_(io.get_executor()),
      connect_timer_(io),
      host_(std::move(host)),
      port_(port),
      bind_source_(std::move(bind_source)) {}

Link::~Link() = default;

void Link::connect(std::chrono::milliseconds timeout) {
    started_ = true;
    auto self = shared_from_this();
    connect_timer_.expires_after(timeout);
    connect_timer_.async_wait([self](const boost::system::error_code& ec) {
        if (!ec && !self->connected_ && !self->closed_) {
            self->close("connection timed out");
        }
    });
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(host_, ec);
    if (!ec) {
        // An address: no resolver round trip.
        asio::ip::tcp::endpoint ep(ip, static_cast<unsigned short>(port_));
        auto results = asio::ip::tcp::resolver::results_type::create(ep, host_, "");
        try_endpoint(results.begin(), results);
        return;
    }
    resolver_.async_resolve(host_, std::to_string(port_),
                            [self](const boost::system::error_code& rec,
                                   const asio::ip::tcp::resolver::results_type& results) {
                                self->on_resolved(rec, results);
                            });
}

void Link::on_resolved(const boost::system::error_code& ec,
                       const asio::ip::tcp::resolver::results_type& results) {
    if (closed_) {
        return;
    }
    if (ec || results.empty()) {
        close("can't resolve " + host_ + ": " + (ec ? ec.message() : "no address"));
        return;
    }
    try_endpoint(results.begin(), results);
}

void Link::try_endpoint(asio::ip::tcp::resolver::results_type::const_iterator it,
                        asio::ip::tcp::resolver::results_type results) {
    if (closed_) {
        return;
    }
    if (it == results.end()) {
        close("connection refused");
        return;
    }
    boost::system::error_code ec;
    if (socket_.is_open()) {
        socket_.close(ec);
    }
    const auto ep = it->endpoint();
    socket_.open(ep.protocol(), ec);
    if (!ec && !bind_source_.empty()) {
        socket_.bind({asio::ip::make_address(bind_source_, ec), 0}, ec);
    }
    if (ec) {
        close(ec.message());
        return;
    }
    auto self = shared_from_this();
    socket_.async_connect(ep, [self, it, results](const boost::system::error_code& cec) {
        if (self->closed_) {
            return;
        }
        if (cec) {
            auto next = it;
            ++next;
            if (next == results.end()) {
                self->close(cec.message());
            } else {
                self->try_endpoint(next, results);
            }
            return;
        }
        self->connected_ = true;
        self->connect_timer_.cancel();
        boost::system::error_code lec;
        self->socket_.set_option(asio::ip::tcp::no_delay(true), lec);
        const auto local = self->socket_.local_endpoint(lec);
        const std::string local_ip = lec ? std::string() : local.address().to_string();
        self->start_read();
        if (self->on_connected) {
            self->on_connected(local_ip);
        }
        self->flush();
    });
}

void Link::send(std::string_view bytes) {
    if (closed_) {
        return;
    }
    out_.append(bytes);
    if (connected_) {
        flush();
    }
}

void Link::flush() {
    if (writing_now_ || out_.empty() || closed_ || !connected_) {
        return;
    }
    writing_now_ = true;
    writing_.swap(out_);
    out_.clear();
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(writing_),
                      [self](const boost::system::error_code& ec, std::size_t) {
                          self->writing_now_ = false;
                          self->writing_.clear();
                          if (self->closed_) {
                              return;
                          }
                          if (ec) {
                              self->close("write: " + ec.message());
                              return;
                          }
                          self->flush();
                      });
}

void Link::start_read() {
    auto self = shared_from_this();
    socket_.async_read_some(
        asio::buffer(buf_), [self](const boost::system::error_code& ec, std::size_t n) {
            if (self->closed_) {
                return;
            }
            if (ec) {
                self->close(ec == asio::error::eof ? "connection closed by peer" : ec.message());
                return;
            }
            self->reader_.feed(std::string_view(self->buf_, n));
            self->unanswered_ += n;
            common::Reply reply;
            for (;;) {
                const auto st = self->reader_.next(reply);
                if (st == common::ReplyReader::Status::need_more) {
                    break;
                }
                if (st == common::ReplyReader::Status::protocol_error) {
                    self->close("protocol error: " + self->reader_.error());
                    return;
                }
                self->unanswered_ = 0;
                if (self->on_reply) {
                    self->on_reply(reply);
                }
                if (self->closed_) {
                    return;
                }
            }
            if (self->unanswered_ > kMaxReplyBytes) {
                self->close("reply too large");
                return;
            }
            self->start_read();
        });
}

void Link::close(const std::string& why) {
    if (closed_) {
        return;
    }
    closed_ = true;
    connected_ = false;
    boost::system::error_code ec;
    connect_timer_.cancel();
    resolver_.cancel();
    socket_.close(ec);
    out_.clear();
    if (started_ && on_closed) {
        // The owner may drop its last reference to this link in the callback.
        auto keep = shared_from_this();
        auto cb = std::move(on_closed);
        on_closed = nullptr;
        cb(why);
    }
    // on_reply and on_connected stay: one of them may be running right now (a reply that made
    // the owner drop this link). Every completion checks closed_ before calling them again.
}

}  // namespace vigil::sentinel
