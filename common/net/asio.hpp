#pragma once
// The one place that names Asio for the project.

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

namespace vigil {
namespace asio = boost::asio;
using Token = asio::as_tuple_t<asio::use_awaitable_t<>>;
using TcpSocket = Token::as_default_on_t<asio::ip::tcp::socket>;
using TcpAcceptor = Token::as_default_on_t<asio::ip::tcp::acceptor>;
using SteadyTimer = Token::as_default_on_t<asio::steady_timer>;
}  // namespace vigil
