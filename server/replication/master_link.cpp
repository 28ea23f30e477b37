// Replication, replica side: the link to the master (connect, handshake, PSYNC, snapshot
// transfer and load, then the command stream), REPLICAOF's role changes, and the pump that moves
// a diskless snapshot from the child's pipe to the replicas.
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

#include "common/log/log.hpp"
#include "common/net/log_unhandled.hpp"
#include "common/net/resolve.hpp"
#include "common/resp/command_encoder.hpp"
#include "common/resp/request_parser.hpp"
#include "server/commands/args.hpp"
#include "server/persistence/rdb_format.hpp"
#include "server/replication/replication_io.hpp"
#include "server/server.hpp"
#include <fcntl.h>
#include <unistd.h>

namespace vigil::server {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

// ---- MasterLink ----

MasterLink::MasterLink(asio::io_context& io, std::string h, int p)
    : socket(io), timer(io), resolver(io.get_executor()), host(std::move(h)), port(p) {
    peer_ = host + ":" + std::to_string(port);
}

void MasterLink::set_endpoints() {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (!ec) {
        peer_ = remote.address().to_string() + ":" + std::to_string(remote.port());
    }
    auto loc = socket.local_endpoint(ec);
    if (!ec) {
        local_ = loc.address().to_string() + ":" + std::to_string(loc.port());
    }
    fd_ = static_cast<int>(socket.native_handle());
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    socket.non_blocking(true, ec);
}

void MasterLink::close_now() {
    if (closed) {
        return;
    }
    closed = true;
    boost::system::error_code ec;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket.close(ec);
    timer.cancel();
    resolver.cancel();
}

void MasterLink::send(std::string_view bytes) {
    if (closed || !connected) {
        return;
    }
    out_.append(bytes);
    boost::system::error_code ec;
    std::size_t n = socket.write_some(asio::buffer(out_), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
        close_now();
        return;
    }
    out_.erase(0, n);
}

asio::awaitable<bool> MasterLink::write_all(const std::string& bytes) {
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(bytes), Token{});
    co_return !ec && !closed;
}

asio::awaitable<bool> MasterLink::read_more(std::string& error) {
    for (;;) {
        if (closed) {
            error = "connection closed";
            co_return false;
        }
        std::size_t old = buf_.size();
        buf_.resize(old + kReadChunk);
        boost::system::error_code ec;
        std::size_t n = socket.read_some(asio::buffer(buf_.data() + old, kReadChunk), ec);
        buf_.resize(old + n);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            auto [wec] = co_await socket.async_wait(asio::socket_base::wait_read);
            if (wec) {
                error = wec.message();
                co_return false;
            }
            continue;
        }
        if (ec || n == 0) {
            error = ec ? ec.message() : "connection closed by the master";
            co_return false;
        }
        last_read_ms = unix_time_ms();  // progress, keepalive newlines included
        co_return true;
    }
}

asio::awaitable<bool> MasterLink::read_line(std::string& line, std::string& error) {
    for (;;) {
        std::size_t pos = buf_.find('\n');
        if (pos != std::string::npos) {
            line.assign(buf_, 0, pos);
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            buf_.erase(0, pos + 1);
            co_return true;
        }
        if (buf_.size() > 64 * 1024) {
            error = "reply line too long";
            co_return false;
        }
        if (!co_await read_more(error)) {
            co_return false;
        }
    }
}

// ---- the link coroutine ----

namespace {

// Sends one command and reads its one-line reply (skipping keepalive newlines).
asio::awaitable<bool> exchange(MasterLink* lp,
                               const std::string& bytes,
                               std::string& line,
                               std::string& error) {
    MasterLink& link = *lp;
    if (!co_await link.write_all(bytes)) {
        error = "write error";
        co_return false;
    }
    do {
        if (!co_await link.read_line(line, error)) {
            co_return false;
        }
    } while (line.empty());
    co_return true;
}

}  // namespace

