#pragma once
// The settings vigil-server acts on. The directive table (server/config_table.cpp) maps redis.conf
// directives, command-line overrides and CONFIG GET/SET onto these fields.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vigil::server {

enum class MaxmemoryPolicy {
    volatile_lru,
    allkeys_lru,
    volatile_lfu,
    allkeys_lfu,
    volatile_random,
    allkeys_random,
    volatile_ttl,
    noeviction,
};

struct OutputBufferLimit {
    std::uint64_t hard_bytes = 0;
    std::uint64_t soft_bytes = 0;
    std::int64_t soft_seconds = 0;
};

struct ServerConfig {
    // Network
    std::vector<std::string> bind{"*", "-::*"};
    int port = 6379;
    int tcp_backlog = 511;
    bool protected_mode = true;
    int timeout_s = 0;  // close idle clients after this many seconds (0 = never)
    int tcp_keepalive_s = 300;
    std::uint64_t maxclients = 10000;
    // Process
    bool daemonize = false;
    std::string pidfile;
    std::string logfile;
    std::string loglevel = "notice";
    int databases = 16;
    // Security
    std::string requirepass;
    // Memory
    std::uint64_t maxmemory = 0;
    MaxmemoryPolicy maxmemory_policy = MaxmemoryPolicy::noeviction;
    int maxmemory_samples = 5;
    int lfu_log_factor = 10;
    int lfu_decay_time = 1;
    // Limits
    std::uint64_t proto_max_bulk_len = 512ULL * 1024 * 1024;
    std::uint64_t client_query_buffer_limit = 1024ULL * 1024 * 1024;
    OutputBufferLimit obuf_normal{};
    OutputBufferLimit obuf_replica{256ULL * 1024 * 1024, 64ULL * 1024 * 1024, 60};
    OutputBufferLimit obuf_pubsub{32ULL * 1024 * 1024, 8ULL * 1024 * 1024, 60};
    // Persistence
    std::string dir = ".";
    std::string dbfilename = "dump.rdb";
    std::vector<std::pair<std::int64_t, std::int64_t>> save_params{
        {3600, 1}, {300, 100}, {60, 10000}};
    bool rdbcompression = true;
    bool rdbchecksum = true;
    bool stop_writes_on_bgsave_error = true;
    bool appendonly = false;
    std::string appendfilename = "appendonly.aof";
    std::string appenddirname = "appendonlydir";
    std::string appendfsync = "everysec";
    bool aof_load_truncated = true;
    // Debugging
    std::string enable_debug_command = "no";  // yes | no | local
    // Replication (issue 3 fills these in)
    bool replica_read_only = true;
    bool replica_serve_stale_data = true;
    int replica_priority = 100;
    std::string replicaof_host;  // empty: master (replicaof / slaveof "host port")
    int replicaof_port = 0;
    std::string masterauth;
    std::string masteruser;
    std::uint64_t repl_backlog_size = 1024ULL * 1024;
    std::int64_t repl_backlog_ttl_s = 3600;
    int repl_timeout_s = 60;
    int repl_ping_replica_period_s = 10;
    bool repl_diskless_sync = true;
    int repl_diskless_sync_delay_s = 5;
    int repl_diskless_sync_max_replicas = 0;
    std::string repl_diskless_load = "disabled";  // disabled | on-empty-db | swapdb
    bool repl_disable_tcp_nodelay = false;
    int min_replicas_to_write = 0;
    int min_replicas_max_lag_s = 10;
    std::string replica_announce_ip;
    int replica_announce_port = 0;
    bool replica_announced = true;
    bool replica_ignore_maxmemory = true;
    bool replica_ignore_disk_write_errors = false;
    // AOF and RDB details (persistence)
    bool no_appendfsync_on_rewrite = false;
    int auto_aof_rewrite_percentage = 100;
    std::uint64_t auto_aof_rewrite_min_size = 64ULL * 1024 * 1024;
    bool aof_use_rdb_preamble = true;
    bool aof_timestamp_enabled = false;
    bool aof_rewrite_incremental_fsync = true;
    bool rdb_save_incremental_fsync = true;
    bool rdb_del_sync_files = false;
    bool aof_disable_auto_gc = false;
    // ACL
    std::string aclfile;
    std::int64_t acllog_max_len = 128;
    std::string acl_pubsub_default = "resetchannels";      // allchannels | resetchannels
    std::vector<std::vector<std::string>> acl_user_lines;  // `user name rule...` from the file
    // rename-command old new ("" disables); applied to the command table at start-up
    std::vector<std::pair<std::string, std::string>> rename_commands;
    // Notifications, diagnostics
    std::string notify_keyspace_events;  // canonical flags as CONFIG GET prints them ("AKE")
    std::int64_t slowlog_log_slower_than_us = 10000;
    std::int64_t slowlog_max_len = 128;
    std::int64_t latency_monitor_threshold_ms = 0;
    // Process
    std::string unixsocket;
    int unixsocketperm = 0;
    int shutdown_timeout_s = 10;
    std::string shutdown_on_sigint = "default";  // default | flags of save nosave now force
    std::string shutdown_on_sigterm = "default";
    std::string enable_protected_configs = "no";  // yes | no | local
    std::string enable_module_command = "no";
    std::uint64_t maxmemory_clients = 0;  // bytes, or a percentage when maxmemory_clients_pct
    bool maxmemory_clients_pct = false;
    int maxmemory_eviction_tenacity = 10;
    // Directives accepted and shown by CONFIG GET that Vigil does not act on (tuning knobs of
    // Redis's internals, cluster, TLS): values by directive name, kept so that CONFIG GET / SET /
    // REWRITE round-trip them.
    std::map<std::string, bool, std::less<>> other_bools;
    std::map<std::string, std::int64_t, std::less<>> other_ints;
    std::map<std::string, std::uint64_t, std::less<>> other_memory;
    std::map<std::string, std::string, std::less<>> other_strings;  // strings and enum names
};

}  // namespace vigil::server
