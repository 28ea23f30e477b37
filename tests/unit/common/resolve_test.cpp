#include "common/net/resolve.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using vigil::Token;
using vigil::common::Resolver;
using vigil::common::ResolveResults;
namespace asio = vigil::asio;
using boost::system::error_code;

// A lookup the test controls: names starting with "slow" wait for the gate to open, "fail..."
// fails, every other name answers at once. The answer is 127.0.0.9 and the numeric service.
struct Gate {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
    int calls = 0;     // lookups started (one per thread)
    int returned = 0;  // lookups that returned

    void reset() {
        std::lock_guard<std::mutex> lock(mutex);
        open = false;
        calls = 0;
        returned = 0;
    }
    void release() {
        std::lock_guard<std::mutex> lock(mutex);
        open = true;
        cv.notify_all();
    }
    int started() {
        std::lock_guard<std::mutex> lock(mutex);
        return calls;
    }
    // Waits until every started lookup has returned (so that no thread outlives the test).
    bool drained(std::chrono::milliseconds timeout) {
        std::unique_lock<std::mutex> lock(mutex);
        return cv.wait_for(lock, timeout, [this] { return returned == calls; });
    }
};

Gate gate;

ResolveResults gated_lookup(const std::string& host, const std::string& service, error_code& ec) {
    std::unique_lock<std::mutex> lock(gate.mutex);
    ++gate.calls;
    if (host.rfind("slow", 0) == 0) {
        gate.cv.wait(lock, [] { return gate.open; });
    }
    ++gate.returned;
    gate.cv.notify_all();
    if (host.rfind("fail", 0) == 0) {
        ec = asio::error::host_not_found_try_again;
        return {};
    }
    ec = {};
    const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.9"),
                                     static_cast<unsigned short>(std::stoi(service)));
    return ResolveResults::create(ep, host, service);
}

struct Outcome {
    int calls = 0;
    error_code ec;
    ResolveResults results;
};

std::function<void(error_code, ResolveResults)> record(std::shared_ptr<Outcome> out) {
    return [out](error_code ec, ResolveResults results) {
        ++out->calls;
        out->ec = ec;
        out->results = std::move(results);
    };
}

// True when every handler of `outs` has been called.
std::function<bool()> all_called(const std::vector<std::shared_ptr<Outcome>>& outs) {
    return [&outs] {
        return std::all_of(outs.begin(), outs.end(), [](const auto& o) { return o->calls > 0; });
    };
}

// Runs handlers until pred() holds; false when the deadline passes first.
bool run_until(asio::io_context& io,
               const std::function<bool()>& pred,
               std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        if (io.stopped()) {
            io.restart();
        }
        io.run_one_for(10ms);
    }
    return true;
}

class ResolverTest : public testing::Test {
protected:
    void SetUp() override { gate.reset(); }
    void TearDown() override {
        gate.release();
        EXPECT_TRUE(gate.drained(5s)) << "a lookup thread did not return";
        // A returned lookup still posts its answer (or finds its query closed): let it finish.
        std::this_thread::sleep_for(20ms);
    }
    asio::io_context io;
};

TEST_F(ResolverTest, AnAddressCompletesWithoutAThreadAndNotInsideTheCall) {
    Resolver resolver(io.get_executor(), &gated_lookup);
    auto v4 = std::make_shared<Outcome>();
    auto v6 = std::make_shared<Outcome>();
    resolver.async_resolve("127.0.0.1", "6379", record(v4));
    resolver.async_resolve("::1", "26379", record(v6));
    EXPECT_EQ(v4->calls, 0);
    io.run();
    ASSERT_EQ(v4->calls, 1);
    ASSERT_FALSE(v4->ec);
    ASSERT_EQ(v4->results.size(), 1U);
    EXPECT_EQ(v4->results.begin()->endpoint(),
              asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 6379));
    ASSERT_EQ(v6->calls, 1);
    ASSERT_FALSE(v6->ec);
    ASSERT_EQ(v6->results.size(), 1U);
    EXPECT_EQ(v6->results.begin()->endpoint(),
              asio::ip::tcp::endpoint(asio::ip::make_address("::1"), 26379));
    EXPECT_EQ(gate.started(), 0) << "an address went to a lookup thread";
}