struct ReplicationLinkTask {
    // (Plain functions, no lambdas: GCC 12 miscompiles reference-capturing lambdas used inside
    // these coroutines at -O2.)
    static bool alive(const Replication& r, std::uint64_t gen) {
        return gen == r.link_generation_ && r.io_ != nullptr;
    }
    static bool progressed(Replication& r, std::uint64_t gen) {
        r.sync_last_io_ms_ = r.server_.clock();
        return alive(r, gen);
    }
    static int backlogged_replicas(Replication& r, std::int64_t snapshot) {
        int n = 0;
        for (std::uint64_t id : r.replicas_) {
            ClientState* c = r.find_replica(id);
            if (c != nullptr && c->conn != nullptr &&
                c->repl_state == Replication::wait_bgsave_end &&
                c->repl_snapshot_offset == snapshot &&
                c->conn->pending_output() > 16 * kReadChunk) {
                ++n;
            }
        }
        return n;
    }
    static void deliver_snapshot(Replication& r, std::int64_t snapshot, std::string_view bytes) {
        for (std::uint64_t id : r.replicas_) {
            ClientState* c = r.find_replica(id);
            if (c != nullptr && c->conn != nullptr &&
                c->repl_state == Replication::wait_bgsave_end &&
                c->repl_snapshot_offset == snapshot) {
                c->conn->deliver(bytes);
            }
        }
    }
    static asio::awaitable<void> loop(Replication& r, std::uint64_t gen);
    static asio::awaitable<void> session(Replication& r, std::uint64_t gen);
    static asio::awaitable<bool> full_sync(Replication& r,
                                           std::uint64_t gen,
                                           MasterLink* lp,
                                           const std::string& replid,
                                           std::int64_t offset);
    static asio::awaitable<void> stream(Replication& r, std::uint64_t gen, MasterLink* lp);
    static asio::awaitable<void> send_file(Replication& r,
                                           std::uint64_t id,
                                           int fd,
                                           std::int64_t size);
    static asio::awaitable<void> pump(Replication& r,
                                      std::uint64_t seq,
                                      int fd,
                                      std::int64_t snapshot);
};

void Replication::start_io(asio::io_context& io) {
    io_ = std::make_unique<Io>(io);
    if (server_.is_replica()) {
        start_link();
    }
}

void Replication::stop_io() {
    close_link();
    io_.reset();
}

void Replication::start_link() {
    if (!io_) {
        return;
    }
    std::uint64_t gen = ++link_generation_;
    link_state_ = LinkState::connect;
    // Started from a fresh handler, never inside the command that asked for it: co_spawn would
    // run the new coroutine at once, nested in the running client coroutine.
    asio::post(io_->io, [this, gen] {
        if (gen == link_generation_ && io_) {
            asio::co_spawn(io_->io, ReplicationLinkTask::loop(*this, gen),
                           common::log_unhandled("replication link"));
        }
    });
}

void Replication::close_link() {
    ++link_generation_;
    if (!io_) {
        return;
    }
    if (io_->link) {
        io_->link->close_now();
        io_->link.reset();
    }
    if (io_->master_client) {
        master_db_ = io_->master_client->db;
        server_.on_disconnect(*io_->master_client);
        io_->master_client.reset();
    }
}

int Replication::current_master_db() const {
    if (io_ && io_->master_client) {
        return io_->master_client->db;
    }
    return master_db_;
}

void Replication::send_ack() {
    if (!io_ || !io_->link || !link_up()) {
        return;
    }
    std::string off = std::to_string(master_repl_offset_);
    io_->link->send(common::encode_command({"REPLCONF", "ACK", off}));
}

void Replication::set_master(const std::string& host, int port) {
    const bool was_master = !server_.is_replica();
    close_link();
    server_.master_host = host;
    server_.master_port = port;
    server_.config.replicaof_host = host;
    server_.config.replicaof_port = port;
    server_.keyspace.expire_deletes = false;
    common::log::set_role('S');
    if (was_master) {
        // Offer our own history to the new master: if it was our replica, or a sibling that
        // shared our replication id, it continues us with a partial resync.
        have_cached_master_ = true;
        master_db_ = 0;
    }
    link_state_ = LinkState::connect;
    link_down_since_ms_ = -1;
    spdlog::info("Connecting to MASTER {}:{}", host, port);
    start_link();
}

void Replication::unset_master() {
    close_link();
    server_.master_host.clear();
    server_.master_port = 0;
    server_.config.replicaof_host.clear();
    server_.config.replicaof_port = 0;
    server_.keyspace.expire_deletes = true;
    common::log::set_role('M');
    // The history so far stays valid for partial resyncs under the old id (replid2).
    shift_replid();
    // Replicas learn the new id when they reconnect (and continue partially).
    disconnect_replicas();
    link_state_ = LinkState::none;
    stream_db_ = -1;
    have_cached_master_ = false;
    link_down_since_ms_ = -1;
}

