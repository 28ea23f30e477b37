#include "server/commands/info.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "common/util/memory.hpp"
#include "server/server.hpp"
#include "server/version.hpp"
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace vigil::server {
namespace {

std::string human_bytes(double n) {
    char buf[64];
    if (n < 1024) {
        std::snprintf(buf, sizeof(buf), "%.0fB", n);
    } else if (n < 1024.0 * 1024) {
        std::snprintf(buf, sizeof(buf), "%.2fK", n / 1024);
    } else if (n < 1024.0 * 1024 * 1024) {
        std::snprintf(buf, sizeof(buf), "%.2fM", n / (1024 * 1024));
    } else if (n < 1024.0 * 1024 * 1024 * 1024) {
        std::snprintf(buf, sizeof(buf), "%.2fG", n / (1024.0 * 1024 * 1024));
    } else {
        std::snprintf(buf, sizeof(buf), "%.2fT", n / (1024.0 * 1024 * 1024 * 1024));
    }
    return buf;
}

std::string_view policy_name(MaxmemoryPolicy p) {
    switch (p) {
        case MaxmemoryPolicy::volatile_lru:
            return "volatile-lru";
        case MaxmemoryPolicy::allkeys_lru:
            return "allkeys-lru";
        case MaxmemoryPolicy::volatile_lfu:
            return "volatile-lfu";
        case MaxmemoryPolicy::allkeys_lfu:
            return "allkeys-lfu";
        case MaxmemoryPolicy::volatile_random:
            return "volatile-random";
        case MaxmemoryPolicy::allkeys_random:
            return "allkeys-random";
        case MaxmemoryPolicy::volatile_ttl:
            return "volatile-ttl";
        case MaxmemoryPolicy::noeviction:
            return "noeviction";
    }
    return "noeviction";
}

class InfoWriter {
public:
    void section(std::string_view name) {
        if (!out_.empty()) {
            out_ += "\r\n";
        }
        out_ += "# ";
        out_ += name;
        out_ += "\r\n";
    }
    template <class T>
    void field(std::string_view name, const T& value) {
        out_ += name;
        out_ += ':';
        if constexpr (std::is_convertible_v<T, std::string_view>) {
            out_ += std::string_view(value);
        } else {
            out_ += std::to_string(value);
        }
        out_ += "\r\n";
    }
    void fixed(std::string_view name, double v, int decimals) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
        field(name, std::string_view(buf));
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

}  // namespace

std::string render_info(Server& server,
                        const std::vector<std::string>& requested,
                        std::int64_t now_ms) {
    static const std::set<std::string> kDefault = {
        "server", "clients", "memory",     "persistence", "stats",   "replication",
        "cpu",    "modules", "errorstats", "cluster",     "keyspace"};
    std::set<std::string> want;
    bool everything = false;
    if (requested.empty()) {
        want = kDefault;
    }
    for (const auto& s : requested) {
        if (s == "all" || s == "everything") {
            everything = true;
            want = kDefault;
            want.insert("commandstats");
            want.insert("latencystats");
        } else if (s == "default") {
            want.insert(kDefault.begin(), kDefault.end());
        } else {
            want.insert(s);
        }
    }
    (void)everything;
    auto has = [&](std::string_view s) {
        return want.count(std::string(s)) > 0;
    };
    const ServerConfig& cfg = server.config;
    InfoWriter w;

    if (has("server")) {
        w.section("Server");
        w.field("redis_version", kRedisCompatVersion);
        w.field("vigil_version", kVigilVersion);
        w.field("redis_git_sha1", "00000000");
        w.field("redis_git_dirty", "0");
        w.field("redis_build_id", "0");
        w.field("redis_mode", "standalone");
        struct utsname u {};
        uname(&u);
        w.field("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
        w.field("arch_bits", "64");
        w.field("monotonic_clock", "POSIX clock_gettime");
        w.field("multiplexing_api", "epoll");
        w.field("atomicvar_api", "c11-builtin");
        w.field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) +
                                   "." + std::to_string(__GNUC_PATCHLEVEL__));
        w.field("process_id", static_cast<long>(getpid()));
        w.field("process_supervised", "no");
        w.field("run_id", server.run_id);
        w.field("tcp_port", cfg.port);
        std::int64_t uptime_s = (now_ms - server.stats.start_ms) / 1000;
        w.field("server_time_usec", now_ms * 1000);
        w.field("uptime_in_seconds", uptime_s);
        w.field("uptime_in_days", uptime_s / 86400);
        w.field("hz", 10);
        w.field("configured_hz", 10);
        w.field("lru_clock", (now_ms / 1000) & ((1 << 24) - 1));
        w.field("executable", server.executable);
        w.field("config_file", server.config_file);
        w.field("io_threads_active", 0);
    }
    if (has("clients")) {
        std::size_t pubsub = 0;
        std::size_t watching = 0;
        std::size_t max_input = 0;
        std::size_t max_output = 0;
        for (const auto& [id, c] : server.clients) {
            if (c->in_pubsub_mode())
                ++pubsub;
            if (!c->watched.empty())
                ++watching;
            max_input = std::max(max_input, c->query_buffer);
            if (c->conn)
                max_output = std::max(max_output, c->conn->pending_output());
        }
        std::size_t replicas = 0;
        for (const auto& [id, c] : server.clients) {
            if (c->is_replica)
                ++replicas;
        }
        w.section("Clients");
        w.field("connected_clients", server.clients.size() - replicas);
        w.field("cluster_connections", 0);
        w.field("maxclients", cfg.maxclients);
        w.field("client_recent_max_input_buffer", max_input);
        w.field("client_recent_max_output_buffer", max_output);
        w.field("blocked_clients", 0);
        w.field("tracking_clients", 0);
        w.field("clients_in_timeout_table", 0);
        (void)pubsub;
        (void)watching;
    }
    if (has("memory")) {
        std::size_t used = common::used_memory();
        std::size_t rss = common::resident_memory();
        std::size_t peak = std::max(common::peak_memory(), used);
        std::size_t total = common::system_memory();
        w.section("Memory");
        w.field("used_memory", used);
        w.field("used_memory_human", human_bytes(static_cast<double>(used)));
        w.field("used_memory_rss", rss);
        w.field("used_memory_rss_human", human_bytes(static_cast<double>(rss)));
        w.field("used_memory_peak", peak);
        w.field("used_memory_peak_human", human_bytes(static_cast<double>(peak)));
        w.fixed("used_memory_peak_perc",
                peak ? 100.0 * static_cast<double>(used) / static_cast<double>(peak) : 100.0, 2);
        w.field("used_memory_dataset", used);
        w.field("total_system_memory", total);
        w.field("total_system_memory_human", human_bytes(static_cast<double>(total)));
        w.field("maxmemory", cfg.maxmemory);
        w.field("maxmemory_human", human_bytes(static_cast<double>(cfg.maxmemory)));
        w.field("maxmemory_policy", policy_name(cfg.maxmemory_policy));
        w.fixed("mem_fragmentation_ratio",
                used ? static_cast<double>(rss) / static_cast<double>(used) : 0.0, 2);
        w.field("mem_fragmentation_bytes",
                static_cast<std::int64_t>(rss) - static_cast<std::int64_t>(used));
        w.field("mem_allocator", "libc");
        w.field("lazyfree_pending_objects", 0);
    }
    if (has("persistence")) {
        w.section("Persistence");
        w.field("loading", 0);
        w.field("async_loading", 0);
        w.field("current_cow_peak", 0);
        w.field("current_cow_size", 0);
        w.field("current_cow_size_age", 0);
        w.field("current_fork_perc", "0.00");
        w.field("current_save_keys_processed", 0);
        w.field("current_save_keys_total", 0);
        w.field("rdb_changes_since_last_save", server.stats.dirty);
        w.field("rdb_bgsave_in_progress", server.bgsave_in_progress ? 1 : 0);
        w.field("rdb_last_save_time", server.stats.lastsave_s);
        w.field("rdb_last_bgsave_status", server.last_bgsave_ok ? "ok" : "err");
        w.field("rdb_last_bgsave_time_sec", -1);
        w.field("rdb_current_bgsave_time_sec", -1);
        w.field("rdb_saves", 0);
        w.field("rdb_last_cow_size", 0);
        w.field("rdb_last_load_keys_expired", 0);
        w.field("rdb_last_load_keys_loaded", 0);
        w.field("aof_enabled", cfg.appendonly ? 1 : 0);
        w.field("aof_rewrite_in_progress", 0);
        w.field("aof_rewrite_scheduled", 0);
        w.field("aof_last_rewrite_time_sec", -1);
        w.field("aof_current_rewrite_time_sec", -1);
        w.field("aof_last_bgrewrite_status", "ok");
        w.field("aof_rewrites", 0);
        w.field("aof_rewrites_consecutive_failures", 0);
        w.field("aof_last_write_status", "ok");
        w.field("aof_last_cow_size", 0);
        w.field("module_fork_in_progress", 0);
        w.field("module_fork_last_cow_size", 0);
    }
    if (has("stats")) {
        const auto& st = server.stats;
        const auto& ks = server.keyspace.stats;
        w.section("Stats");
        w.field("total_connections_received", st.total_connections_received);
        w.field("total_commands_processed", st.total_commands_processed);
        w.field("instantaneous_ops_per_sec", 0);
        w.field("total_net_input_bytes", st.total_net_input_bytes);
        w.field("total_net_output_bytes", st.total_net_output_bytes);
        w.field("instantaneous_input_kbps", "0.00");
        w.field("instantaneous_output_kbps", "0.00");
        w.field("rejected_connections", st.rejected_connections);
        w.field("sync_full", 0);
        w.field("sync_partial_ok", 0);
        w.field("sync_partial_err", 0);
        w.field("expired_keys", ks.expired_keys);
        w.field("expired_stale_perc", "0.00");
        w.field("expired_time_cap_reached_count", 0);
        w.field("expire_cycle_cpu_milliseconds", 0);
        w.field("evicted_keys", ks.evicted_keys);
        w.field("evicted_clients", 0);
        w.field("total_eviction_exceeded_time", 0);
        w.field("current_eviction_exceeded_time", 0);
        w.field("keyspace_hits", ks.keyspace_hits);
        w.field("keyspace_misses", ks.keyspace_misses);
        w.field("pubsub_channels", server.pubsub.channels("").size());
        w.field("pubsub_patterns", server.pubsub.numpat());
        w.field("latest_fork_usec", 0);
        w.field("total_forks", 0);
        w.field("migrate_cached_sockets", 0);
        w.field("slave_expires_tracked_keys", 0);
        w.field("active_defrag_hits", 0);
        w.field("active_defrag_misses", 0);
        w.field("active_defrag_key_hits", 0);
        w.field("active_defrag_key_misses", 0);
        w.field("total_active_defrag_time", 0);
        w.field("current_active_defrag_time", 0);
        w.field("tracking_total_keys", 0);
        w.field("tracking_total_items", 0);
        w.field("tracking_total_prefixes", 0);
        w.field("unexpected_error_replies", 0);
        w.field("total_error_replies", st.total_error_replies);
        w.field("dump_payload_sanitizations", 0);
        w.field("total_reads_processed", 0);
        w.field("total_writes_processed", 0);
        w.field("io_threaded_reads_processed", 0);
        w.field("io_threaded_writes_processed", 0);
        w.field("reply_buffer_shrinks", 0);
        w.field("reply_buffer_expands", 0);
    }
    if (has("replication")) {
        w.section("Replication");
        if (server.is_replica()) {
            w.field("role", "slave");
            w.field("master_host", server.master_host);
            w.field("master_port", server.master_port);
            w.field("master_link_status", "down");
        } else {
            w.field("role", "master");
            w.field("connected_slaves", 0);
        }
        w.field("master_failover_state", "no-failover");
        w.field("master_replid", server.run_id);
        w.field("master_replid2", "0000000000000000000000000000000000000000");
        w.field("master_repl_offset", 0);
        w.field("second_repl_offset", -1);
        w.field("repl_backlog_active", 0);
        w.field("repl_backlog_size", 1048576);
        w.field("repl_backlog_first_byte_offset", 0);
        w.field("repl_backlog_histlen", 0);
    }
    if (has("cpu")) {
        struct rusage self {};
        struct rusage children {};
        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &children);
        auto secs = [](const timeval& tv) {
            return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
        };
        w.section("CPU");
        w.fixed("used_cpu_sys", secs(self.ru_stime), 6);
        w.fixed("used_cpu_user", secs(self.ru_utime), 6);
        w.fixed("used_cpu_sys_children", secs(children.ru_stime), 6);
        w.fixed("used_cpu_user_children", secs(children.ru_utime), 6);
        w.fixed("used_cpu_sys_main_thread", secs(self.ru_stime), 6);
        w.fixed("used_cpu_user_main_thread", secs(self.ru_utime), 6);
    }
    if (has("modules")) {
        w.section("Modules");
    }
    if (has("errorstats")) {
        w.section("Errorstats");
    }
    if (has("cluster")) {
        w.section("Cluster");
        w.field("cluster_enabled", 0);
    }
    if (has("keyspace")) {
        w.section("Keyspace");
        for (int i = 0; i < server.keyspace.db_count(); ++i) {
            const Db& db = server.keyspace.db(i);
            if (db.size() == 0) {
                continue;
            }
            w.field("db" + std::to_string(i), "keys=" + std::to_string(db.size()) +
                                                  ",expires=" + std::to_string(db.expires_count()) +
                                                  ",avg_ttl=" + std::to_string(db.avg_ttl_ms));
        }
    }
    return w.take();
}

}  // namespace vigil::server
