// SentinelService: INFO. A sentinel has five sections — Server, Clients, Stats, CPU, Sentinel —
// always in that order; the default, `all` and `everything` give all five and other names are
// dropped (an unknown section gives an empty reply). Always a bulk string, in RESP3 too.
#include <cstdio>
#include <set>

#include "sentinel/io/service.hpp"
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace vigil::sentinel {

namespace {

// The Redis version whose behaviour we follow (as vigil-server's server/version.hpp: the
// sentinel must not include server/).
constexpr std::string_view kRedisCompatVersion = "7.0.15";
constexpr std::string_view kVigilVersion = "0.1.0";

class InfoText {
public:
    void section(std::string_view name) {
        if (!out_.empty()) {
            out_ += "\r\n";
        }
        out_ += "# ";
        out_ += name;
        out_ += "\r\n";
    }
    void field(std::string_view name, std::string_view value) {
        out_ += name;
        out_ += ':';
        out_ += value;
        out_ += "\r\n";
    }
    template <class T>
    void number(std::string_view name, T value) {
        field(name, std::to_string(value));
    }
    void fixed(std::string_view name, double v, int decimals) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
        field(name, buf);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

double seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

const char* master_status(const Master& m) {
    if (m.odown) {
        return "odown";
    }
    return m.sdown ? "sdown" : "ok";
}

}  // namespace

void SentinelService::info_command(Call& call) {
    static const std::set<std::string> kAll = {"server", "clients", "stats", "cpu", "sentinel"};
    std::set<std::string> want;
    if (call.args.size() == 1) {
        want = kAll;
    }
    for (std::size_t i = 1; i < call.args.size(); ++i) {
        const std::string s = lower(call.args[i]);
        if (s == "default" || s == "all" || s == "everything") {
            want = kAll;
        } else if (kAll.count(s) != 0) {
            want.insert(s);
        }
    }
    auto has = [&want](const char* s) {
        return want.count(s) != 0;
    };
    SentinelService& svc = call.service;
    const Ms now = call.now;
    const ProcessInfo proc = svc.hooks_.process_info ? svc.hooks_.process_info() : ProcessInfo{};
    const std::vector<PendingScript> scripts =
        svc.hooks_.pending_scripts ? svc.hooks_.pending_scripts() : std::vector<PendingScript>{};
    InfoText w;

    if (has("server")) {
        w.section("Server");
        w.field("redis_version", kRedisCompatVersion);
        w.field("vigil_version", kVigilVersion);
        w.field("redis_git_sha1", "00000000");
        w.field("redis_git_dirty", "0");
        w.field("redis_build_id", "0");
        w.field("redis_mode", "sentinel");
        struct utsname u {};
        uname(&u);
        w.field("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
        w.field("arch_bits", "64");
        w.field("monotonic_clock", "POSIX clock_gettime");
        w.field("multiplexing_api", "epoll");
        w.field("atomicvar_api", "c11-builtin");
        w.field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) +
                                   "." + std::to_string(__GNUC_PATCHLEVEL__));
        w.number("process_id",
                 proc.process_id != 0 ? proc.process_id : static_cast<long>(getpid()));
        w.field("process_supervised", "no");
        w.field("run_id", proc.run_id);
        w.number("tcp_port", proc.tcp_port);
        w.number("server_time_usec", now * 1000);
        w.number("uptime_in_seconds", proc.uptime_seconds);
        w.number("uptime_in_days", proc.uptime_seconds / 86400);
        w.field("hz", "10");
        w.field("configured_hz", "10");
        w.number("lru_clock", (now / 1000) & ((1 << 24) - 1));
        w.field("executable", proc.executable);
        w.field("config_file", proc.config_file);
        w.field("io_threads_active", "0");
    }
    if (has("clients")) {
        std::size_t max_input = 0;
        std::size_t max_output = 0;
        for (const auto& [id, c] : svc.clients_) {
            max_input = std::max(max_input, c->query_buffer);
            if (c->conn != nullptr) {
                max_output = std::max(max_output, c->conn->pending_output());
            }
        }
        w.section("Clients");
        w.number("connected_clients", svc.clients_.size());
        w.field("cluster_connections", "0");
        w.number("maxclients", svc.settings_.maxclients);
        w.number("client_recent_max_input_buffer", max_input);
        w.number("client_recent_max_output_buffer", max_output);
        w.field("blocked_clients", "0");
        std::size_t tracking = 0;
        for (const auto& [id, c] : svc.clients_) {
            tracking += c->tracking ? 1 : 0;
        }
        w.number("tracking_clients", tracking);
        w.field("clients_in_timeout_table", "0");
    }
    if (has("stats")) {
        const Stats& st = svc.stats_;
        w.section("Stats");
        w.number("total_connections_received", st.connections_received);
        w.number("total_commands_processed", st.commands_processed);
        w.field("instantaneous_ops_per_sec", "0");
        w.number("total_net_input_bytes", st.net_input_bytes);
        w.number("total_net_output_bytes", st.net_output_bytes);
        w.field("total_net_repl_input_bytes", "0");
        w.field("total_net_repl_output_bytes", "0");
        w.field("instantaneous_input_kbps", "0.00");
        w.field("instantaneous_output_kbps", "0.00");
        w.field("instantaneous_input_repl_kbps", "0.00");
        w.field("instantaneous_output_repl_kbps", "0.00");
        w.number("rejected_connections", st.rejected_connections);
        for (const char* zero :
             {"sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys"}) {
            w.field(zero, "0");
        }
        w.field("expired_stale_perc", "0.00");
        for (const char* zero :
             {"expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys",
              "evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time",
              "keyspace_hits", "keyspace_misses"}) {
            w.field(zero, "0");
        }
        w.number("pubsub_channels", svc.pubsub_.channels("").size());
        w.number("pubsub_patterns", svc.pubsub_.numpat());
        for (const char* zero :
             {"pubsubshard_channels", "latest_fork_usec", "total_forks", "migrate_cached_sockets",
              "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
              "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
              "current_active_defrag_time", "tracking_total_keys", "tracking_total_items",
              "tracking_total_prefixes", "unexpected_error_replies"}) {
            w.field(zero, "0");
        }
        w.number("total_error_replies", st.error_replies);
        w.field("dump_payload_sanitizations", "0");
        w.number("total_reads_processed", st.reads_processed);
        w.number("total_writes_processed", st.commands_processed);
        for (const char* zero : {"io_threaded_reads_processed", "io_threaded_writes_processed",
                                 "reply_buffer_shrinks", "reply_buffer_expands"}) {
            w.field(zero, "0");
        }
    }
    if (has("cpu")) {
        struct rusage self {};
        struct rusage children {};
        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &children);
        w.section("CPU");
        w.fixed("used_cpu_sys", seconds(self.ru_stime), 6);
        w.fixed("used_cpu_user", seconds(self.ru_utime), 6);
        w.fixed("used_cpu_sys_children", seconds(children.ru_stime), 6);
        w.fixed("used_cpu_user_children", seconds(children.ru_utime), 6);
        w.fixed("used_cpu_sys_main_thread", seconds(self.ru_stime), 6);
        w.fixed("used_cpu_user_main_thread", seconds(self.ru_utime), 6);
    }
    if (has("sentinel")) {
        const SentinelCore& core = svc.core_;
        std::size_t running = 0;
        for (const PendingScript& s : scripts) {
            running += s.running ? 1 : 0;
        }
        w.section("Sentinel");
        w.number("sentinel_masters", core.masters.size());
        w.number("sentinel_tilt", core.tilt.active ? 1 : 0);
        w.number("sentinel_tilt_since_seconds",
                 core.tilt.active ? (now - core.tilt.since) / 1000 : Ms{-1});
        w.number("sentinel_running_scripts", running);
        w.number("sentinel_scripts_queue_length", scripts.size());
        w.number("sentinel_simulate_failure_flags", core.simulate_failure);
        std::size_t i = 0;
        for (const auto& [name, m] : core.masters) {
            w.field("master" + std::to_string(i++),
                    "name=" + name + ",status=" + master_status(m) + ",address=" + m.addr.host +
                        ":" + std::to_string(m.addr.port) +
                        ",slaves=" + std::to_string(m.replicas.size()) +
                        ",sentinels=" + std::to_string(m.sentinels.size() + 1));
        }
    }
    call.reply.bulk(w.take());
}

}  // namespace vigil::sentinel
