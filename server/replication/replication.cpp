// Replication, master side and shared state: replication ids and offsets, the backlog, replicas
// (PSYNC, REPLCONF, snapshots), WAIT, min-replicas, INFO and ROLE. The replica's link to its
// master is in master_link.cpp, FAILOVER in failover.cpp.
#include "server/replication/replication.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <random>

#include <spdlog/spdlog.h>

#include "common/util/memory.hpp"
#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/persistence/aof.hpp"
#include "server/persistence/rdb_writer.hpp"
#include "server/replication/replication_io.hpp"
#include "server/server.hpp"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vigil::server {
namespace {

std::string replica_name(const ClientState& c) {
    return Replication::replica_ip(c) + ":" + std::to_string(c.repl_listening_port);
}

const char* state_name(int s) {
    switch (s) {
        case Replication::wait_bgsave_start:
        case Replication::wait_bgsave_end:
            return "wait_bgsave";
        case Replication::send_bulk:
            return "send_bulk";
        case Replication::online:
        case Replication::online_wait_ack:
            return "online";
        default:
            return "unknown";
    }
}

constexpr std::string_view kPing = "*1\r\n$4\r\nPING\r\n";
constexpr std::string_view kGetAck = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";

}  // namespace

Replication::Replication(Server& server) : server_(server), replid_(random_hex_id()) {
    // Keepalive PINGs every repl-ping-replica-period from start-up, as Redis's cron counts them.
    last_ping_ms_ = server_.clock();
    // Writes of this server (as a master) enter the replication stream.
    server_.propagation_sinks.push_back(
        [this](int db, std::span<const std::string_view> args) { feed(db, args); });
    server_.persistence->on_replication_child_done = [this](bool ok) {
        rdb_child_done(ok);
    };
}

Replication::~Replication() = default;

// ---- ids, backlog, stream ----

void Replication::new_replid() {
    replid_ = random_hex_id();
}

void Replication::shift_replid() {
    replid2_ = replid_;
    second_repl_offset_ = master_repl_offset_ + 1;
    new_replid();
    spdlog::info(
        "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
        replid2_, second_repl_offset_, replid_);
}

void Replication::create_backlog() {
    backlog_ = std::make_unique<Backlog>(server_.config.repl_backlog_size, master_repl_offset_ + 1);
}

void Replication::add_to_stream(std::string_view bytes) {
    if (!backlog_) {
        return;
    }
    backlog_->append(bytes);
    master_repl_offset_ += static_cast<std::int64_t>(bytes.size());
    for (std::uint64_t id : replicas_) {
        ClientState* r = find_replica(id);
        if (r != nullptr && r->repl_state == online && r->conn != nullptr) {
            r->conn->deliver(bytes);
        }
    }
}

void Replication::feed(int db, std::span<const std::string_view> args) {
    // A replica forwards its master's bytes instead (see master_link.cpp); its own writes, when
    // replica-read-only is off, stay local as in Redis.
    if (server_.is_replica() || !backlog_) {
        return;
    }
    std::string buf;
    append_command_in_db(buf, stream_db_, db, args);
    add_to_stream(buf);
}

void Replication::note_client_write(ClientState& client) {
    client.repl_write_offset = master_repl_offset_;
}

ClientState* Replication::find_replica(std::uint64_t id) const {
    auto it = server_.clients.find(id);
    return it == server_.clients.end() ? nullptr : it->second;
}

void Replication::drop_replica(ClientState& client) {
    if (client.conn != nullptr) {
        client.conn->close_now();
    }
}

void Replication::disconnect_replicas() {
    std::vector<std::uint64_t> ids = replicas_;
    for (std::uint64_t id : ids) {
        if (ClientState* r = find_replica(id)) {
            drop_replica(*r);
        }
    }
}

void Replication::on_disconnect(ClientState& client) {
    if (client.is_replica) {
        auto it = std::find(replicas_.begin(), replicas_.end(), client.id);
        if (it != replicas_.end()) {
            replicas_.erase(it);
            spdlog::info("Connection with replica {} lost.", replica_name(client));
        }
        if (replicas_.empty()) {
            no_replicas_since_ms_ = server_.clock();
        }
        release_hold();
    }
    if (io_ && io_->master_client && &client == io_->master_client.get()) {
        master_db_ = client.db;
    }
}

// ---- PSYNC / SYNC ----