TEST_F(ResolverTest, LocalhostResolvesWithTheRealLookup) {
    Resolver resolver(io.get_executor());
    auto out = std::make_shared<Outcome>();
    resolver.async_resolve("localhost", "6379", record(out));
    ASSERT_TRUE(run_until(io, [&] { return out->calls > 0; }));
    ASSERT_FALSE(out->ec) << out->ec.message();
    ASSERT_FALSE(out->results.empty());
    for (const auto& entry : out->results) {
        EXPECT_TRUE(entry.endpoint().address().is_loopback()) << entry.endpoint();
        EXPECT_EQ(entry.endpoint().port(), 6379);
    }
}

TEST_F(ResolverTest, AFailedLookupPassesItsErrorOn) {
    Resolver resolver(io.get_executor(), &gated_lookup);
    auto out = std::make_shared<Outcome>();
    resolver.async_resolve("fail.example", "6379", record(out));
    ASSERT_TRUE(run_until(io, [&] { return out->calls > 0; }));
    EXPECT_EQ(out->ec, asio::error::host_not_found_try_again);
    EXPECT_TRUE(out->results.empty());
}

asio::awaitable<void> resolve_in_coroutine(Resolver* resolver, Outcome* out) {
    const std::string host = "localhost";
    const std::string service = "26379";
    std::tuple<error_code, ResolveResults> r =
        co_await resolver->async_resolve(host, service, Token{});
    out->ec = std::get<0>(r);
    out->results = std::get<1>(r);
    ++out->calls;
}

TEST_F(ResolverTest, AwaitableFormResolves) {
    Resolver resolver(io.get_executor());
    Outcome out;
    asio::co_spawn(io, resolve_in_coroutine(&resolver, &out), asio::detached);
    ASSERT_TRUE(run_until(io, [&] { return out.calls > 0; }));
    ASSERT_FALSE(out.ec) << out.ec.message();
    ASSERT_FALSE(out.results.empty());
    EXPECT_EQ(out.results.begin()->endpoint().port(), 26379);
}

TEST_F(ResolverTest, ASlowNameDelaysNoOtherLookup) {
    Resolver resolver(io.get_executor(), &gated_lookup);
    auto slow = std::make_shared<Outcome>();
    auto fast = std::make_shared<Outcome>();
    resolver.async_resolve("slow.example", "6379", record(slow));
    resolver.async_resolve("fast.example", "6380", record(fast));
    ASSERT_TRUE(run_until(io, [&] { return fast->calls > 0; }));
    EXPECT_FALSE(fast->ec);
    EXPECT_EQ(fast->results.begin()->endpoint().port(), 6380);
    EXPECT_EQ(slow->calls, 0);
    gate.release();
    ASSERT_TRUE(run_until(io, [&] { return slow->calls > 0; }));
    EXPECT_FALSE(slow->ec);
    EXPECT_EQ(slow->results.begin()->endpoint().port(), 6379);
}

TEST_F(ResolverTest, APendingLookupKeepsRunBusy) {
    Resolver resolver(io.get_executor(), &gated_lookup);
    auto out = std::make_shared<Outcome>();
    resolver.async_resolve("slow.example", "6379", record(out));
    std::thread opener([] {
        std::this_thread::sleep_for(100ms);
        gate.release();
    });
    io.run();  // returns only once the answer has been delivered
    opener.join();
    EXPECT_EQ(out->calls, 1);
    EXPECT_FALSE(out->ec);
}

TEST_F(ResolverTest, CancelCompletesAtOnceAndDropsTheLateAnswer) {
    Resolver resolver(io.get_executor(), &gated_lookup);
    auto out = std::make_shared<Outcome>();
    resolver.async_resolve("slow.example", "6379", record(out));
    ASSERT_TRUE(run_until(io, [] { return gate.started() == 1; }));
    resolver.cancel();
    EXPECT_EQ(out->calls, 0) << "completed inside cancel()";
    ASSERT_TRUE(run_until(io, [&] { return out->calls > 0; }));
    EXPECT_EQ(out->ec, asio::error::operation_aborted);
    gate.release();
    ASSERT_TRUE(gate.drained(5s));
    auto guard = asio::make_work_guard(io);
    io.restart();
    io.run_for(100ms);
    EXPECT_EQ(out->calls, 1);
    // The Resolver works on after a cancel.
    auto again = std::make_shared<Outcome>();
    resolver.async_resolve("fast.example", "6381", record(again));
    ASSERT_TRUE(run_until(io, [&] { return again->calls > 0; }));
    EXPECT_FALSE(again->ec);
}

