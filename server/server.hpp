#pragma once
// Server: the state of one vigil-server (keyspace, clients, pub/sub, configuration, statistics)
// and its implementation of the front door's Service. No Asio here: the event loop lives in
// server/main.cpp and server/runtime.cpp, which call into this class.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/auth/acl.hpp"
#include "common/net/service.hpp"
#include "common/pubsub/pubsub.hpp"
#include "common/util/random_id.hpp"
#include "server/commands/command.hpp"
#include "server/commands/command_table.hpp"
#include "server/persistence/persistence.hpp"
#include "server/replication/replication.hpp"
#include "server/server_config.hpp"
#include "server/store/eviction.hpp"
#include "server/store/keyspace.hpp"

namespace vigil::server {

class Server;

struct QueuedCommand {
    std::vector<std::string> args;
    const CommandSpec* spec;
};

struct ClientState : common::ClientContext, common::Subscriber {
    Server* server = nullptr;
    std::uint64_t id = 0;
    common::Connection* conn = nullptr;
    int db = 0;
    std::string name;
    std::string user = "default";
    bool authenticated = false;
    // MULTI/EXEC
    bool in_multi = false;
    bool multi_dirty = false;  // a command failed to queue: EXEC aborts
    bool exec_watch_dirty = false;
    bool in_exec = false;  // running the queued commands of EXEC
    std::vector<QueuedCommand> queued;
    std::vector<std::pair<int, std::string>> watched;
    // Kind of client for CLIENT LIST / KILL TYPE
    bool is_master = false;
    bool is_replica = false;
    bool is_monitor = false;
    // The AOF replay client: its commands run like Redis's fake AOF client, without the ACL,
    // maxmemory, MISCONF or pub/sub-context checks.
    bool loading = false;
    // Timing and accounting
    std::int64_t created_ms = 0;
    std::int64_t last_interaction_ms = 0;
    std::string last_command = "NULL";
    std::size_t query_buffer = 0;
    std::int64_t obuf_soft_since_ms = -1;
    // CLIENT PAUSE: waiting since
    bool paused = false;
    // Replication, master side: this client is a replica (is_replica) in `repl_state`.
    int repl_state = 0;  // Replication::ReplicaState
    int repl_listening_port = 0;
    std::string repl_announced_ip;
    bool repl_capa_eof = false;
    bool repl_capa_psync2 = false;
    bool repl_old_sync = false;      // asked with SYNC: no +FULLRESYNC line before the payload
    bool repl_sending_file = false;  // a disk-based snapshot is still being read to it
    std::int64_t repl_ack_offset = 0;
    std::int64_t repl_ack_ms = 0;
    std::int64_t repl_snapshot_offset = 0;  // the offset of the snapshot it is loading
    // WAIT: the replication offset after this client's last write, and the blocked WAIT.
    std::int64_t repl_write_offset = 0;
    bool wait_blocked = false;
    std::int64_t wait_deadline_ms = 0;
    // A handler asks the session to block it (ExecStatus::wait) and run it again later.
    bool block_requested = false;

    void deliver_push(std::string_view bytes) override;
    int push_protocol() const override { return protocol; }
    bool in_pubsub_mode() const { return subscription_count() > 0; }
};

struct CommandStats {
    std::uint64_t calls = 0;
    std::uint64_t usec = 0;
    std::uint64_t rejected_calls = 0;
    std::uint64_t failed_calls = 0;
};

struct ServerStats {
    std::uint64_t total_connections_received = 0;
    std::uint64_t total_commands_processed = 0;
    std::uint64_t rejected_connections = 0;
    std::uint64_t total_net_input_bytes = 0;
    std::uint64_t total_net_output_bytes = 0;
    std::uint64_t total_error_replies = 0;
    std::uint64_t dirty = 0;  // changes since the last save
    std::int64_t lastsave_s = 0;
    std::int64_t start_ms = 0;
};

class Server : public common::Service {
public:
    explicit Server(ServerConfig config);
    ~Server() override;

    // Service
    std::unique_ptr<common::ClientContext> on_connect(common::Connection& conn,
                                                      std::string& out) override;
    common::ExecStatus execute(common::ClientContext& ctx,
                               std::span<const std::string_view> args,
                               std::string& out) override;
    void on_protocol_error(common::ClientContext& ctx) override;
    void on_input(common::ClientContext& ctx, std::size_t bytes, std::size_t buffered) override;
    void on_disconnect(common::ClientContext& ctx) override;
    std::chrono::milliseconds wait_timeout(const common::ClientContext& ctx) const override;

    // Runs one command for a client (also used by EXEC and tests). `args[0]` is the name.
    void call(ClientState& client,
              std::span<const std::string_view> args,
              common::ReplyWriter& reply,
              std::int64_t now_ms);

    // Periodic work (active expiry, idle timeouts, save schedule); `now_ms` is Unix ms.
    void cron(std::int64_t now_ms);