bool Replication::try_partial(ClientState& client,
                              std::string_view replid,
                              std::int64_t offset,
                              std::string& out) {
    if (!backlog_) {
        return false;
    }
    bool id_ok = replid == replid_ || (replid == replid2_ && offset <= second_repl_offset_);
    if (!id_ok) {
        if (replid != "?") {
            if (replid != replid_ && replid != replid2_) {
                spdlog::info(
                    "Partial resynchronization not accepted: Replication ID mismatch (Replica "
                    "asked for '{}', my replication IDs are '{}' and '{}')",
                    replid, replid_, replid2_);
            } else {
                spdlog::info(
                    "Partial resynchronization not accepted: Requested offset for second ID was "
                    "{}, but I can reply up to {}",
                    offset, second_repl_offset_);
            }
        } else {
            spdlog::info("Full resync requested by replica {}", replica_name(client));
        }
        return false;
    }
    if (!backlog_->covers(offset)) {
        spdlog::info(
            "Unable to partial resync with replica {} for lack of backlog (Replica request was: "
            "{}).",
            replica_name(client), offset);
        return false;
    }
    client.is_replica = true;
    client.repl_state = online;
    client.repl_ack_ms = server_.clock();
    client.repl_ack_offset = offset - 1;
    replicas_.push_back(client.id);
    out.append(client.repl_capa_psync2 ? "+CONTINUE " + replid_ + "\r\n" : "+CONTINUE\r\n");
    std::size_t before = out.size();
    backlog_->copy_from(offset, out);
    spdlog::info(
        "Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting "
        "from offset {}.",
        replica_name(client), out.size() - before, offset);
    return true;
}

