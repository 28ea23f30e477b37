#pragma once
// The one place that names Asio for the project.
//
// Coroutines and GCC 12 (Debian 12's compiler) — seen in this code base, keep to these rules:
// - pass coroutines plain pointers or references to named objects; an argument like `*ptr`
//   (a reference from a call expression) arrived with the parameters shifted by one;
// - no by-value std::string (or other non-trivial) coroutine parameters; no lambdas capturing by
//   reference used inside a coroutine; no temporaries with destructors inside a co_await
//   expression (compute them into a named local first);
// - start a coroutine from a posted handler, not from inside a running one (co_spawn runs it at
//   once, nested in the caller's resumption);
// - Asio's awaitable frame recycling is off (see common/CMakeLists.txt).

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

namespace vigil {
namespace asio = boost::asio;
using Token = asio::as_tuple_t<asio::use_awaitable_t<>>;
using TcpSocket = Token::as_default_on_t<asio::ip::tcp::socket>;
using TcpAcceptor = Token::as_default_on_t<asio::ip::tcp::acceptor>;
using SteadyTimer = Token::as_default_on_t<asio::steady_timer>;
}  // namespace vigil