void Replication::start_as_configured() {
    if (server_.config.replicaof_host.empty()) {
        return;
    }
    server_.master_host = server_.config.replicaof_host;
    server_.master_port = server_.config.replicaof_port;
    server_.keyspace.expire_deletes = false;
    link_state_ = LinkState::connect;
    common::log::set_role('S');
}

void Replication::replica_cron(std::int64_t now_ms) {
    if (!io_ || !io_->link) {
        return;
    }
    const std::int64_t timeout = server_.config.repl_timeout_s * 1000LL;
    sync_last_io_ms_ = std::max(sync_last_io_ms_, io_->link->last_read_ms);
    switch (link_state_) {
        case LinkState::connecting:
        case LinkState::handshake:
            if (now_ms - sync_last_io_ms_ > timeout) {
                spdlog::warn("Timeout connecting to the MASTER...");
                io_->link->close_now();
            }
            break;
        case LinkState::transfer:
            if (now_ms - sync_last_io_ms_ > timeout) {
                spdlog::warn(
                    "Timeout receiving bulk data from MASTER... If the problem persists try to "
                    "set the 'repl-timeout' parameter in redis.conf to a larger value.");
                io_->link->close_now();
            }
            break;
        case LinkState::connected:
            if (now_ms - last_master_io_ms_ > timeout) {
                spdlog::warn("MASTER timeout: no data nor PING received...");
                io_->link->close_now();
                break;
            }
            if (now_ms - last_ack_sent_ms_ >= 1000) {
                last_ack_sent_ms_ = now_ms;
                send_ack();
            }
            break;
        default:
            break;
    }
}

asio::awaitable<void> ReplicationLinkTask::loop(Replication& r, std::uint64_t gen) {
    SteadyTimer retry(co_await asio::this_coro::executor);
    while (gen == r.link_generation_ && r.io_) {
        // (No co_await inside try: GCC 12 frees the awaited frame early there.)
        co_await session(r, gen);
        if (gen != r.link_generation_ || !r.io_) {
            co_return;
        }
        // The link is gone: forget the connection, keep the position for a partial resync.
        const bool was_connected = r.link_state_ == Replication::LinkState::connected;
        if (r.io_->master_client) {
            r.master_db_ = r.io_->master_client->db;
            r.server_.on_disconnect(*r.io_->master_client);
            r.io_->master_client.reset();
        }
        if (r.io_->link) {
            r.io_->link->close_now();
            r.io_->link.reset();
        }
        if (was_connected) {
            spdlog::warn("Connection with master lost.");
            spdlog::info("* Caching the disconnected master state.");
            r.link_down_since_ms_ = r.server_.clock();
        } else if (r.link_down_since_ms_ < 0) {
            r.link_down_since_ms_ = r.server_.clock();
        }
        r.link_state_ = Replication::LinkState::connect;
        retry.expires_after(std::chrono::seconds(1));
        co_await retry.async_wait();
    }
}