void Replication::psync(CommandContext& ctx) {
    ClientState& c = ctx.client;
    if (c.is_replica || c.is_master) {
        return;  // already a replica (or our own master): ignored
    }
    const bool is_psync = iequals(ctx.args[0], "psync");
    if (is_psync && ctx.args.size() > 3 && iequals(ctx.args[3], "failover")) {
        // A retry after the reply to an accepted PSYNC FAILOVER was lost: we already took over,
        // and the old id is our replid2; serve it as a plain PSYNC.
        const bool retried = !server_.is_replica() && ctx.args[1] == replid2_;
        if (ctx.args[1] != replid_ && !retried) {
            ctx.reply.error("ERR PSYNC FAILOVER replid must match my replid.");
            return;
        }
        if (server_.is_replica()) {
            unset_master();
            spdlog::warn("MASTER MODE enabled (failover request from 'id={} addr={}')", c.id,
                         c.conn ? c.conn->peer() : "");
        }
    }
    if (server_.is_replica() && !link_up()) {
        ctx.reply.error("NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    if (c.conn != nullptr && c.conn->pending_output() > 0 && !is_psync) {
        ctx.reply.error("ERR SYNC and PSYNC are invalid with pending output");
        return;
    }
    spdlog::info("Replica {} asks for synchronization", replica_name(c));
    std::string out;
    if (is_psync) {
        std::int64_t offset = -1;
        if (ctx.args.size() >= 3) {
            offset = parse_int(ctx.args[2]).value_or(-1);
        }
        if (try_partial(c, ctx.args.size() >= 2 ? ctx.args[1] : "?", offset, out)) {
            ++sync_partial_ok;
            ctx.reply.raw(out);
            return;
        }
        if (ctx.args.size() >= 2 && ctx.args[1] != "?") {
            ++sync_partial_err;
        }
    } else {
        c.repl_old_sync = true;
    }
    ++sync_full;
    const std::int64_t now = server_.clock();
    c.is_replica = true;
    c.repl_state = wait_bgsave_start;
    c.repl_ack_ms = now;
    replicas_.push_back(c.id);
    if (first_waiting_ms_ < 0) {
        first_waiting_ms_ = now;
    }
    if (!backlog_) {
        new_replid();
        replid2_ = std::string(40, '0');
        second_repl_offset_ = -1;
        create_backlog();
        spdlog::info("Replication backlog created, my new replication IDs are '{}' and '{}'",
                     replid_, replid2_);
    }
    // A disk snapshot in progress for replicas is shared: this replica waits for its end and
    // then gets the file and what was written since it started.
    if (snapshot_running_ && !snapshot_diskless_ && !server_.config.repl_diskless_sync) {
        c.repl_state = wait_bgsave_end;
        c.repl_snapshot_offset = snapshot_offset_;
        if (!c.repl_old_sync) {
            ctx.reply.raw("+FULLRESYNC " + replid_ + " " + std::to_string(snapshot_offset_) +
                          "\r\n");
        }
        spdlog::info("Waiting for end of BGSAVE for SYNC");
        return;
    }
    maybe_start_snapshot(now, false);
}

void Replication::maybe_start_snapshot(std::int64_t now_ms, bool force) {
    if (snapshot_running_) {
        return;
    }
    std::vector<ClientState*> waiting;
    bool all_eof = true;
    for (std::uint64_t id : replicas_) {
        ClientState* r = find_replica(id);
        if (r != nullptr && r->repl_state == wait_bgsave_start) {
            waiting.push_back(r);
            all_eof = all_eof && r->repl_capa_eof && !r->repl_old_sync;
        }
    }
    if (waiting.empty()) {
        first_waiting_ms_ = -1;
        return;
    }
    const auto& cfg = server_.config;
    const bool diskless = cfg.repl_diskless_sync && all_eof && io_ != nullptr;
    if (diskless && !force) {
        const bool enough = cfg.repl_diskless_sync_max_replicas > 0 &&
                            static_cast<int>(waiting.size()) >= cfg.repl_diskless_sync_max_replicas;
        if (!enough && now_ms - first_waiting_ms_ < cfg.repl_diskless_sync_delay_s * 1000LL) {
            return;
        }
    }
    if (server_.persistence->child_running()) {
        return;  // one child at a time: the next cron tick tries again
    }
    snapshot_offset_ = master_repl_offset_;
    stream_db_ = -1;  // the stream after a snapshot starts with a SELECT
    bool started = false;
    int pipe_read = -1;
    if (diskless) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) == 0) {
            io_->pump_done = false;
            io_->child_done = false;
            io_->child_ok = false;
            started = server_.persistence->bgsave_for_replication(fds[1], fds[0]);
            ::close(fds[1]);
            if (started) {
                pipe_read = fds[0];
            } else {
                ::close(fds[0]);
            }
        }
    } else {
        started = server_.persistence->bgsave_for_replication(-1);
    }
    spdlog::info("Starting BGSAVE for SYNC with target: {}",
                 diskless ? "replicas sockets" : "disk");
    if (!started) {
        spdlog::warn("BGSAVE for replication failed");
        for (ClientState* r : waiting) {
            if (r->conn != nullptr) {
                r->conn->deliver("-ERR BGSAVE failed, replication can't continue\r\n");
                r->conn->close_after_reply();
            }
        }
        return;
    }
    snapshot_running_ = true;
    snapshot_diskless_ = diskless;
    first_waiting_ms_ = -1;
    backlog_->hold_from(snapshot_offset_ + 1, hold_limit());
    for (ClientState* r : waiting) {
        r->repl_state = wait_bgsave_end;
        r->repl_snapshot_offset = snapshot_offset_;
        if (!r->repl_old_sync && r->conn != nullptr) {
            r->conn->deliver("+FULLRESYNC " + replid_ + " " + std::to_string(snapshot_offset_) +
                             "\r\n");
        }
    }
    if (pipe_read >= 0) {
        start_pump(pipe_read, snapshot_offset_);
    }
}

void Replication::rdb_child_done(bool ok) {
    if (!snapshot_running_) {
        return;
    }
    if (snapshot_diskless_) {
        io_->child_done = true;
        io_->child_ok = ok;
        if (io_->pump_done || !ok) {
            snapshot_finished(ok && io_->pump_done);
        }
        return;
    }
    snapshot_finished(ok);
}

