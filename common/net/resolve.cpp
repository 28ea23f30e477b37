#include "common/net/resolve.hpp"

#include <charconv>
#include <cstdint>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>

namespace vigil::common {

ResolveResults blocking_lookup(const std::string& host,
                               const std::string& service,
                               boost::system::error_code& ec) {
    // An io_context of its own that is never run: resolve() is getaddrinfo plus Asio's hints and
    // error codes, exactly what tcp::resolver gives on the io thread.
    asio::io_context ctx(1);
    asio::ip::tcp::resolver resolver(ctx);
    return resolver.resolve(host, service, ec);
}

namespace detail {

// One async_resolve that has not completed. `work` is the Resolver's executor, counting the
// lookup as outstanding work until the completion is posted or dropped.
struct Waiter {
    const Resolver* owner;
    asio::any_io_executor work;
    asio::any_completion_handler<ResolveSignature> handler;
};

// One lookup on its own thread and the async_resolves waiting for its answer. The thread holds
// it by shared_ptr; the io side reaches it through weak_ptrs (ResolveService, Resolver).
struct ResolveQuery {
    ResolveQuery(LookupFunction f, std::string h, std::string s)
        : lookup(f), host(std::move(h)), service(std::move(s)) {}
    const LookupFunction lookup;
    const std::string host;
    const std::string service;
    std::mutex mutex;
    bool closed = false;        // answered or abandoned: takes no more waiters
    std::list<Waiter> waiters;  // (std::list: waiters move between lists by splice only)
};

namespace {

// Posts w's completion to its io executor, which then runs the handler on the handler's own
// executor. Called on the io side, or on a lookup thread holding the query's mutex (which is
// what keeps the io_context alive for the post, see ResolveService::shutdown).
void complete(Waiter& w, const boost::system::error_code& ec, const ResolveResults& results) {
    asio::any_io_executor io = w.work;
    asio::post(io, [handler = std::move(w.handler), io, ec, results]() mutable {
        auto ex = asio::get_associated_executor(handler, io);
        asio::dispatch(ex, [h = std::move(handler), ec, results]() mutable { h(ec, results); });
    });
}

void answer(ResolveQuery& q, const boost::system::error_code& ec, const ResolveResults& results) {
    std::lock_guard<std::mutex> lock(q.mutex);
    if (q.closed) {
        return;  // abandoned: the io_context is gone or going
    }
    q.closed = true;
    for (Waiter& w : q.waiters) {
        complete(w, ec, results);
    }
    q.waiters.clear();
}

// The lookup thread's body. It touches nothing but the query it owns a reference to.
void run_query(std::shared_ptr<ResolveQuery> q) {
    boost::system::error_code ec;
    ResolveResults results;
    try {
        results = q->lookup(q->host, q->service, ec);
    } catch (const std::exception&) {
        ec = asio::error::no_memory;
        results = ResolveResults();
    }
    answer(*q, ec, results);
}

bool numeric_port(std::string_view s, unsigned short& port) {
    unsigned value = 0;
    const auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || err != std::errc() || end != s.data() + s.size() || value > 65535) {
        return false;
    }
    port = static_cast<unsigned short>(value);
    return true;
}

}  // namespace

// Per execution context: the queries still running, so that lookups of the same name share one,
// and so that the context's destruction can abandon them before the lookup threads post to it.
class ResolveService : public asio::execution_context::service {
public:
    static asio::execution_context::id id;

    explicit ResolveService(asio::execution_context& ctx) : asio::execution_context::service(ctx) {}