TEST_F(ResolverTest, CancelLeavesOtherResolversSharingTheLookup) {
    Resolver a(io.get_executor(), &gated_lookup);
    Resolver b(io.get_executor(), &gated_lookup);
    auto out_a = std::make_shared<Outcome>();
    auto out_b = std::make_shared<Outcome>();
    a.async_resolve("slow.example", "6379", record(out_a));
    b.async_resolve("slow.example", "6379", record(out_b));
    a.cancel();
    ASSERT_TRUE(run_until(io, [&] { return out_a->calls > 0; }));
    EXPECT_EQ(out_a->ec, asio::error::operation_aborted);
    EXPECT_EQ(out_b->calls, 0);
    gate.release();
    ASSERT_TRUE(run_until(io, [&] { return out_b->calls > 0; }));
    EXPECT_FALSE(out_b->ec);
    EXPECT_EQ(gate.started(), 1) << "the same name was looked up twice at once";
}

TEST_F(ResolverTest, DestroyingTheResolverAbortsItsLookups) {
    auto resolver = std::make_unique<Resolver>(io.get_executor(), &gated_lookup);
    auto out = std::make_shared<Outcome>();
    resolver->async_resolve("slow.example", "6379", record(out));
    ASSERT_TRUE(run_until(io, [] { return gate.started() == 1; }));
    resolver.reset();
    ASSERT_TRUE(run_until(io, [&] { return out->calls > 0; }));
    EXPECT_EQ(out->ec, asio::error::operation_aborted);
    gate.release();
    ASSERT_TRUE(gate.drained(5s));
    std::this_thread::sleep_for(20ms);
    io.restart();
    io.poll();
    EXPECT_EQ(out->calls, 1);
}

// The owner of the Resolver lives in the handler (as a coroutine frame owns its locals): the
// io_context's destruction drops the handler uncalled, the owner with it; the thread answers into
// a closed query later.
TEST_F(ResolverTest, DestroyingTheIoContextDropsPendingHandlers) {
    struct Owner {
        explicit Owner(asio::io_context& ctx) : resolver(ctx.get_executor(), &gated_lookup) {}
        Resolver resolver;
    };
    auto ctx = std::make_unique<asio::io_context>();
    auto owner = std::make_shared<Owner>(*ctx);
    std::weak_ptr<Owner> watch = owner;
    auto called = std::make_shared<int>(0);
    owner->resolver.async_resolve("slow.example", "6379",
                                  [owner, called](error_code, ResolveResults) { ++*called; });
    owner.reset();
    ASSERT_TRUE(run_until(*ctx, [] { return gate.started() == 1; }));
    ctx.reset();
    EXPECT_TRUE(watch.expired());
    EXPECT_EQ(*called, 0);
    gate.release();
    ASSERT_TRUE(gate.drained(5s));
    std::this_thread::sleep_for(50ms);  // the thread finds its query closed and posts nothing
}

TEST_F(ResolverTest, ManyConcurrentLookupsComplete) {
    Resolver resolver(io.get_executor(), &gated_lookup);
    constexpr int kNames = 40;
    constexpr int kPerName = 5;
    std::vector<std::shared_ptr<Outcome>> outs;
    for (int i = 0; i < kNames; ++i) {
        for (int j = 0; j < kPerName; ++j) {
            outs.push_back(std::make_shared<Outcome>());
            const std::string host = "slow" + std::to_string(i) + ".example";
            const std::string service = std::to_string(1000 + i);
            resolver.async_resolve(host, service, record(outs.back()));
        }
    }
    ASSERT_TRUE(run_until(io, [] { return gate.started() == kNames; }));
    gate.release();
    ASSERT_TRUE(run_until(io, all_called(outs), 10s));
    for (int i = 0; i < kNames * kPerName; ++i) {
        const auto& o = outs[static_cast<std::size_t>(i)];
        EXPECT_EQ(o->calls, 1);
        EXPECT_FALSE(o->ec);
        ASSERT_EQ(o->results.size(), 1U);
        EXPECT_EQ(o->results.begin()->endpoint().port(), 1000 + i / kPerName);
    }
    EXPECT_EQ(gate.started(), kNames) << "lookups of one name did not share a thread";
}

TEST_F(ResolverTest, ManyRealLookupsComplete) {
    Resolver resolver(io.get_executor());
    std::vector<std::shared_ptr<Outcome>> outs;
    for (int i = 0; i < 50; ++i) {
        outs.push_back(std::make_shared<Outcome>());
        const std::string service = std::to_string(2000 + i);
        resolver.async_resolve("localhost", service, record(outs.back()));
    }
    ASSERT_TRUE(run_until(io, all_called(outs), 20s));
    for (const auto& o : outs) {
        EXPECT_FALSE(o->ec) << o->ec.message();
        EXPECT_FALSE(o->results.empty());
    }
}

}  // namespace