void Replication::snapshot_finished(bool ok) {
    snapshot_running_ = false;
    std::vector<ClientState*> targets;
    for (std::uint64_t id : replicas_) {
        ClientState* r = find_replica(id);
        if (r != nullptr && r->repl_state == wait_bgsave_end &&
            r->repl_snapshot_offset == snapshot_offset_) {
            targets.push_back(r);
        }
    }
    if (!ok) {
        spdlog::warn("SYNC failed. BGSAVE child returned an error");
        for (ClientState* r : targets) {
            drop_replica(*r);
        }
        if (backlog_) {
            backlog_->hold_from(-1, 0);
        }
        return;
    }
    if (snapshot_diskless_) {
        // Like Redis: after an $EOF: transfer the stream waits for the replica's first ACK, so
        // that the replica can find the end mark of the payload.
        for (ClientState* r : targets) {
            r->repl_state = online_wait_ack;
            r->repl_ack_ms = server_.clock();
            spdlog::info(
                "Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF "
                "ACK from replica to enable streaming",
                replica_name(*r));
        }
        return;
    }
    // Each replica reads the file through its own descriptor, a chunk at a time as its
    // connection drains (a later BGSAVE replacing the file does not change what it gets).
    const std::string path = server_.persistence->rdb_path();
    for (ClientState* r : targets) {
        if (r->conn == nullptr) {
            continue;
        }
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) != 0) {
            spdlog::warn("SYNC failed. Can't open/stat DB after BGSAVE: {}", std::strerror(errno));
            if (fd >= 0) {
                ::close(fd);
            }
            drop_replica(*r);
            continue;
        }
        r->conn->deliver("$" + std::to_string(st.st_size) + "\r\n");
        // Online once the payload left: the stream follows it, and the output limits and the
        // ACK timeout apply from then on.
        r->repl_state = send_bulk;
        r->repl_sending_file = true;
        start_file_transfer(r->id, fd, static_cast<std::int64_t>(st.st_size));
    }
    release_hold();
}

std::size_t Replication::hold_limit() const {
    // What a syncing replica may make the backlog keep: its output buffer hard limit (0 means
    // no limit, as in Redis), never less than the backlog itself.
    const auto& cfg = server_.config;
    if (cfg.obuf_replica.hard_bytes == 0) {
        return SIZE_MAX;
    }
    return std::max<std::size_t>(cfg.obuf_replica.hard_bytes, cfg.repl_backlog_size);
}

void Replication::release_hold() {
    if (!backlog_) {
        return;
    }
    std::int64_t needed = -1;
    for (std::uint64_t id : replicas_) {
        ClientState* r = find_replica(id);
        if (r != nullptr && (r->repl_state == wait_bgsave_end || r->repl_state == send_bulk ||
                             r->repl_state == online_wait_ack)) {
            std::int64_t from = r->repl_snapshot_offset + 1;
            needed = needed < 0 ? from : std::min(needed, from);
        }
    }
    backlog_->hold_from(needed, hold_limit());
}

void Replication::replica_online(ClientState& r) {
    if (!backlog_ || !backlog_->covers(r.repl_snapshot_offset + 1)) {
        spdlog::warn(
            "Replica {} can't keep up: the stream written during its sync is no longer in the "
            "backlog",
            replica_name(r));
        drop_replica(r);
        return;
    }
    r.repl_state = online;
    r.repl_ack_ms = server_.clock();
    std::string rest;
    backlog_->copy_from(r.repl_snapshot_offset + 1, rest);
    if (!rest.empty() && r.conn != nullptr) {
        r.conn->deliver(rest);
    }
    spdlog::info("Synchronization with replica {} succeeded", replica_name(r));
    release_hold();
}

// ---- REPLCONF ----

void Replication::replconf(CommandContext& ctx) {
    ClientState& c = ctx.client;
    if (ctx.args.size() % 2 == 0) {
        ctx.reply.error("ERR syntax error");
        return;
    }
    for (std::size_t i = 1; i + 1 < ctx.args.size(); i += 2) {
        std::string_view opt = ctx.args[i];
        std::string_view val = ctx.args[i + 1];
        if (iequals(opt, "listening-port")) {
            auto port = parse_int(val);
            if (!port) {
                ctx.reply.error("ERR value is not an integer or out of range");
                return;
            }
            c.repl_listening_port = static_cast<int>(*port);
        } else if (iequals(opt, "ip-address")) {
            if (val.size() >= 46 + 0 && val.size() > 255) {
                ctx.reply.error(
                    "ERR REPLCONF ip-address provided by replica instance is too long: " +
                    std::to_string(val.size()) + " bytes");
                return;
            }
            c.repl_announced_ip = std::string(val);
        } else if (iequals(opt, "capa")) {
            if (iequals(val, "eof")) {
                c.repl_capa_eof = true;
            } else if (iequals(val, "psync2")) {
                c.repl_capa_psync2 = true;
            }
        } else if (iequals(opt, "ack") || iequals(opt, "fack")) {
            // From a replica: its offset. Never answered.
            if (!c.is_replica || !iequals(opt, "ack")) {
                return;
            }
            auto off = parse_int(val);
            if (!off) {
                return;
            }
            if (*off > c.repl_ack_offset) {
                c.repl_ack_offset = *off;
            }
            c.repl_ack_ms = ctx.now_ms;
            if (c.repl_state == online_wait_ack) {
                replica_online(c);
            }
            wake_waiters();
            on_ack();
            return;
        } else if (iequals(opt, "getack")) {
            // From our master: answer with our offset now.
            if (server_.is_replica() && c.is_master) {
                send_ack();
            }
            return;
        } else if (iequals(opt, "rdb-only")) {
            auto v = parse_int(val);
            if (!v || (*v != 0 && *v != 1)) {
                ctx.reply.error("ERR value is out of range");
                return;
            }
        } else {
            ctx.reply.error("ERR Unrecognized REPLCONF option: " + std::string(opt));
            return;
        }
    }
    ctx.reply.ok();
}