asio::awaitable<void> ReplicationLinkTask::session(Replication& r, std::uint64_t gen) {
    Server& server = r.server_;
    auto link = std::make_shared<MasterLink>(r.io_->io, server.master_host, server.master_port);
    r.io_->link = link;
    // (Arguments to the coroutines below are plain pointers: GCC 12 shifts the parameters of a
    // coroutine called with `*shared_ptr` as a reference argument.)
    MasterLink* lp = link.get();
    r.link_state_ = Replication::LinkState::connecting;
    r.sync_last_io_ms_ = server.clock();
    spdlog::info("MASTER <-> REPLICA sync started");

    // The lookup runs on a thread of its own (common/net/resolve.hpp): a name whose DNS does not
    // answer leaves the server serving, and closing the link (REPLICAOF elsewhere) ends the wait
    // at once.
    const std::string service = std::to_string(link->port);
    std::tuple<boost::system::error_code, common::ResolveResults> lookup =
        co_await link->resolver.async_resolve(link->host, service, Token{});
    if (!alive(r, gen) || link->closed) {
        co_return;
    }
    const boost::system::error_code rec = std::get<0>(lookup);
    const common::ResolveResults& resolved = std::get<1>(lookup);
    if (rec) {
        spdlog::warn("Unable to connect to MASTER: {}", rec.message());
        co_return;
    }
    std::vector<asio::ip::tcp::endpoint> endpoints;
    for (const auto& entry : resolved) {
        endpoints.push_back(entry.endpoint());
    }
    boost::system::error_code cec = asio::error::host_not_found;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        boost::system::error_code ignored;
        link->socket.close(ignored);
        std::tuple<boost::system::error_code> connected =
            co_await link->socket.async_connect(endpoints[i]);
        cec = std::get<0>(connected);
        if (!alive(r, gen) || link->closed) {
            co_return;
        }
        if (!cec) {
            break;
        }
    }
    if (cec) {
        spdlog::warn("Error condition on socket for SYNC: {}", cec.message());
        co_return;
    }
    link->set_endpoints();
    spdlog::info("Non blocking connect for SYNC fired the event.");
    r.link_state_ = Replication::LinkState::handshake;
    r.sync_last_io_ms_ = server.clock();

    std::string error;
    std::string line;
    bool ok = false;
    std::string cmd = common::encode_command({"PING"});
    ok = co_await exchange(lp, cmd, line, error);
    if (!ok || !progressed(r, gen)) {
        co_return;
    }
    if (line[0] == '-' && !starts_with(line, "-NOAUTH") && !starts_with(line, "-NOPERM") &&
        !starts_with(line, "-ERR operation not permitted")) {
        spdlog::warn("Error reply to PING from master: '{}'", line.substr(1));
        co_return;
    }
    spdlog::info("Master replied to PING, replication can continue...");
    const auto& cfg = server.config;
    if (!cfg.masterauth.empty()) {
        cmd = cfg.masteruser.empty()
                  ? common::encode_command({"AUTH", cfg.masterauth})
                  : common::encode_command({"AUTH", cfg.masteruser, cfg.masterauth});
        ok = co_await exchange(lp, cmd, line, error);
        if (!ok || !progressed(r, gen)) {
            co_return;
        }
        if (line[0] == '-') {
            spdlog::warn("Unable to AUTH to MASTER: {}", line.substr(1));
            co_return;
        }
    }
    std::string port =
        std::to_string(cfg.replica_announce_port ? cfg.replica_announce_port : cfg.port);
    cmd = common::encode_command({"REPLCONF", "listening-port", port});
    ok = co_await exchange(lp, cmd, line, error);
    if (!ok || !progressed(r, gen)) {
        co_return;
    }
    if (line[0] == '-') {
        spdlog::info("(Non critical) Master does not understand REPLCONF listening-port: {}",
                     line.substr(1));
    }
    if (!cfg.replica_announce_ip.empty()) {
        cmd = common::encode_command({"REPLCONF", "ip-address", cfg.replica_announce_ip});
        ok = co_await exchange(lp, cmd, line, error);
        if (!ok || !progressed(r, gen)) {
            co_return;
        }
        if (line[0] == '-') {
            spdlog::info("(Non critical) Master does not understand REPLCONF ip-address: {}",
                         line.substr(1));
        }
    }
    cmd = common::encode_command({"REPLCONF", "capa", "eof", "capa", "psync2"});
    ok = co_await exchange(lp, cmd, line, error);
    if (!ok || !progressed(r, gen)) {
        co_return;
    }
    if (line[0] == '-') {
        spdlog::info("(Non critical) Master does not understand REPLCONF capa: {}", line.substr(1));
    }

    // PSYNC: our position when we have one, else "? -1".
    std::string psync_id = "?";
    std::string psync_offset = "-1";
    if (r.have_cached_master_) {
        psync_id = r.replid_;
        psync_offset = std::to_string(r.master_repl_offset_ + 1);
        spdlog::info("Trying a partial resynchronization (request {}:{}).", psync_id, psync_offset);
    } else {
        spdlog::info("Partial resynchronization not possible (no cached master)");
    }
    std::string psync = r.failover_psync_
                            ? common::encode_command({"PSYNC", psync_id, psync_offset, "FAILOVER"})
                            : common::encode_command({"PSYNC", psync_id, psync_offset});
    ok = co_await exchange(lp, psync, line, error);
    if (!ok || !progressed(r, gen)) {
        co_return;
    }
    if (starts_with(line, "+FULLRESYNC")) {
        // "+FULLRESYNC <replid> <offset>"
        std::string id;
        std::int64_t off = -1;
        if (line.size() > 12 + 40 && line[12 + 40] == ' ') {
            id = line.substr(12, 40);
            off = parse_int(std::string_view(line).substr(12 + 41)).value_or(-1);
        }
        if (id.size() != 40 || off < 0) {
            spdlog::warn("Master replied with wrong +FULLRESYNC syntax.");
            co_return;
        }
        spdlog::info("Full resync from master: {}:{}", id, off);
        r.failover_psync_done(true);
        if (!co_await full_sync(r, gen, lp, id, off)) {
            co_return;
        }
    } else if (starts_with(line, "+CONTINUE")) {
        std::string new_id = line.size() > 10 ? line.substr(10) : "";
        spdlog::info("Successful partial resynchronization with master.");
        if (new_id.size() == 40 && new_id != r.replid_) {
            r.replid2_ = r.replid_;
            r.second_repl_offset_ = r.master_repl_offset_ + 1;
            r.replid_ = new_id;
            spdlog::info("Master replication ID changed to {}", new_id);
            r.disconnect_replicas();
        }
        if (!r.backlog_) {
            r.create_backlog();
        }
        r.failover_psync_done(true);
        spdlog::info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
    } else if (starts_with(line, "-NOMASTERLINK") || starts_with(line, "-LOADING")) {
        spdlog::info("Master is currently unable to PSYNC but should be in the future: {}",
                     line.substr(1));
        r.failover_psync_done(false);
        co_return;
    } else {
        spdlog::warn("Unexpected reply to PSYNC from master: {}", line);
        r.failover_psync_done(false);
        co_return;
    }
    co_await stream(r, gen, lp);
}

