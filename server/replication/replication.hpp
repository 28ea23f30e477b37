#pragma once
// Replication as Redis 7.0 does it (PSYNC2), both sides:
// - master side: replicas are ordinary client connections that sent PSYNC; they get
//   +FULLRESYNC and an RDB snapshot (a forked child writes it to the RDB file, or into a pipe for
//   a diskless transfer in the $EOF:<mark> form) or +CONTINUE and the missing part of the backlog,
//   then the stream of writes. REPLCONF ACK keeps their offsets for WAIT, INFO and
//   min-replicas-to-write.
// - replica side: one link coroutine connects to the master, does the handshake (PING, AUTH,
//   REPLCONF listening-port / ip-address / capa, PSYNC), loads the snapshot into a fresh keyspace
//   and swaps it in only when it loaded completely, then applies the stream through a client
//   flagged as the master and forwards the very same bytes to its own replicas.
// Replication ids and offsets follow PSYNC2: replid/replid2 and second_repl_offset, so a replica
// promoted with REPLICAOF NO ONE continues its former siblings and its former master partially.
//
// The header names no Asio: the runtime hands an io_context to start_io().
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/replication/backlog.hpp"

namespace boost::asio {
class io_context;
}

namespace vigil::server {

class Server;
struct ClientState;
struct CommandContext;
struct CommandSpec;
struct RdbSaveOptions;

class Replication {
public:
    // State of one replica connected to us (ClientState::repl_state).
    enum ReplicaState : int {
        wait_bgsave_start = 1,  // waits for the next snapshot
        wait_bgsave_end,        // told +FULLRESYNC; the snapshot is being produced
        send_bulk,              // the snapshot is being sent
        online,                 // gets the stream
        online_wait_ack,        // got an $EOF: snapshot; the stream starts with its first ACK
    };
    // The replica side's link to its master, as ROLE and INFO name it.
    enum class LinkState { none, connect, connecting, handshake, transfer, connected };
    enum class FailoverState { none, waiting_for_sync, in_progress };

    explicit Replication(Server& server);
    ~Replication();
    Replication(const Replication&) = delete;
    Replication& operator=(const Replication&) = delete;

    // The runtime's event loop; until it is given, nothing connects or streams (unit tests).
    void start_io(boost::asio::io_context& io);
    void stop_io();

    // ---- commands ----
    void replicaof(CommandContext& ctx);
    void psync(CommandContext& ctx);  // PSYNC and SYNC
    void replconf(CommandContext& ctx);
    void wait(CommandContext& ctx);
    void failover(CommandContext& ctx);
    void role(CommandContext& ctx);

    // The error a command gets from the replication rules (NOREPLICAS, READONLY, MASTERDOWN),
    // or empty. `in_pubsub_check` orders them as Redis does around the pub/sub context check.
    std::string_view refuse_before_pubsub(const ClientState& client,
                                          const CommandSpec& spec,
                                          std::int64_t now_ms) const;
    std::string_view refuse_after_pubsub(const ClientState& client, const CommandSpec& spec) const;

    // Writes of this server (master role) enter the stream here; see Server::propagation_sinks.
    void feed(int db, std::span<const std::string_view> args);
    // After a write command: remember the offset the client's writes reach (WAIT).
    void note_client_write(ClientState& client);

    void cron(std::int64_t now_ms);
    void on_disconnect(ClientState& client);
    // Shutdown: an online replica has not acknowledged every byte of the stream yet.
    bool replicas_lagging() const;
    // Puts REPLCONF GETACK * into the stream (replicas answer with their offset).
    void request_acks();
    // The persistence child ended (any kind of RDB child).
    void rdb_child_done(bool ok);
    // The aux fields written into every RDB (repl-stream-db, repl-id, repl-offset).
    void fill_save_info(RdbSaveOptions& opts) const;
    // At start-up, after the dataset was loaded: the aux fields of the RDB file.
    void restore_from_rdb(const std::vector<std::pair<std::string, std::string>>& aux);
    // At start-up: the replicaof directive.
    void start_as_configured();

    // INFO replication fields, in Redis's order.
    std::vector<std::pair<std::string, std::string>> info_fields(std::int64_t now_ms) const;
    std::size_t backlog_memory() const { return backlog_ ? backlog_->memory() : 0; }
    std::size_t replica_count() const { return replicas_.size(); }

    // INFO stats
    std::uint64_t sync_full = 0;
    std::uint64_t sync_partial_ok = 0;
    std::uint64_t sync_partial_err = 0;