// ---- WAIT, min-replicas ----

std::int64_t Replication::replicas_acked(std::int64_t offset) const {
    std::int64_t n = 0;
    for (std::uint64_t id : replicas_) {
        ClientState* r = find_replica(id);
        if (r != nullptr && r->repl_state == online && r->repl_ack_offset >= offset) {
            ++n;
        }
    }
    return n;
}

std::string Replication::replica_ip(const ClientState& c) {
    if (!c.repl_announced_ip.empty()) {
        return c.repl_announced_ip;
    }
    if (c.conn == nullptr) {
        return "?";
    }
    const std::string& peer = c.conn->peer();
    return peer.substr(0, peer.rfind(':'));
}

bool Replication::replicas_lagging() const {
    for (std::uint64_t id : replicas_) {
        ClientState* r = find_replica(id);
        if (r != nullptr && r->repl_state == online && !caught_up(*r)) {
            return true;
        }
    }
    return false;
}

void Replication::request_acks() {
    if (backlog_ && !replicas_.empty()) {
        getack_start_ = master_repl_offset_;
        add_to_stream(kGetAck);
        getack_end_ = master_repl_offset_;
    }
}

int Replication::good_replicas(std::int64_t now_ms) const {
    int n = 0;
    for (std::uint64_t id : replicas_) {
        ClientState* r = find_replica(id);
        if (r != nullptr && r->repl_state == online &&
            (now_ms - r->repl_ack_ms) / 1000 <= server_.config.min_replicas_max_lag_s) {
            ++n;
        }
    }
    return n;
}

void Replication::wake_waiters() {
    for (auto& [id, c] : server_.clients) {
        if (c->wait_blocked && c->conn != nullptr) {
            c->conn->resume();
        }
    }
}

void Replication::wait(CommandContext& ctx) {
    ClientState& c = ctx.client;
    if (server_.is_replica()) {
        c.wait_blocked = false;
        ctx.reply.error(
            "ERR WAIT cannot be used with replica instances. Please also note that since Redis "
            "4.0 if a replica is configured to be writable (which is not the default) writes to "
            "replicas are just local and are not propagated.");
        return;
    }
    auto numreplicas = parse_int(ctx.args[1]);
    if (!numreplicas) {
        ctx.reply.error("ERR value is not an integer or out of range");
        return;
    }
    auto timeout = parse_timeout_ms(ctx.args[2], ctx.reply);
    if (!timeout) {
        return;
    }
    std::int64_t acked = replicas_acked(c.repl_write_offset);
    if (!c.wait_blocked) {
        if (acked >= *numreplicas || c.in_exec || c.loading) {
            ctx.reply.integer(acked);
            return;
        }
        c.wait_blocked = true;
        c.wait_deadline_ms = *timeout > 0 ? ctx.now_ms + *timeout : INT64_MAX;
        // Ask every replica for its offset now (Redis does it before the event loop sleeps).
        request_acks();
        c.block_requested = true;
        return;
    }
    if (acked >= *numreplicas || ctx.now_ms >= c.wait_deadline_ms) {
        c.wait_blocked = false;
        ctx.reply.integer(acked);
        return;
    }
    c.block_requested = true;
}

