#pragma once
// The script queue of redis-sentinel 7.0 (notification-script, client-reconfig-script): at most
// 256 jobs (the oldest waiting one is dropped), at most 16 running, a job that exits 1 or dies by
// a signal is retried after 30 s, 60 s, 120 s ... up to 10 times, one running longer than 60 s
// is killed. Children are reaped by pid with WNOHANG from the sentinel's tick.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "sentinel/core/model.hpp"
#include <sys/types.h>

namespace vigil::sentinel {

class ScriptQueue {
public:
    static constexpr std::size_t kMaxQueue = 256;
    static constexpr int kMaxRunning = 16;
    static constexpr int kMaxRetries = 10;

    struct Job {
        std::vector<std::string> argv;  // argv[0] is the script's path
        bool running = false;
        pid_t pid = 0;
        Ms start_time = 0;  // running: when it started; waiting: when it may start
        int retry_num = 0;
    };

    void schedule(std::vector<std::string> argv, Ms now);
    // Starts what may start, reaps what ended, kills what ran too long. Events (-script-error,
    // -script-timeout, and the debug +script-child / -script-child) go to `events`.
    void run(const Timers& t, Ms now, std::vector<Event>& events);
    // Kills every running script (shutdown).
    void kill_all();

    const std::deque<Job>& jobs() const { return jobs_; }
    int running() const { return running_; }

private:
    void start_pending(Ms now, std::vector<Event>& events);
    void collect(const Timers& t, Ms now, std::vector<Event>& events);
    void kill_timed_out(const Timers& t, Ms now, std::vector<Event>& events);

    std::deque<Job> jobs_;
    int running_ = 0;
};

}  // namespace vigil::sentinel
