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
        std::size_t clients_mem = 0;
        std::size_t replicas_mem = 0;
        for (const auto& [id, c] : server.clients) {
            std::size_t m = c->query_buffer + (c->conn ? c->conn->pending_output() : 0);
            (c->is_replica ? replicas_mem : clients_mem) += m;
        }
        std::size_t overhead = clients_mem + replicas_mem;
        for (int i = 0; i < server.keyspace.db_count(); ++i) {
            const Db& db = server.keyspace.db(i);
            overhead += db.dict().bucket_count() * sizeof(void*) +
                        db.expires().bucket_count() * sizeof(void*);
        }
        overhead = std::min(overhead, used);
        std::size_t dataset = used - overhead;
        auto h = [](std::size_t n) {
            return human_bytes(static_cast<double>(n));
        };
        auto ratio = [](std::size_t a, std::size_t b) {
            return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
        };
        w.section("Memory");
        w.field("used_memory", used);
        w.field("used_memory_human", h(used));
        w.field("used_memory_rss", rss);
        w.field("used_memory_rss_human", h(rss));
        w.field("used_memory_peak", peak);
        w.field("used_memory_peak_human", h(peak));
        w.fixed("used_memory_peak_perc", 100.0 * ratio(used, peak), 2);
        w.field("used_memory_overhead", overhead);
        w.field("used_memory_startup", server.startup_memory);
        w.field("used_memory_dataset", dataset);
        w.fixed("used_memory_dataset_perc", 100.0 * ratio(dataset, used), 2);
        w.field("allocator_allocated", used);
        w.field("allocator_active", used);
        w.field("allocator_resident", rss);
        w.field("total_system_memory", total);
        w.field("total_system_memory_human", h(total));
        w.field("used_memory_lua", 31744);
        w.field("used_memory_vm_eval", 31744);
        w.field("used_memory_lua_human", "31.00K");
        w.field("used_memory_scripts_eval", 0);
        w.field("number_of_cached_scripts", 0);
        w.field("number_of_functions", 0);
        w.field("number_of_libraries", 0);
        w.field("used_memory_vm_functions", 32768);
        w.field("used_memory_vm_total", 64512);
        w.field("used_memory_vm_total_human", "63.00K");
        w.field("used_memory_functions", 0);
        w.field("used_memory_scripts", 0);
        w.field("used_memory_scripts_human", "0B");
        w.field("maxmemory", cfg.maxmemory);
        w.field("maxmemory_human", h(cfg.maxmemory));
        w.field("maxmemory_policy", policy_name(cfg.maxmemory_policy));
        w.fixed("allocator_frag_ratio", 1.0, 2);
        w.field("allocator_frag_bytes", 0);
        w.fixed("allocator_rss_ratio", ratio(rss, used), 2);
        w.field("allocator_rss_bytes",
                static_cast<std::int64_t>(rss) - static_cast<std::int64_t>(used));
        w.fixed("rss_overhead_ratio", 1.0, 2);
        w.field("rss_overhead_bytes", 0);
        w.fixed("mem_fragmentation_ratio", ratio(rss, used), 2);
        w.field("mem_fragmentation_bytes",
                static_cast<std::int64_t>(rss) - static_cast<std::int64_t>(used));
        w.field("mem_not_counted_for_evict", 0);
        w.field("mem_replication_backlog", server.replication->backlog_memory());
        w.field("mem_total_replication_buffers", replicas_mem);
        w.field("mem_clients_slaves", replicas_mem);
        w.field("mem_clients_normal", clients_mem);
        w.field("mem_cluster_links", 0);
        w.field("mem_aof_buffer", 0);
        w.field("mem_allocator", "libc");
        w.field("active_defrag_running", 0);
        w.field("lazyfree_pending_objects", 0);
        w.field("lazyfreed_objects", 0);
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
        const PersistenceStats& ps = server.persistence->stats();
        w.field("rdb_changes_since_last_save", server.stats.dirty);
        w.field("rdb_bgsave_in_progress", server.bgsave_in_progress ? 1 : 0);
        w.field("rdb_last_save_time", server.stats.lastsave_s);
        w.field("rdb_last_bgsave_status", server.last_bgsave_ok ? "ok" : "err");
        w.field("rdb_last_bgsave_time_sec", ps.rdb_last_bgsave_time_sec);
        w.field("rdb_current_bgsave_time_sec",
                server.bgsave_in_progress && ps.rdb_bgsave_start_ms >= 0
                    ? (now_ms - ps.rdb_bgsave_start_ms) / 1000
                    : -1);
        w.field("rdb_saves", ps.rdb_saves);
        w.field("rdb_last_cow_size", 0);
        w.field("rdb_last_load_keys_expired", ps.rdb_last_load_keys_expired);
        w.field("rdb_last_load_keys_loaded", ps.rdb_last_load_keys_loaded);
        w.field("aof_enabled", server.persistence->aof_on() ? 1 : 0);
        w.field("aof_rewrite_in_progress", server.persistence->aof_rewrite_running() ? 1 : 0);
        w.field("aof_rewrite_scheduled", ps.aof_rewrite_scheduled ? 1 : 0);
        w.field("aof_last_rewrite_time_sec", ps.aof_last_rewrite_time_sec);
        w.field("aof_current_rewrite_time_sec",
                ps.aof_rewrite_start_ms >= 0 ? (now_ms - ps.aof_rewrite_start_ms) / 1000 : -1);
        w.field("aof_last_bgrewrite_status", ps.aof_last_bgrewrite_ok ? "ok" : "err");
        w.field("aof_rewrites", ps.aof_rewrites);
        w.field("aof_rewrites_consecutive_failures", ps.aof_rewrites_consecutive_failures);
        w.field("aof_last_write_status", server.persistence->aof_write_ok() ? "ok" : "err");
        w.field("aof_last_cow_size", 0);
        w.field("module_fork_in_progress", 0);
        w.field("module_fork_last_cow_size", 0);
        if (server.persistence->aof_on()) {
            w.field("aof_current_size", ps.aof_current_size);
            w.field("aof_base_size", ps.aof_base_size);
            w.field("aof_pending_rewrite", 0);
            w.field("aof_buffer_length", 0);
            w.field("aof_pending_bio_fsync", 0);
            w.field("aof_delayed_fsync", 0);
        }
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
        w.field("total_net_repl_input_bytes", 0);
        w.field("total_net_repl_output_bytes", 0);
        w.field("instantaneous_input_kbps", "0.00");
        w.field("instantaneous_output_kbps", "0.00");
        w.field("instantaneous_input_repl_kbps", "0.00");
        w.field("instantaneous_output_repl_kbps", "0.00");
        w.field("rejected_connections", st.rejected_connections);
        w.field("sync_full", server.replication->sync_full);
        w.field("sync_partial_ok", server.replication->sync_partial_ok);
        w.field("sync_partial_err", server.replication->sync_partial_err);
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
        w.field("pubsubshard_channels", 0);
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
        for (const auto& [k, v] : server.replication->info_fields(now_ms)) {
            w.field(k, v);
        }
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
    if (has("commandstats")) {
        w.section("Commandstats");
        for (const auto& [spec, cs] : server.command_stats) {
            if (cs.calls == 0 && cs.rejected_calls == 0 && cs.failed_calls == 0) {
                continue;
            }
            char buf[256];
            std::snprintf(
                buf, sizeof(buf),
                "calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
                "failed_calls=%llu",
                static_cast<unsigned long long>(cs.calls), static_cast<unsigned long long>(cs.usec),
                cs.calls ? static_cast<double>(cs.usec) / static_cast<double>(cs.calls) : 0.0,
                static_cast<unsigned long long>(cs.rejected_calls),
                static_cast<unsigned long long>(cs.failed_calls));
            w.field("cmdstat_" + std::string(spec->name), std::string_view(buf));
        }
    }
    if (has("errorstats")) {
        w.section("Errorstats");
        for (const auto& [code, count] : server.error_stats) {
            w.field("errorstat_" + code, "count=" + std::to_string(count));
        }
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