std::string_view Replication::refuse_before_pubsub(const ClientState& client,
                                                   const CommandSpec& spec,
                                                   std::int64_t now_ms) const {
    if (client.is_master || client.loading) {
        return {};
    }
    bool write = (spec.flags & kWrite) != 0;
    if (!write && spec.name == "exec") {
        // EXEC writes when its transaction does (as Redis checks it).
        for (const auto& q : client.queued) {
            write = write || (q.spec->flags & (kWrite | kMayReplicate)) != 0;
        }
    }
    if (!write) {
        return {};
    }
    if (!server_.is_replica() && server_.config.min_replicas_to_write > 0 &&
        server_.config.min_replicas_max_lag_s > 0 &&
        good_replicas(now_ms) < server_.config.min_replicas_to_write) {
        return "NOREPLICAS Not enough good replicas to write.";
    }
    if (server_.is_replica() && server_.config.replica_read_only) {
        return "READONLY You can't write against a read only replica.";
    }
    return {};
}

std::string_view Replication::refuse_after_pubsub(const ClientState& client,
                                                  const CommandSpec& spec) const {
    if (client.is_master || client.loading || !server_.is_replica() || link_up() ||
        server_.config.replica_serve_stale_data || (spec.flags & kStale) != 0) {
        return {};
    }
    return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
}

// ---- REPLICAOF ----

void Replication::replicaof(CommandContext& ctx) {
    ClientState& c = ctx.client;
    if (c.is_master) {
        ctx.reply.ok();  // never from our master's stream: it would end the link under us
        return;
    }
    if (failover_state_ != FailoverState::none) {
        ctx.reply.error("ERR REPLICAOF not allowed while failing over.");
        return;
    }
    std::string who = "id=" + std::to_string(c.id) + " addr=" + (c.conn ? c.conn->peer() : "");
    if (iequals(ctx.args[1], "no") && iequals(ctx.args[2], "one")) {
        if (server_.is_replica()) {
            unset_master();
            spdlog::warn("MASTER MODE enabled (user request from '{}')", who);
        }
        ctx.reply.ok();
        return;
    }
    if (c.is_replica) {
        ctx.reply.error("ERR Command is not valid when client is a replica.");
        return;
    }
    auto port = parse_int(ctx.args[2]);
    if (!port || *port < 0 || *port > 65535) {
        ctx.reply.error("ERR Invalid master port");
        return;
    }
    std::string host(ctx.args[1]);
    if (server_.is_replica() && server_.master_host == host && server_.master_port == *port) {
        spdlog::info(
            "REPLICAOF would result into synchronization with the master we are already "
            "connected with. No operation performed.");
        ctx.reply.simple("OK Already connected to specified master");
        return;
    }
    set_master(host, static_cast<int>(*port));
    spdlog::info("REPLICAOF {}:{} enabled (user request from '{}')", host, *port, who);
    ctx.reply.ok();
}

void Replication::role(CommandContext& ctx) {
    auto& r = ctx.reply;
    if (!server_.is_replica()) {
        std::vector<ClientState*> online_replicas;
        for (std::uint64_t id : replicas_) {
            ClientState* c = find_replica(id);
            if (c != nullptr && (c->repl_state == online || c->repl_state == online_wait_ack)) {
                online_replicas.push_back(c);
            }
        }
        r.array_header(3);
        r.bulk("master");
        r.integer(master_repl_offset_);
        r.array_header(online_replicas.size());
        for (ClientState* c : online_replicas) {
            r.array_header(3);
            r.bulk(replica_ip(*c));
            r.bulk(std::to_string(c->repl_listening_port));
            r.bulk(std::to_string(c->repl_ack_offset));
        }
        return;
    }
    r.array_header(5);
    r.bulk("slave");
    r.bulk(server_.master_host);
    r.integer(server_.master_port);
    switch (link_state_) {
        case LinkState::none:
            r.bulk("none");
            break;
        case LinkState::connect:
            r.bulk("connect");
            break;
        case LinkState::connecting:
            r.bulk("connecting");
            break;
        case LinkState::handshake:
            r.bulk("handshake");
            break;
        case LinkState::transfer:
            r.bulk("sync");
            break;
        case LinkState::connected:
            r.bulk("connected");
            break;
    }
    r.integer(link_up() ? master_repl_offset_ : -1);
}

// ---- cron ----

