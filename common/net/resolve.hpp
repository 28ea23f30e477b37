#pragma once
// Host name lookup that never blocks the io thread and never waits behind another name.
//
// Asio's tcp::resolver is no help here: its resolve() blocks the caller, and its async_resolve()
// queues every lookup on one hidden background thread, one at a time, so a name whose DNS never
// answers (a stopped container behind Docker's embedded DNS) holds up every lookup behind it for
// the resolver's timeout. A Resolver runs each name on a short-lived thread of its own and posts
// the answer back to the caller's executor:
//
// - an address ("10.0.0.5", "::1") with a numeric port completes without a thread;
// - lookups of the same host and service that overlap share one thread and its answer (a
//   reconnect loop retrying a dead name every second starts no new thread while one waits);
// - cancel(), and the destructor, complete the owner's pending lookups with
//   asio::error::operation_aborted at once (posted, never inside the call); the thread runs on
//   and its late answer is dropped. The thread shares only a reference-counted record with the
//   io side, never the Resolver or its owner;
// - a lookup still pending when its io_context is destroyed has its handler destroyed uncalled,
//   as Asio does with its own pending operations. A pending lookup counts as outstanding work.
//
// Answers and errors are those of asio::ip::tcp::resolver::resolve(host, service) (same hints,
// same error codes and messages). Per-operation cancellation slots are not supported: cancel()
// is the way to stop a lookup, as with Asio's resolver. Handlers must not throw.
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/net/asio.hpp"

namespace vigil::common {

using ResolveResults = asio::ip::tcp::resolver::results_type;
using ResolveSignature = void(boost::system::error_code, ResolveResults);

// The blocking lookup that a Resolver runs on its thread. Tests substitute their own.
using LookupFunction = ResolveResults (*)(const std::string& host,
                                          const std::string& service,
                                          boost::system::error_code& ec);

// asio::ip::tcp::resolver's synchronous resolve: getaddrinfo, Asio's hints and error codes.
ResolveResults blocking_lookup(const std::string& host,
                               const std::string& service,
                               boost::system::error_code& ec);

namespace detail {
struct ResolveQuery;
class ResolveService;
}  // namespace detail

class Resolver {
public:
    explicit Resolver(const asio::any_io_executor& executor,
                      LookupFunction lookup = &blocking_lookup);
    ~Resolver();  // cancel()
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Completes with (error_code, ResolveResults). Callback or awaitable: any completion token.
    template <typename CompletionToken>
    auto async_resolve(std::string_view host, std::string_view service, CompletionToken&& token) {
        return asio::async_initiate<CompletionToken, ResolveSignature>(
            Initiate{this}, token, std::string(host), std::string(service));
    }

    // Completes this Resolver's pending lookups with operation_aborted (an answer already posted
    // is delivered as it is, as with Asio's resolver).
    void cancel();

private:
    struct Initiate {
        Resolver* self;
        template <typename Handler>
        void operator()(Handler&& handler, std::string host, std::string service) const {
            self->start(
                std::move(host), std::move(service),
                asio::any_completion_handler<ResolveSignature>(std::forward<Handler>(handler)));
        }
    };

    void start(std::string host,
               std::string service,
               asio::any_completion_handler<ResolveSignature> handler);

    asio::any_io_executor executor_;
    LookupFunction lookup_;
    detail::ResolveService& service_;
    std::list<std::weak_ptr<detail::ResolveQuery>> pending_;  // may hold finished ones
};

}  // namespace vigil::common
