// The script queue with real child processes (/bin/sh): success, retry after exit 1, error
// after exit > 1, the timeout kill, the queue bound and the running limit. Time is handed in;
// only the children's exits are real, waited for with a deadline.
#include "sentinel/io/scripts.hpp"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

std::vector<std::string> sh(const std::string& script) {
    return {"/bin/sh", "-c", script};
}

// Runs the queue at `now` until no job is running (or 10 s of real time passed).
std::vector<Event> run_until_idle(ScriptQueue& q, const Timers& t, Ms now) {
    std::vector<Event> events;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    q.run(t, now, events);
    while (q.running() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        q.run(t, now, events);
    }
    return events;
}

bool has(const std::vector<Event>& events, const std::string& type) {
    for (const Event& e : events) {
        if (e.type == type) {
            return true;
        }
    }
    return false;
}

TEST(SentinelScripts, ASuccessfulScriptLeavesTheQueue) {
    ScriptQueue q;
    Timers t;
    q.schedule(sh("exit 0"), 1000);
    const auto ev = run_until_idle(q, t, 1000);
    EXPECT_TRUE(has(ev, "+script-child"));
    EXPECT_TRUE(has(ev, "-script-child"));
    EXPECT_FALSE(has(ev, "-script-error"));
    EXPECT_TRUE(q.jobs().empty());
}

TEST(SentinelScripts, ExitOneIsRetriedLaterWithADoublingDelay) {
    ScriptQueue q;
    Timers t;
    q.schedule(sh("exit 1"), 1000);
    run_until_idle(q, t, 1000);
    ASSERT_EQ(q.jobs().size(), 1U);
    EXPECT_FALSE(q.jobs()[0].running);
    EXPECT_EQ(q.jobs()[0].retry_num, 1);
    EXPECT_EQ(q.jobs()[0].start_time, 1000 + t.script_retry_delay);
    // Not before its time.
    std::vector<Event> ev;
    q.run(t, 1000 + t.script_retry_delay - 1, ev);
    EXPECT_EQ(q.running(), 0);
    run_until_idle(q, t, 1000 + t.script_retry_delay);
    ASSERT_EQ(q.jobs().size(), 1U);
    EXPECT_EQ(q.jobs()[0].retry_num, 2);
    EXPECT_EQ(q.jobs()[0].start_time, 1000 + t.script_retry_delay + 2 * t.script_retry_delay);
}

TEST(SentinelScripts, ExitTwoIsAnErrorAndNotRetried) {
    ScriptQueue q;
    Timers t;
    q.schedule(sh("exit 2"), 0);
    const auto ev = run_until_idle(q, t, 0);
    ASSERT_TRUE(has(ev, "-script-error"));
    for (const Event& e : ev) {
        if (e.type == "-script-error") {
            EXPECT_EQ(e.text, "/bin/sh 0 2");
        }
    }
    EXPECT_TRUE(q.jobs().empty());
}

TEST(SentinelScripts, AScriptRunningTooLongIsKilledAndRetried) {
    ScriptQueue q;
    Timers t;
    q.schedule(sh("sleep 30"), 0);
    std::vector<Event> ev;
    q.run(t, 0, ev);
    ASSERT_EQ(q.running(), 1);
    ev = run_until_idle(q, t, t.script_max_runtime + 1);
    EXPECT_TRUE(has(ev, "-script-timeout"));
    // Killed by a signal: retried like exit 1.
    ASSERT_EQ(q.jobs().size(), 1U);
    EXPECT_EQ(q.jobs()[0].retry_num, 1);
}

TEST(SentinelScripts, TheQueueDropsTheOldestWaitingJobAndRunsAtMostSixteen) {
    ScriptQueue q;
    Timers t;
    for (std::size_t i = 0; i < ScriptQueue::kMaxQueue + 5; ++i) {
        q.schedule(sh("sleep 0.2"), 1000);  // none started yet
    }
    EXPECT_EQ(q.jobs().size(), ScriptQueue::kMaxQueue);
    std::vector<Event> ev;
    q.run(t, 1000, ev);
    EXPECT_LE(q.running(), ScriptQueue::kMaxRunning);
    EXPECT_EQ(q.running(), ScriptQueue::kMaxRunning);
    // Drain everything (bounded by run_until_idle's deadline per round).
    for (int round = 0; round < 40 && !q.jobs().empty(); ++round) {
        run_until_idle(q, t, 1000);
    }
    EXPECT_TRUE(q.jobs().empty());
}

}  // namespace
}  // namespace vigil::sentinel