void Replication::cron(std::int64_t now_ms) {
    if (server_.is_replica()) {
        replica_cron(now_ms);
    }
    if (!replicas_.empty()) {
        // Keepalive PING through the stream, and newlines to replicas waiting for a snapshot.
        const std::int64_t period = server_.config.repl_ping_replica_period_s * 1000LL;
        if (!server_.is_replica() && backlog_ && now_ms - last_ping_ms_ >= period &&
            failover_state_ == FailoverState::none) {
            last_ping_ms_ = now_ms;
            bool any_online = false;
            for (std::uint64_t id : replicas_) {
                ClientState* r = find_replica(id);
                any_online = any_online || (r != nullptr && r->repl_state == online);
            }
            if (any_online) {
                add_to_stream(kPing);
            }
        }
        if (now_ms - last_newline_ms_ >= 1000) {
            last_newline_ms_ = now_ms;
            for (std::uint64_t id : replicas_) {
                ClientState* r = find_replica(id);
                if (r != nullptr && r->conn != nullptr &&
                    (r->repl_state == wait_bgsave_start ||
                     (r->repl_state == wait_bgsave_end && !snapshot_diskless_))) {
                    r->conn->deliver("\n");
                }
            }
        }
        // Disk-based transfers that finished leaving.
        std::vector<ClientState*> sent;
        for (std::uint64_t id : replicas_) {
            ClientState* r = find_replica(id);
            if (r != nullptr && r->repl_state == send_bulk && !r->repl_sending_file &&
                r->conn != nullptr && r->conn->pending_output() == 0) {
                sent.push_back(r);
            }
        }
        for (ClientState* r : sent) {
            replica_online(*r);
        }
        // Replicas that stopped acknowledging.
        const std::int64_t timeout = server_.config.repl_timeout_s * 1000LL;
        std::vector<ClientState*> timed_out;
        for (std::uint64_t id : replicas_) {
            ClientState* r = find_replica(id);
            if (r != nullptr && (r->repl_state == online || r->repl_state == online_wait_ack) &&
                now_ms - r->repl_ack_ms > timeout) {
                timed_out.push_back(r);
            }
        }
        for (ClientState* r : timed_out) {
            spdlog::warn("Disconnecting timedout replica (streaming sync): {}", replica_name(*r));
            drop_replica(*r);
        }
    } else if (!server_.is_replica() && backlog_ && !snapshot_running_ &&
               server_.config.repl_backlog_ttl_s > 0 && no_replicas_since_ms_ > 0 &&
               now_ms - no_replicas_since_ms_ > server_.config.repl_backlog_ttl_s * 1000) {
        // A master without replicas for repl-backlog-ttl frees its backlog (and forgets the
        // history: a new replication id).
        new_replid();
        replid2_ = std::string(40, '0');
        second_repl_offset_ = -1;
        backlog_.reset();
        spdlog::info("Replication backlog freed after {} seconds without connected replicas.",
                     server_.config.repl_backlog_ttl_s);
    }
    if (backlog_ && backlog_->size() != server_.config.repl_backlog_size) {
        backlog_->resize(server_.config.repl_backlog_size);
    }
    maybe_start_snapshot(now_ms, false);
    failover_cron(now_ms);
}

// ---- RDB aux fields ----

void Replication::fill_save_info(RdbSaveOptions& opts) const {
    if (server_.is_replica()) {
        if (!have_cached_master_ && !link_up()) {
            return;
        }
        opts.repl_id = replid_;
        opts.repl_offset = master_repl_offset_;
        opts.repl_stream_db = current_master_db();
        return;
    }
    if (backlog_) {
        opts.repl_id = replid_;
        opts.repl_offset = master_repl_offset_;
        opts.repl_stream_db = stream_db_ < 0 ? 0 : stream_db_;
    }
}

void Replication::restore_from_rdb(const std::vector<std::pair<std::string, std::string>>& aux) {
    std::string id;
    std::int64_t offset = -1;
    int db = -1;
    for (const auto& [k, v] : aux) {
        if (k == "repl-id") {
            id = v;
        } else if (k == "repl-offset") {
            offset = parse_int(v).value_or(-1);
        } else if (k == "repl-stream-db") {
            db = static_cast<int>(parse_int(v).value_or(-1));
        }
    }
    if (id.size() != 40 || offset < 0 || db < 0) {
        return;
    }
    if (server_.is_replica()) {
        // Offer the saved position to the master: a partial resync if it still has it.
        replid_ = id;
        master_repl_offset_ = offset;
        master_db_ = db;
        have_cached_master_ = true;
        spdlog::info("Restored replication ID {} and offset {} from the RDB file", id, offset);
    } else {
        // A restarted master continues its former replicas from the saved position.
        replid2_ = id;
        second_repl_offset_ = offset + 1;
        master_repl_offset_ = offset;
        create_backlog();
        no_replicas_since_ms_ = server_.clock();
    }
}