    // Adds w to the running query for the same lookup, or to a new one. Returns the query, and
    // whether it is new (the caller starts its thread); nullptr once the context is shutting
    // down (w's handler is dropped, as the context drops its own queued handlers).
    std::pair<std::shared_ptr<ResolveQuery>, bool> join(LookupFunction lookup,
                                                        const std::string& host,
                                                        const std::string& service_name,
                                                        Waiter w) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (shut_down_) {
            return {nullptr, false};
        }
        std::string name = std::to_string(reinterpret_cast<std::uintptr_t>(lookup));
        name += '\0';
        name += host;
        name += '\0';
        name += service_name;
        std::weak_ptr<ResolveQuery>& slot = queries_[name];
        if (std::shared_ptr<ResolveQuery> q = slot.lock()) {
            std::lock_guard<std::mutex> qlock(q->mutex);
            if (!q->closed) {
                q->waiters.push_back(std::move(w));
                return {q, false};
            }
        }
        // Only a closed query (no waiters) or a finished one leaves the map: shutdown() sees every
        // query that still has waiters.
        auto q = std::make_shared<ResolveQuery>(lookup, host, service_name);
        q->waiters.push_back(std::move(w));
        slot = q;
        if (queries_.size() > 64) {
            std::erase_if(queries_, [](const auto& entry) { return entry.second.expired(); });
        }
        return {q, true};
    }

private:
    void shutdown() override {
        std::list<Waiter> dropped;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            shut_down_ = true;
            for (auto& entry : queries_) {
                if (std::shared_ptr<ResolveQuery> q = entry.second.lock()) {
                    std::lock_guard<std::mutex> qlock(q->mutex);
                    q->closed = true;  // a thread that answers later posts nothing
                    dropped.splice(dropped.end(), q->waiters);
                }
            }
            queries_.clear();
        }
        // `dropped` goes here, outside the locks: a handler may own the object that owns a
        // Resolver, whose destructor takes a query's mutex.
    }

    std::mutex mutex_;
    bool shut_down_ = false;
    std::unordered_map<std::string, std::weak_ptr<ResolveQuery>> queries_;
};

asio::execution_context::id ResolveService::id;

}  // namespace detail

Resolver::Resolver(const asio::any_io_executor& executor, LookupFunction lookup)
    : executor_(executor),
      lookup_(lookup),
      service_(asio::use_service<detail::ResolveService>(
          asio::query(executor, asio::execution::context))) {}

Resolver::~Resolver() {
    cancel();
}

void Resolver::start(std::string host,
                     std::string service,
                     asio::any_completion_handler<ResolveSignature> handler) {
    detail::Waiter w{this, asio::prefer(executor_, asio::execution::outstanding_work.tracked),
                     std::move(handler)};
    boost::system::error_code aec;
    const asio::ip::address address = asio::ip::make_address(host, aec);
    unsigned short port = 0;
    if (!aec && detail::numeric_port(service, port)) {
        // An address: no thread, no getaddrinfo.
        const asio::ip::tcp::endpoint ep(address, port);
        detail::complete(w, {}, ResolveResults::create(ep, host, service));
        return;
    }
    auto [q, fresh] = service_.join(lookup_, host, service, std::move(w));
    if (!q) {
        return;
    }
    pending_.remove_if([](const std::weak_ptr<detail::ResolveQuery>& p) { return p.expired(); });
    pending_.push_back(q);
    if (!fresh) {
        return;
    }
    try {
        std::thread(detail::run_query, q).detach();
    } catch (const std::system_error& e) {
        // No thread to be had (EAGAIN): every waiter of this query fails now.
        detail::answer(
            *q, boost::system::error_code(e.code().value(), boost::system::system_category()),
            ResolveResults());
    }
}

void Resolver::cancel() {
    std::list<detail::Waiter> aborted;
    for (const std::weak_ptr<detail::ResolveQuery>& p : pending_) {
        std::shared_ptr<detail::ResolveQuery> q = p.lock();
        if (!q) {
            continue;
        }
        std::lock_guard<std::mutex> lock(q->mutex);
        for (auto it = q->waiters.begin(); it != q->waiters.end();) {
            auto next = std::next(it);
            if (it->owner == this) {
                aborted.splice(aborted.end(), q->waiters, it);
            }
            it = next;
        }
    }
    pending_.clear();
    for (detail::Waiter& w : aborted) {
        detail::complete(w, asio::error::operation_aborted, ResolveResults());
    }
}

}  // namespace vigil::common