    // Write propagation to the AOF and to replicas. Each sink receives the db the command ran
    // in and the command's arguments, in execution order; MULTI/EXEC wrap transactions.
    using PropagationSink = std::function<void(int db, std::span<const std::string_view> args)>;
    std::vector<PropagationSink> propagation_sinks;
    void propagate(int db, std::span<const std::string_view> args);
    void propagate(int db, const std::vector<std::string>& args);
    // Runs a handler and propagates what it changed (used by call() and EXEC).
    void run_handler(CommandContext& ctx);

    // Signals that a key changed (WATCH).
    void touch_key(int db, std::string_view key);
    void touch_all_keys(int db);  // FLUSHDB / SWAPDB; db = -1 for every db

    // Clock used by execute() and cron; tests may replace it.
    std::function<std::int64_t()> clock;

    ServerConfig config;
    Keyspace keyspace;
    common::Acl acl;
    // Applies config.requirepass to the default user when it changed (start-up, CONFIG SET).
    void sync_requirepass();
    // maxmemory: the eviction policy in force (from config) and the access clock of objects.
    EvictionSettings eviction_settings() const;
    void record_access(Object& obj, std::int64_t now_ms);
    std::uint32_t initial_access(std::int64_t now_ms) const;
    // Evicts keys until used memory is within maxmemory; false when that is not possible.
    bool free_memory_if_needed(std::int64_t now_ms);
    // client-output-buffer-limit: closes the client when its pending output passes the hard
    // limit, or stays over the soft limit for longer than allowed. Returns true if closed.
    bool enforce_output_limits(ClientState& client, std::int64_t now_ms);
    // Applies the encoding thresholds (hash-max-listpack-entries, ...) to the value types: they
    // decide element order of small collections and the RDB encoding, as in Redis.
    void apply_encoding_limits();
    // ACL SETUSER semantics, for `user` lines of the config file; returns Redis's error text.
    std::optional<std::string> set_acl_user(std::string_view name,
                                            const std::vector<std::string>& rules);
    // True when a new connection is logged in as "default" without AUTH.
    bool default_user_needs_no_auth();
    CommandTable commands;
    common::PubSub pubsub;
    ServerStats stats;
    std::map<std::uint64_t, ClientState*> clients;
    // INFO commandstats / errorstats (CONFIG RESETSTAT clears them).
    std::unordered_map<const CommandSpec*, CommandStats> command_stats;
    std::map<std::string, std::uint64_t> error_stats;
    std::mt19937_64 rng{std::random_device{}()};
    std::string run_id;
    std::size_t startup_memory = 0;  // used_memory when the server was constructed
    std::string executable;
    std::string config_file;
    std::uint64_t next_client_id = 1;
    // CLIENT PAUSE
    std::int64_t pause_end_ms = 0;
    bool pause_all = false;  // true: ALL, false: WRITE
    // Replication role: empty master_host means this server is a master.
    std::string master_host;
    int master_port = 0;
    bool is_replica() const { return !master_host.empty(); }
    std::unique_ptr<Replication> replication;
    // Persistence state reported by INFO persistence.
    bool bgsave_in_progress = false;
    std::int64_t last_bgsave_ok = true;
    // Hooks the runtime provides (shutdown, background save, ...).
    // Returns false when the shutdown was refused (the final save failed). `now`: do not wait
    // for lagging replicas (SHUTDOWN NOW / FORCE).
    std::function<bool(bool save, bool now)> request_shutdown;
    std::function<void()> on_config_changed;
    // CONFIG SET: actions for directives whose change needs more than the new value in
    // `config` (rebinding the listener, starting or stopping the AOF, ...), by directive name.
    // Called after the values changed; returning false with `error` set makes CONFIG SET put
    // the old values back and fail with that error.
    std::map<std::string, std::function<bool(std::string& error)>, std::less<>> config_apply;
    std::function<bool()> debug_reload;
    std::function<bool()> save_on_shutdown;    // synchronous save before exit
    std::unique_ptr<Persistence> persistence;  // save then load the
                                               // dataset (DEBUG RELOAD)
    bool active_expire_enabled = true;

private:
    // ACL check for one command; replies NOPERM and returns false when it is not allowed.
    bool acl_allows(ClientState& client,
                    const CommandSpec& spec,
                    std::span<const std::string_view> args,
                    std::string& error);
    std::string applied_requirepass_;
    Evictor evictor_;
    const CommandSpec* last_run_spec_ = nullptr;  // set by run_handler, for rejected_calls
    EvictionSettings eviction_;                   // refreshed from config before each command
    bool check_pause(ClientState& client, const CommandSpec& spec, std::int64_t now_ms);
    std::unordered_map<std::string, std::vector<ClientState*>> watched_keys_;
    friend void unwatch_all(Server& server, ClientState& client);
    friend void watch_key(Server& server, ClientState& client, std::string_view key);
};

void unwatch_all(Server& server, ClientState& client);
void watch_key(Server& server, ClientState& client, std::string_view key);

std::int64_t unix_time_ms();  // the real clock, for Server::clock
using common::random_hex_id;  // run ids, replication ids, the diskless end mark

}  // namespace vigil::server