// ---- INFO ----

std::vector<std::pair<std::string, std::string>> Replication::info_fields(
    std::int64_t now_ms) const {
    std::vector<std::pair<std::string, std::string>> f;
    auto add = [&](std::string k, auto v) {
        if constexpr (std::is_convertible_v<decltype(v), std::string>) {
            f.emplace_back(std::move(k), std::string(v));
        } else {
            f.emplace_back(std::move(k), std::to_string(v));
        }
    };
    const auto& cfg = server_.config;
    if (server_.is_replica()) {
        add("role", "slave");
        add("master_host", server_.master_host);
        add("master_port", server_.master_port);
        add("master_link_status", link_up() ? "up" : "down");
        add("master_last_io_seconds_ago", link_up() && last_master_io_ms_ >= 0
                                              ? (now_ms - last_master_io_ms_) / 1000
                                              : std::int64_t{-1});
        const bool syncing = link_state_ == LinkState::transfer;
        add("master_sync_in_progress", syncing ? 1 : 0);
        std::int64_t off = link_up() || have_cached_master_ ? master_repl_offset_ : 1;
        add("slave_read_repl_offset", link_up() ? read_offset_ : off);
        add("slave_repl_offset", off);
        if (syncing) {
            std::int64_t total = sync_total_bytes_;
            add("master_sync_total_bytes", total);
            add("master_sync_read_bytes", sync_read_bytes_);
            add("master_sync_left_bytes", total >= 0 ? total - sync_read_bytes_ : -1);
            char perc[32];
            std::snprintf(perc, sizeof(perc), "%.2f",
                          total > 0 ? 100.0 * static_cast<double>(sync_read_bytes_) /
                                          static_cast<double>(total)
                                    : 0.0);
            add("master_sync_perc", std::string(perc));
            add("master_sync_last_io_seconds_ago", (now_ms - sync_last_io_ms_) / 1000);
        }
        if (!link_up()) {
            add("master_link_down_since_seconds", link_down_since_ms_ >= 0
                                                      ? (now_ms - link_down_since_ms_) / 1000
                                                      : std::int64_t{-1});
        }
        add("slave_priority", cfg.replica_priority);
        add("slave_read_only", cfg.replica_read_only ? 1 : 0);
        add("replica_announced", cfg.replica_announced ? 1 : 0);
    } else {
        add("role", "master");
    }
    add("connected_slaves", replicas_.size());
    if (cfg.min_replicas_to_write > 0 && cfg.min_replicas_max_lag_s > 0) {
        add("min_slaves_good_slaves", good_replicas(now_ms));
    }
    int n = 0;
    for (std::uint64_t id : replicas_) {
        ClientState* r = find_replica(id);
        if (r == nullptr) {
            continue;
        }
        std::string v = "ip=" + replica_ip(*r) + ",port=" + std::to_string(r->repl_listening_port) +
                        ",state=" + state_name(r->repl_state) +
                        ",offset=" + std::to_string(r->repl_ack_offset) +
                        ",lag=" + std::to_string((now_ms - r->repl_ack_ms) / 1000);
        add("slave" + std::to_string(n++), v);
    }
    const char* fs = failover_state_ == FailoverState::none               ? "no-failover"
                     : failover_state_ == FailoverState::waiting_for_sync ? "waiting-for-sync"
                                                                          : "failover-in-progress";
    add("master_failover_state", std::string(fs));
    add("master_replid", replid_);
    add("master_replid2", replid2_);
    add("master_repl_offset", master_repl_offset_);
    add("second_repl_offset", second_repl_offset_);
    add("repl_backlog_active", backlog_ ? 1 : 0);
    add("repl_backlog_size", cfg.repl_backlog_size);
    add("repl_backlog_first_byte_offset", backlog_ ? backlog_->first_offset() : 0);
    add("repl_backlog_histlen", backlog_ ? backlog_->histlen() : 0);
    return f;
}

}  // namespace vigil::server