asio::awaitable<bool> ReplicationLinkTask::full_sync(Replication& r,
                                                     std::uint64_t gen,
                                                     MasterLink* lp,
                                                     const std::string& replid,
                                                     std::int64_t offset) {
    MasterLink& link = *lp;
    Server& server = r.server_;
    r.link_state_ = Replication::LinkState::transfer;
    r.sync_total_bytes_ = -1;
    r.sync_read_bytes_ = 0;
    r.sync_last_io_ms_ = server.clock();
    // Our own replicas must resync from the new dataset.
    r.disconnect_replicas();

    std::string error;
    std::string header;
    do {  // the master sends newlines while it prepares the snapshot
        if (!co_await link.read_line(header, error)) {
            spdlog::warn("I/O error reading bulk count from MASTER: {}", error);
            co_return false;
        }
        r.sync_last_io_ms_ = server.clock();
    } while (header.empty());
    if (header[0] == '-') {
        spdlog::warn("MASTER aborted replication with an error: {}", header.substr(1));
        co_return false;
    }
    if (header[0] != '$') {
        spdlog::warn(
            "Bad protocol from MASTER, the first byte is not '$' (we received '{}'), are you sure "
            "the host and port are right?",
            header.substr(0, 64));
        co_return false;
    }
    std::string mark;
    std::int64_t length = -1;
    if (starts_with(header, "$EOF:") && header.size() == 5 + 40) {
        mark = header.substr(5);
        spdlog::info(
            "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
    } else {
        auto n = parse_int(std::string_view(header).substr(1));
        if (!n || *n < 0) {
            spdlog::warn("Bad protocol from MASTER: invalid bulk length '{}'",
                         header.substr(0, 64));
            co_return false;
        }
        length = *n;
        r.sync_total_bytes_ = length;
        spdlog::info("MASTER <-> REPLICA sync: receiving {} bytes from master to disk", length);
    }

    const std::string dir = server.config.dir;
    std::string tmp_path = (dir.empty() || dir == ".")
                               ? "temp-" + std::to_string(server.clock() / 1000) + "." +
                                     std::to_string(::getpid()) + ".rdb"
                               : dir + "/temp-" + std::to_string(server.clock() / 1000) + "." +
                                     std::to_string(::getpid()) + ".rdb";
    int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        spdlog::warn("Opening the temp file needed for MASTER <-> REPLICA synchronization: {}",
                     std::strerror(errno));
        co_return false;
    }
    struct Cleanup {
        int& fd;
        std::string path;
        bool keep = false;
        ~Cleanup() {
            if (fd >= 0) {
                ::close(fd);
            }
            if (!keep) {
                ::unlink(path.c_str());
            }
        }
    } cleanup{fd, tmp_path};
    FdRdbOutput out(fd);
    std::int64_t received = 0;
    bool done = false;
    while (!done) {
        if (link.buf_.empty()) {
            if (!co_await link.read_more(error)) {
                spdlog::warn("I/O error trying to sync with MASTER: {}", error);
                co_return false;
            }
            if (!alive(r, gen) || link.closed) {
                co_return false;
            }
            r.sync_last_io_ms_ = server.clock();
        }
        std::string& buf = link.buf_;
        if (length >= 0) {
            std::size_t take =
                static_cast<std::size_t>(std::min<std::int64_t>(length - received, buf.size()));
            if (!out.write(std::string_view(buf).substr(0, take))) {
                spdlog::warn(
                    "Write error or short write writing to the DB dump file needed for "
                    "MASTER <-> REPLICA synchronization: {}",
                    std::strerror(errno));
                co_return false;
            }
            buf.erase(0, take);
            received += static_cast<std::int64_t>(take);
            done = received == length;
        } else {
            // $EOF: the payload ends with the 40-byte mark; keep the last 40 bytes back until
            // more arrive. The master sends nothing after it before our first ACK.
            if (buf.size() >= 40 && buf.compare(buf.size() - 40, 40, mark) == 0) {
                if (!out.write(std::string_view(buf).substr(0, buf.size() - 40))) {
                    co_return false;
                }
                received += static_cast<std::int64_t>(buf.size() - 40);
                buf.clear();
                done = true;
            } else if (buf.size() > 40) {
                std::size_t take = buf.size() - 40;
                if (!out.write(std::string_view(buf).substr(0, take))) {
                    co_return false;
                }
                buf.erase(0, take);
                received += static_cast<std::int64_t>(take);
                if (!co_await link.read_more(error)) {
                    spdlog::warn("I/O error trying to sync with MASTER: {}", error);
                    co_return false;
                }
                r.sync_last_io_ms_ = server.clock();
            } else if (!co_await link.read_more(error)) {
                spdlog::warn("I/O error trying to sync with MASTER: {}", error);
                co_return false;
            }
        }
        r.sync_read_bytes_ = received;
        if (!alive(r, gen) || link.closed) {
            co_return false;
        }
    }
    if (::fsync(fd) != 0) {
        spdlog::warn(
            "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA "
            "synchronization: {}",
            std::strerror(errno));
        co_return false;
    }
    ::close(fd);
    fd = -1;

    // A save still running would later put an old snapshot over the one we are loading.
    if (server.persistence->child_running()) {
        server.persistence->abort_child();
    }
    spdlog::info("MASTER <-> REPLICA sync: Flushing old data");
    spdlog::info("MASTER <-> REPLICA sync: Loading DB in memory");
    std::vector<std::pair<std::string, std::string>> aux;
    if (!server.persistence->load_replica_rdb(tmp_path, aux, error)) {
        spdlog::warn(
            "Failed trying to load the MASTER synchronization DB from disk, check server logs. "
            "({})",
            error);
        co_return false;
    }
    // Only a snapshot that loaded completely replaces the RDB file.
    if (::rename(tmp_path.c_str(), server.persistence->rdb_path().c_str()) == 0) {
        cleanup.keep = true;
    }
    int db = 0;
    for (const auto& [k, v] : aux) {
        if (k == "repl-stream-db") {
            db = static_cast<int>(parse_int(v).value_or(0));
        }
    }
    r.master_db_ = db >= 0 && db < server.keyspace.db_count() ? db : 0;
    r.replid_ = replid;
    r.master_repl_offset_ = offset;
    r.replid2_ = std::string(40, '0');
    r.second_repl_offset_ = -1;
    r.create_backlog();
    r.have_cached_master_ = true;
    server.stats.dirty = 0;
    if (server.persistence->aof_on()) {
        // The AOF starts over from the new dataset.
        server.persistence->stop_aof();
        if (!server.persistence->start_aof(error)) {
            spdlog::warn("Failed to restart the AOF after a full resync: {}", error);
        }
    }
    spdlog::info("MASTER <-> REPLICA sync: Finished with success");
    co_return alive(r, gen) && !link.closed;
}