    const std::string& replid() const { return replid_; }
    std::int64_t offset() const { return master_repl_offset_; }
    bool link_up() const { return link_state_ == LinkState::connected; }
    bool applying_master_stream() const { return applying_; }
    // The address a replica is known by: its announced ip, else its connection's.
    static std::string replica_ip(const ClientState& c);

private:
    struct Io;
    friend struct Io;

    // master side
    ClientState* find_replica(std::uint64_t id) const;
    void start_pump(int fd, std::int64_t snapshot_offset);
    // Sends the RDB file open at `fd` to replica `id` as its connection drains.
    void start_file_transfer(std::uint64_t id, int fd, std::int64_t size);
    void release_hold();
    std::size_t hold_limit() const;
    void create_backlog();
    void add_to_stream(std::string_view bytes);
    bool try_partial(ClientState& client,
                     std::string_view replid,
                     std::int64_t offset,
                     std::string& out);
    void maybe_start_snapshot(std::int64_t now_ms, bool force);
    void snapshot_finished(bool ok);
    void replica_online(ClientState& client);
    void drop_replica(ClientState& client);
    void disconnect_replicas();
    void send_getack_if_needed();
    int good_replicas(std::int64_t now_ms) const;
    std::int64_t replicas_acked(std::int64_t offset) const;
    void wake_waiters();
    void shift_replid();
    void new_replid();

    // replica side
    void set_master(const std::string& host, int port);
    void unset_master();
    void start_link();
    void close_link();
    void replica_cron(std::int64_t now_ms);
    void send_ack();
    int current_master_db() const;
    void failover_cron(std::int64_t now_ms);
    void abort_failover(std::string_view reason);
    void begin_switch();
    void clear_failover();
    void on_ack();
    bool caught_up(const ClientState& r) const;
    // The link's PSYNC FAILOVER was answered (ok) or refused.
    void failover_psync_done(bool ok);
    friend struct ReplicationLinkTask;

    Server& server_;
    std::unique_ptr<Io> io_;
    std::unique_ptr<Backlog> backlog_;
    std::string replid_;
    std::string replid2_ = std::string(40, '0');
    std::int64_t master_repl_offset_ = 0;
    std::int64_t second_repl_offset_ = -1;
    int stream_db_ = -1;  // the db the stream last SELECTed (-1: SELECT before the next write)
    std::vector<std::uint64_t> replicas_;  // client ids, in the order they attached
    std::int64_t no_replicas_since_ms_ = 0;
    std::int64_t last_ping_ms_ = 0;
    std::int64_t last_newline_ms_ = 0;
    bool getack_pending_ = false;
    // the snapshot for full resyncs
    bool snapshot_running_ = false;
    bool snapshot_diskless_ = false;
    std::int64_t snapshot_offset_ = 0;
    std::int64_t first_waiting_ms_ = -1;  // when the oldest replica began waiting for a snapshot
    std::uint64_t snapshot_seq_ = 0;

    // replica side
    LinkState link_state_ = LinkState::none;
    std::uint64_t link_generation_ = 0;
    bool have_cached_master_ = false;  // replid_/offset may be offered in PSYNC
    int master_db_ = 0;                // the master client's selected db, kept across links
    bool applying_ = false;
    std::int64_t link_down_since_ms_ = -1;
    std::int64_t last_master_io_ms_ = -1;
    std::int64_t read_offset_ = 0;  // slave_read_repl_offset
    std::int64_t sync_total_bytes_ = -1;
    std::int64_t sync_read_bytes_ = 0;
    std::int64_t sync_last_io_ms_ = 0;  // handshake and transfer: the last progress
    std::int64_t last_ack_sent_ms_ = 0;

    // FAILOVER
    FailoverState failover_state_ = FailoverState::none;
    std::string failover_host_;
    int failover_port_ = 0;
    bool failover_force_ = false;
    std::int64_t failover_deadline_ms_ = 0;  // 0: none
    bool failover_psync_ = false;            // the link's next PSYNC carries FAILOVER
    std::int64_t failover_switch_ms_ = 0;    // when the in-progress phase began
    std::int64_t saved_pause_end_ms_ = 0;    // a CLIENT PAUSE in force when FAILOVER began
    bool saved_pause_all_ = false;
    std::int64_t getack_start_ = -1;  // stream offsets around our last GETACK
    std::int64_t getack_end_ = -1;
};

}  // namespace vigil::server
