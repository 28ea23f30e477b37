#pragma once
// The settings vigil-server acts on. The directive table (server/config_table.cpp) maps redis.conf
// directives, command-line overrides and CONFIG GET/SET onto these fields.

#include <cstdint>
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
};

}  // namespace vigil::server