asio::awaitable<void> ReplicationLinkTask::stream(Replication& r,
                                                  std::uint64_t gen,
                                                  MasterLink* lp) {
    MasterLink& link = *lp;
    Server& server = r.server_;
    // The master client: runs the stream like any client, flagged so that no rule refuses it.
    auto mc = std::make_unique<ClientState>();
    mc->server = &server;
    mc->id = server.next_client_id++;
    mc->conn = &link;
    mc->created_ms = server.clock();
    mc->last_interaction_ms = mc->created_ms;
    mc->authenticated = true;
    mc->is_master = true;
    mc->db = r.master_db_;
    ClientState* master = mc.get();
    server.clients.emplace(mc->id, master);
    r.io_->master_client = std::move(mc);
    r.link_state_ = Replication::LinkState::connected;
    r.link_down_since_ms_ = -1;
    r.last_master_io_ms_ = server.clock();
    r.read_offset_ = r.master_repl_offset_;
    link.connected = true;
    // The first ACK tells a master that sent an $EOF: snapshot that it may start the stream.
    r.send_ack();
    r.last_ack_sent_ms_ = server.clock();

    common::ParserLimits limits;
    limits.max_bulk_len = std::max<std::uint64_t>(server.config.proto_max_bulk_len, 1ULL << 40);
    common::RequestParser parser(limits);
    std::string scratch;
    std::string open_multi;  // the bytes of a MULTI whose EXEC has not arrived yet
    common::ReplyWriter writer(scratch, 2);
    std::string error;
    std::size_t pos = 0;
    for (;;) {
        std::string& buf = link.buf_;
        const std::int64_t now = server.clock();
        while (pos < buf.size()) {
            std::string_view pending = std::string_view(buf).substr(pos);
            common::ParseResult res = parser.parse(pending);
            if (res.status == common::ParseStatus::need_more) {
                break;
            }
            if (res.status == common::ParseStatus::protocol_error) {
                spdlog::warn("Protocol error from MASTER: {}", res.error_message);
                co_return;
            }
            if (!parser.args().empty()) {
                r.applying_ = true;
                server.keyspace.expire_ignore = true;
                try {
                    server.call(*master, parser.args(), writer, now);
                } catch (const std::exception& e) {
                    spdlog::warn("Command from MASTER failed: {}", e.what());
                }
                server.keyspace.expire_ignore = false;
                r.applying_ = false;
                if (scratch.size() > 0 && scratch[0] == '-') {
                    spdlog::warn(
                        "== CRITICAL == This replica is sending an error to its master: "
                        "'{}' after processing the command '{}'",
                        scratch.substr(1, scratch.find('\r') - 1),
                        std::string(parser.args()[0].substr(0, 64)));
                }
                scratch.clear();
                if (!alive(r, gen) || link.closed) {
                    co_return;  // the command changed our role (or killed the link)
                }
            }
            // The applied bytes count, and go unchanged to our own replicas and backlog; a
            // transaction only once its EXEC ran (a link lost in between resumes at MULTI).
            if (master->in_multi) {
                open_multi.append(pending.substr(0, res.consumed));
            } else if (!open_multi.empty()) {
                open_multi.append(pending.substr(0, res.consumed));
                r.add_to_stream(open_multi);
                open_multi.clear();
            } else {
                r.add_to_stream(pending.substr(0, res.consumed));
            }
            pos += res.consumed;
        }
        if (pos > 0) {
            buf.erase(0, pos);
            pos = 0;
        }
        if (!co_await link.read_more(error)) {
            if (alive(r, gen)) {
                spdlog::warn("Connection with master lost: {}", error);
            }
            co_return;
        }
        if (!alive(r, gen) || link.closed) {
            co_return;
        }
        r.last_master_io_ms_ = server.clock();
        master->last_interaction_ms = r.last_master_io_ms_;
        r.read_offset_ =
            r.master_repl_offset_ + static_cast<std::int64_t>(open_multi.size() + buf.size());
    }
}

