#include "sentinel/io/scripts.hpp"

#include <cerrno>
#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace vigil::sentinel {

void ScriptQueue::schedule(std::vector<std::string> argv, Ms now) {
    Job job;
    job.argv = std::move(argv);
    job.start_time = now;
    jobs_.push_back(std::move(job));
    if (jobs_.size() > kMaxQueue) {
        // Drop the oldest job that is not running.
        for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
            if (!it->running) {
                jobs_.erase(it);
                break;
            }
        }
    }
}

void ScriptQueue::run(const Timers& t, Ms now, std::vector<Event>& events) {
    start_pending(now, events);
    collect(t, now, events);
    kill_timed_out(t, now, events);
}

void ScriptQueue::start_pending(Ms now, std::vector<Event>& events) {
    for (auto it = jobs_.begin(); it != jobs_.end() && running_ < kMaxRunning;) {
        Job& job = *it;
        if (job.running || job.start_time > now) {
            ++it;
            continue;
        }
        std::vector<char*> argv;
        for (std::string& a : job.argv) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        const pid_t pid = ::fork();
        if (pid < 0) {
            events.push_back({"-script-error", job.argv[0] + " 99 0"});
            it = jobs_.erase(it);
            continue;
        }
        if (pid == 0) {
            ::execve(argv[0], argv.data(), environ);
            ::_exit(2);  // could not run it: an error, not retried
        }
        job.running = true;
        job.pid = pid;
        job.start_time = now;
        ++running_;
        events.push_back({"+script-child", std::to_string(pid)});
        ++it;
    }
}

void ScriptQueue::collect(const Timers& t, Ms now, std::vector<Event>& events) {
    for (auto it = jobs_.begin(); it != jobs_.end();) {
        Job& job = *it;
        if (!job.running) {
            ++it;
            continue;
        }
        int status = 0;
        const pid_t r = ::waitpid(job.pid, &status, WNOHANG);
        if (r == 0 || (r < 0 && errno == EINTR)) {
            ++it;
            continue;
        }
        const bool by_signal = r > 0 && WIFSIGNALED(status);
        const int exit_code = r > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        events.push_back({"-script-child", std::to_string(job.pid) + " " +
                                               std::to_string(by_signal ? 1 : 0) + " " +
                                               std::to_string(exit_code)});
        --running_;
        if ((by_signal || exit_code == 1) && job.retry_num != kMaxRetries) {
            // Retry later: 30 s, then twice as long each time.
            job.running = false;
            job.pid = 0;
            job.start_time = now + (t.script_retry_delay << job.retry_num);
            ++job.retry_num;
            ++it;
            continue;
        }
        if (by_signal || exit_code != 0) {
            events.push_back({"-script-error", job.argv[0] + " " +
                                                   std::to_string(by_signal ? 1 : 0) + " " +
                                                   std::to_string(exit_code)});
        }
        it = jobs_.erase(it);
    }
}

void ScriptQueue::kill_timed_out(const Timers& t, Ms now, std::vector<Event>& events) {
    for (Job& job : jobs_) {
        if (job.running && now - job.start_time > t.script_max_runtime) {
            events.push_back({"-script-timeout", job.argv[0] + " " + std::to_string(job.pid)});
            ::kill(job.pid, SIGKILL);
        }
    }
}

void ScriptQueue::kill_all() {
    for (Job& job : jobs_) {
        if (job.running) {
            ::kill(job.pid, SIGKILL);
        }
    }
}

}  // namespace vigil::sentinel