// ---- a disk-based snapshot, read to one replica ----

void Replication::start_file_transfer(std::uint64_t id, int fd, std::int64_t size) {
    if (!io_) {
        ::close(fd);
        return;
    }
    asio::post(io_->io, [this, id, fd, size] {
        if (!io_) {
            ::close(fd);
            return;
        }
        asio::co_spawn(io_->io, ReplicationLinkTask::send_file(*this, id, fd, size),
                       common::log_unhandled("replication snapshot transfer"));
    });
}

asio::awaitable<void> ReplicationLinkTask::send_file(Replication& r,
                                                     std::uint64_t id,
                                                     int fd,
                                                     std::int64_t size) {
    constexpr std::size_t kFileChunk = 1024 * 1024;
    SteadyTimer timer(co_await asio::this_coro::executor);
    std::string chunk(kFileChunk, '\0');
    std::int64_t sent = 0;
    bool ok = true;
    while (sent < size) {
        ClientState* c = r.find_replica(id);
        if (c == nullptr || c->conn == nullptr || !r.io_) {
            ok = false;
            break;
        }
        if (c->conn->pending_output() > kFileChunk) {
            // Let the connection drain before reading more of the file.
            timer.expires_after(std::chrono::milliseconds(1));
            std::tuple<boost::system::error_code> waited = co_await timer.async_wait();
            (void)waited;
            continue;
        }
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::int64_t>(size - sent, kFileChunk));
        ssize_t n = ::read(fd, chunk.data(), want);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ok = false;
            break;
        }
        c->conn->deliver(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
        sent += n;
    }
    ::close(fd);
    ClientState* c = r.find_replica(id);
    if (c == nullptr) {
        co_return;
    }
    c->repl_sending_file = false;
    if (!ok) {
        spdlog::warn("SYNC failed: reading the RDB file for the replica failed");
        r.drop_replica(*c);
        co_return;
    }
    if (c->repl_state == Replication::send_bulk && c->conn != nullptr &&
        c->conn->pending_output() == 0) {
        r.replica_online(*c);  // else the cron does it once the last bytes left
    }
}

// ---- the diskless snapshot pump ----

void Replication::start_pump(int fd, std::int64_t snapshot_offset) {
    std::uint64_t seq = ++snapshot_seq_;
    asio::post(io_->io, [this, seq, fd, snapshot_offset] {  // not nested in PSYNC's coroutine
        if (!io_ || seq != snapshot_seq_ || !snapshot_running_) {
            ::close(fd);
            return;
        }
        asio::co_spawn(io_->io, ReplicationLinkTask::pump(*this, seq, fd, snapshot_offset),
                       common::log_unhandled("replication snapshot pump"));
    });
}

asio::awaitable<void> ReplicationLinkTask::pump(Replication& r,
                                                std::uint64_t seq,
                                                int fd,
                                                std::int64_t snapshot) {
    asio::posix::stream_descriptor pipe(co_await asio::this_coro::executor, fd);
    const std::string mark = random_hex_id();
    deliver_snapshot(r, snapshot, "$EOF:" + mark + "\r\n");
    std::string chunk(kReadChunk, '\0');
    SteadyTimer timer(co_await asio::this_coro::executor);
    bool eof = false;
    for (;;) {
        // Backpressure: read more from the child only once the slowest replica has drained most
        // of what it was given (the child then waits on the full pipe).
        if (backlogged_replicas(r, snapshot) > 0) {
            timer.expires_after(std::chrono::milliseconds(1));
            std::tuple<boost::system::error_code> waited = co_await timer.async_wait();
            (void)waited;
            if (seq != r.snapshot_seq_ || !r.io_ || !r.snapshot_running_) {
                co_return;
            }
            continue;
        }
        std::tuple<boost::system::error_code, std::size_t> got =
            co_await pipe.async_read_some(asio::buffer(chunk), Token{});
        if (seq != r.snapshot_seq_ || !r.io_ || !r.snapshot_running_) {
            co_return;
        }
        const std::size_t n = std::get<1>(got);
        if (n > 0) {
            deliver_snapshot(r, snapshot, std::string_view(chunk).substr(0, n));
        }
        if (std::get<0>(got)) {
            eof = std::get<0>(got) == asio::error::eof;
            break;
        }
    }
    if (!eof) {
        spdlog::warn("Diskless rdb transfer: error reading from the child's pipe");
        r.server_.persistence->abort_child();  // ends the snapshot as failed
        co_return;
    }
    deliver_snapshot(r, snapshot, mark);
    spdlog::info("Diskless rdb transfer, done reading from pipe, {} replicas still up.",
                 r.replicas_.size());
    if (!r.snapshot_running_) {
        co_return;
    }
    r.io_->pump_done = true;
    if (r.io_->child_done) {
        r.snapshot_finished(r.io_->child_ok);
    } else {
        r.server_.persistence->wait_child();  // ends in rdb_child_done()
    }
}

}  // namespace vigil::server
