#include "server/server.hpp"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "common/util/memory.hpp"
#include "server/commands/errors.hpp"

namespace vigil::server {

std::int64_t unix_time_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// "ERR unknown command 'foo', with args beginning with: 'a' 'b' ". As Redis: arguments are
// added while the quoted list is shorter than 128 bytes, each cut to what is left of the 128.
std::string unknown_command_error(std::span<const std::string_view> args) {
    std::string list;
    for (std::size_t i = 1; i < args.size() && list.size() < 128; ++i) {
        list.push_back('\'');
        list.append(args[i].substr(0, 128 - list.size() + 1));
        list.append("' ");
    }
    std::string msg = "ERR unknown command '";
    msg.append(args[0].substr(0, 128));
    msg.append("', with args beginning with: ");
    msg.append(list);
    return msg;
}

bool is_loopback(const std::string& peer) {
    return peer.rfind("127.", 0) == 0 || peer.rfind("::1", 0) == 0 ||
           peer.rfind("::ffff:127.", 0) == 0 || peer.empty();
}

constexpr std::string_view kProtectedModeError =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same host "
    "the server is running, however MAKE SURE Redis is not publicly accessible from internet if "
    "you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just "
    "disable the protected mode by editing the Redis configuration file, and setting the "
    "protected mode option to 'no', and then restarting the server. 3) If you started the server "
    "manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an "
    "authentication password for the default user. NOTE: You only need to do one of the above "
    "things in order for the server to start accepting connections from the outside.\r\n";

}  // namespace

// Pending output below this size is never checked against client-output-buffer-limit.
constexpr std::size_t kMinLimitCheck = 16 * 1024;

// ---- CommandContext ----

Db& CommandContext::db() {
    return server.keyspace.db(client.db);
}
int CommandContext::db_index() const {
    return client.db;
}
Keyspace& CommandContext::keyspace() {
    return server.keyspace;
}

Db::Node* CommandContext::lookup_read(std::string_view key) {
    Db::Node* n = server.keyspace.find(client.db, key, now_ms);
    if (n == nullptr) {
        ++server.keyspace.stats.keyspace_misses;
    } else {
        ++server.keyspace.stats.keyspace_hits;
        server.record_access(n->value, now_ms);
    }
    return n;
}

Db::Node* CommandContext::lookup_write(std::string_view key) {
    Db::Node* n = server.keyspace.find(client.db, key, now_ms);
    if (n != nullptr) {
        server.record_access(n->value, now_ms);
    }
    return n;
}

bool CommandContext::lookup_typed(std::string_view key,
                                  ValueType t,
                                  Db::Node*& node,
                                  bool for_write) {
    node = for_write ? lookup_write(key) : lookup_read(key);
    if (node != nullptr && node->value.type() != t) {
        reply.error(err::kWrongType);
        node = nullptr;
        return false;
    }
    return true;
}

Db::Node* CommandContext::create(std::string_view key, ValueType t) {
    Object o = Object::make(t);
    o.lru = server.initial_access(now_ms);
    return db().create(key, std::move(o));
}

void CommandContext::modified(std::string_view key, std::uint64_t changes) {
    server.touch_key(client.db, key);
    server.stats.dirty += changes;
}

void CommandContext::delete_if_empty(Db::Node* node) {
    if (node == nullptr) {
        return;
    }
    bool empty = false;
    switch (node->value.type()) {
        case ValueType::string:
            break;
        case ValueType::list:
            empty = node->value.list().empty();
            break;
        case ValueType::set:
            empty = node->value.set().size() == 0;
            break;
        case ValueType::zset:
            empty = node->value.zset().size() == 0;
            break;
        case ValueType::hash:
            empty = node->value.hash().size() == 0;
            break;
    }
    if (empty) {
        std::string key = node->key;
        db().erase(key);
    }
}

// ---- Server ----

Server::Server(ServerConfig cfg)
    : clock(unix_time_ms), config(std::move(cfg)), keyspace(config.databases) {
    run_id = random_hex_id();
    startup_memory = common::used_memory();
    apply_encoding_limits();
    for (const char* name :
         {"hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries",
          "zset-max-listpack-entries", "zset-max-listpack-value"}) {
        config_apply[name] = [this](std::string&) {
            apply_encoding_limits();
            return true;
        };
    }
    persistence = std::make_unique<Persistence>(*this);
    replication = std::make_unique<Replication>(*this);
    replication->start_as_configured();
    stats.start_ms = clock();
    stats.lastsave_s = stats.start_ms / 1000;
    // Keys removed by expiry or eviction reach the AOF and replicas as DEL.
    keyspace.on_key_removed = [this](int db, std::string_view key, bool) {
        touch_key(db, key);
        std::string_view del[] = {"DEL", key};
        propagate(db, del);
    };
}

Server::~Server() = default;

std::unique_ptr<common::ClientContext> Server::on_connect(common::Connection& conn,
                                                          std::string& out) {
    ++stats.total_connections_received;
    std::int64_t now = clock();
    if (clients.size() >= config.maxclients) {
        ++stats.rejected_connections;
        out.append("-ERR max number of clients reached\r\n");
        return nullptr;
    }
    auto c = std::make_unique<ClientState>();
    c->server = this;
    c->id = next_client_id++;
    c->conn = &conn;
    c->created_ms = now;
    c->last_interaction_ms = now;
    c->authenticated = default_user_needs_no_auth();
    if (config.protected_mode && c->authenticated && !is_loopback(conn.peer())) {
        // Like Redis: with no password on the default user only loopback clients get in.
        out.append(kProtectedModeError);
        return nullptr;
    }
    clients.emplace(c->id, c.get());
    return c;
}

void Server::on_protocol_error(common::ClientContext&) {
    ++stats.total_error_replies;
    ++error_stats["ERR"];
}

void Server::on_input(common::ClientContext& ctx, std::size_t bytes, std::size_t buffered) {
    auto& c = static_cast<ClientState&>(ctx);
    stats.total_net_input_bytes += bytes;
    c.last_interaction_ms = clock();
    c.query_buffer = buffered;
    if (buffered > config.client_query_buffer_limit) {
        spdlog::warn("Closing client that reached max query buffer length: id={} addr={}", c.id,
                     c.conn ? c.conn->peer() : "");
        c.close_requested = true;
    }
}

void Server::on_disconnect(common::ClientContext& ctx) {
    auto& c = static_cast<ClientState&>(ctx);
    unwatch_all(*this, c);
    pubsub.remove(c);
    if (replication) {
        replication->on_disconnect(c);
    }
    clients.erase(c.id);
    c.conn = nullptr;
}

std::chrono::milliseconds Server::wait_timeout(const common::ClientContext& ctx) const {
    const auto& c = static_cast<const ClientState&>(ctx);
    if (c.wait_blocked) {
        std::int64_t left = c.wait_deadline_ms - clock();
        return std::chrono::milliseconds(std::clamp<std::int64_t>(left, 1, 1000));
    }
    std::int64_t left = pause_end_ms - clock();
    return std::chrono::milliseconds(std::clamp<std::int64_t>(left, 1, 100));
}

bool Server::check_pause(ClientState& client, const CommandSpec& spec, std::int64_t now_ms) {
    if (pause_end_ms <= now_ms || client.is_master || client.is_replica) {
        return false;
    }
    if (pause_all) {
        return true;
    }
    // PAUSE WRITE: writes and commands that may write wait, even when they would only be queued
    // inside MULTI; so does an EXEC whose transaction writes (as in Redis 7.0).
    if ((spec.flags & (kWrite | kMayReplicate)) != 0) {
        return true;
    }
    if (spec.name == "exec") {
        for (const auto& q : client.queued) {
            if ((q.spec->flags & (kWrite | kMayReplicate)) != 0) {
                return true;
            }
        }
    }
    return false;
}

common::ExecStatus Server::execute(common::ClientContext& ctx,
                                   std::span<const std::string_view> args,
                                   std::string& out) {
    auto& client = static_cast<ClientState&>(ctx);
    std::int64_t now = clock();
    client.last_interaction_ms = now;
    // While clients are paused no key expires, lazily or actively: the dataset must not change.
    keyspace.expire_paused = pause_end_ms > now;
    if (pause_end_ms > now) {
        const CommandSpec* spec = commands.find(args[0]);
        if (spec != nullptr && check_pause(client, *spec, now)) {
            return common::ExecStatus::wait;
        }
    }
    std::size_t before = out.size();
    common::ReplyWriter reply(out, client.protocol);
    last_run_spec_ = nullptr;
    client.block_requested = false;
    try {
        call(client, args, reply, now);
        if (client.block_requested) {
            // WAIT: the session runs the command again after resume() or the timeout.
            client.block_requested = false;
            out.resize(before);
            return common::ExecStatus::wait;
        }
    } catch (const std::exception& e) {
        // A handler that throws (e.g. bad_alloc building a huge reply) must not take the
        // connection or the server down: drop the partial reply and answer an error.
        out.resize(before);
        out.shrink_to_fit();
        spdlog::warn("Command '{}' failed: {}", std::string(args[0].substr(0, 64)), e.what());
        reply.error(std::string("ERR ") + e.what());
    }
    stats.total_net_output_bytes += out.size() - before;
    if (reply.error_count() > 0) {
        stats.total_error_replies += reply.error_count();
        ++error_stats[std::string(reply.last_error_code())];
        if (last_run_spec_ == nullptr) {
            // Refused before its handler ran (arity, NOAUTH, NOPERM, OOM, ...).
            if (const CommandSpec* spec = commands.find(args[0])) {
                if (!spec->subcommands.empty() && args.size() >= 2) {
                    if (const CommandSpec* sub = CommandTable::find_sub(*spec, args[1])) {
                        spec = sub;
                    }
                }
                ++command_stats[spec].rejected_calls;
            }
        }
    }
    // `out` is the connection's own output buffer, so pending_output() already counts it.
    if (client.conn != nullptr && client.conn->pending_output() > kMinLimitCheck) {
        enforce_output_limits(client, now);
    }
    return common::ExecStatus::done;
}

void Server::call(ClientState& client,
                  std::span<const std::string_view> args,
                  common::ReplyWriter& reply,
                  std::int64_t now_ms) {
    ++stats.total_commands_processed;
    const CommandSpec* spec = commands.find(args[0]);
    auto fail = [&](std::string_view msg) {
        if (spec != nullptr && spec->name == "exec") {
            // A rejected EXEC ends the transaction (as Redis's execCommandAbort), even outside
            // MULTI, where it still forgets the WATCHed keys.
            client.in_multi = false;
            client.multi_dirty = false;
            client.queued.clear();
            unwatch_all(*this, client);
            if (msg.starts_with("ERR ")) {
                msg.remove_prefix(4);
            }
            reply.error("EXECABORT Transaction discarded because of: " + std::string(msg));
            return;
        }
        if (client.in_multi) {
            client.multi_dirty = true;
        }
        reply.error(msg);
    };

    if (spec == nullptr) {
        fail(unknown_command_error(args));
        return;
    }
    if (!spec->subcommands.empty() && args.size() >= 2) {
        // A container command (CLIENT, COMMAND, ...) takes its subcommand from args[1].
        if (const CommandSpec* sub = CommandTable::find_sub(*spec, args[1])) {
            spec = sub;
        } else {
            std::string upper(spec->name);
            for (char& ch : upper) {
                ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            }
            fail("ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) + "'. Try " +
                 upper + " HELP.");
            return;
        }
    }
    if (!arity_ok(spec->arity, args.size())) {
        fail("ERR wrong number of arguments for '" + std::string(spec->name) + "' command");
        return;
    }
    if (!client.authenticated && (spec->flags & kNoAuth) == 0) {
        fail(err::kNoAuth);
        return;
    }
    if (client.in_multi && (spec->flags & kNoMulti) != 0) {
        fail("ERR Command not allowed inside a transaction");
        return;
    }
    const bool internal = client.loading || client.is_master;  // AOF replay, master stream
    if (std::string error; !internal && !acl_allows(client, *spec, args, error)) {
        fail(error);
        return;
    }
    // A replica leaves its dataset to its master (replica-ignore-maxmemory, on by default).
    const bool ignore_maxmemory = is_replica() && config.replica_ignore_maxmemory;
    if (config.maxmemory > 0 && !internal && !ignore_maxmemory) {
        eviction_ = eviction_settings();
        bool out_of_memory = !free_memory_if_needed(now_ms);
        bool reject = (spec->flags & kDenyOom) != 0;
        if (client.in_multi && spec->name != "exec" && spec->name != "discard" &&
            spec->name != "quit" && spec->name != "reset") {
            reject = true;  // queueing could use unbounded memory
        }
        if (spec->name == "exec") {
            for (const auto& q : client.queued) {
                reject = reject || (q.spec->flags & kDenyOom) != 0;
            }
        }
        if (out_of_memory && reject) {
            fail(err::kOom);
            return;
        }
    }
    // Redis 7.0 order from here: OOM (above), MISCONF, then the pub/sub context.
    // ---- persistence: MISCONF after a failed background save (or AOF write error) ----
    if (((spec->flags & kWrite) != 0 || spec->name == "ping") && !client.is_master &&
        !client.loading && persistence) {
        if (std::string denied = persistence->write_denied_error(); !denied.empty()) {
            fail(denied);
            return;
        }
    }
    // ---- end persistence ----
    if (std::string_view refused = replication->refuse_before_pubsub(client, *spec, now_ms);
        !refused.empty()) {
        fail(refused);
        return;
    }
    if (client.in_pubsub_mode() && client.protocol < 3) {
        static constexpr std::string_view kAllowed[] = {
            "ping", "subscribe", "unsubscribe", "psubscribe",  "punsubscribe",
            "quit", "reset",     "ssubscribe",  "sunsubscribe"};
        if (std::find(std::begin(kAllowed), std::end(kAllowed), spec->name) == std::end(kAllowed)) {
            fail("ERR Can't execute '" + std::string(spec->name) +
                 "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                 "this context");
            return;
        }
    }
    if (std::string_view refused = replication->refuse_after_pubsub(client, *spec);
        !refused.empty()) {
        fail(refused);
        return;
    }
    if (client.in_multi && spec->name != "exec" && spec->name != "discard" &&
        spec->name != "multi" && spec->name != "watch" && spec->name != "quit" &&
        spec->name != "reset") {
        QueuedCommand q;
        q.args.assign(args.begin(), args.end());
        q.spec = spec;
        client.queued.push_back(std::move(q));
        reply.simple("QUEUED");
        return;
    }

    CommandContext ctx{*this, client, args, reply, now_ms, spec, {}, false};
    client.last_command = std::string(spec->name);
    run_handler(ctx);
}

void Server::run_handler(CommandContext& ctx) {
    const int db = ctx.client.db;
    const std::uint64_t dirty_before = stats.dirty;
    const std::uint32_t errors_before = ctx.reply.error_count();
    last_run_spec_ = ctx.spec;
    auto started = std::chrono::steady_clock::now();
    ctx.spec->handler(ctx);
    CommandStats& cs = command_stats[ctx.spec];
    ++cs.calls;
    cs.usec += static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::steady_clock::now() - started)
                                              .count());
    if (ctx.reply.error_count() != errors_before) {
        ++cs.failed_calls;
    }
    if (stats.dirty == dirty_before || ctx.suppress_propagation || propagation_sinks.empty()) {
        if (stats.dirty != dirty_before) {
            replication->note_client_write(ctx.client);
        }
        return;
    }
    if (ctx.propagate_as.empty()) {
        propagate(db, ctx.args);
    } else {
        for (const auto& cmd : ctx.propagate_as) {
            propagate(db, cmd);
        }
    }
    replication->note_client_write(ctx.client);
}

void Server::propagate(int db, std::span<const std::string_view> args) {
    for (auto& sink : propagation_sinks) {
        sink(db, args);
    }
}

void Server::propagate(int db, const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    propagate(db, std::span<const std::string_view>(views));
}

void Server::cron(std::int64_t now_ms) {
    persistence->cron(now_ms);
    replication->cron(now_ms);
    // Like Redis, no key expires actively while clients are paused (CLIENT PAUSE, FAILOVER):
    // the dataset must not change under a paused write load.
    keyspace.expire_paused = pause_end_ms > now_ms;
    if (active_expire_enabled && pause_end_ms <= now_ms) {
        keyspace.active_expire(now_ms, 2000);
    }
    // Soft output-buffer limits are timed: check clients that are over them.
    std::vector<ClientState*> over;
    for (auto& [id, c] : clients) {
        if (c->conn != nullptr && c->conn->pending_output() > kMinLimitCheck) {
            over.push_back(c);
        }
    }
    for (ClientState* c : over) {
        enforce_output_limits(*c, now_ms);
    }
    if (config.timeout_s > 0) {
        std::vector<ClientState*> idle;
        for (auto& [id, c] : clients) {
            if (!c->is_master && !c->is_replica && !c->in_pubsub_mode() &&
                now_ms - c->last_interaction_ms >
                    static_cast<std::int64_t>(config.timeout_s) * 1000) {
                idle.push_back(c);
            }
        }
        for (ClientState* c : idle) {
            if (c->conn != nullptr) {
                c->conn->close_now();
            }
        }
    }
}

// ---- Output buffer limits ----

void ClientState::deliver_push(std::string_view bytes) {
    if (conn == nullptr) {
        return;
    }
    conn->deliver(bytes);
    if (server != nullptr && conn->pending_output() > kMinLimitCheck) {
        server->enforce_output_limits(*this, server->clock());
    }
}

bool Server::enforce_output_limits(ClientState& client, std::int64_t now_ms) {
    if (client.conn == nullptr) {
        return false;
    }
    if (client.is_replica && client.repl_state != Replication::online) {
        return false;  // a snapshot in transit is not held against the replica's limit
    }
    const OutputBufferLimit& limit = client.is_replica         ? config.obuf_replica
                                     : client.in_pubsub_mode() ? config.obuf_pubsub
                                                               : config.obuf_normal;
    std::size_t used = client.conn->pending_output();
    bool over_hard = limit.hard_bytes > 0 && used >= limit.hard_bytes;
    bool over_soft = limit.soft_bytes > 0 && used >= limit.soft_bytes;
    if (!over_soft) {
        client.obuf_soft_since_ms = -1;
    } else if (client.obuf_soft_since_ms < 0) {
        client.obuf_soft_since_ms = now_ms;
    }
    bool soft_expired = over_soft && client.obuf_soft_since_ms >= 0 &&
                        now_ms - client.obuf_soft_since_ms > limit.soft_seconds * 1000;
    if (!over_hard && !soft_expired) {
        return false;
    }
    spdlog::warn(
        "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer "
        "limits.",
        client.id, client.conn->peer());
    client.conn->close_now();
    return true;
}

void Server::apply_encoding_limits() {
    auto get = [](const auto& map, std::string_view name, std::size_t fallback) {
        auto it = map.find(name);
        return it == map.end() ? fallback : static_cast<std::size_t>(it->second);
    };
    EncodingLimits& lim = encoding_limits();
    lim.hash_max_listpack_entries = get(config.other_ints, "hash-max-listpack-entries", 512);
    lim.hash_max_listpack_value = get(config.other_memory, "hash-max-listpack-value", 64);
    lim.set_max_intset_entries = get(config.other_ints, "set-max-intset-entries", 512);
    lim.zset_max_listpack_entries = get(config.other_ints, "zset-max-listpack-entries", 128);
    lim.zset_max_listpack_value = get(config.other_memory, "zset-max-listpack-value", 64);
}

// ---- maxmemory ----

EvictionSettings Server::eviction_settings() const {
    using Order = EvictionSettings::Order;
    EvictionSettings s;
    s.samples = config.maxmemory_samples;
    s.lfu_log_factor = config.lfu_log_factor;
    s.lfu_decay_time = config.lfu_decay_time;
    switch (config.maxmemory_policy) {
        case MaxmemoryPolicy::volatile_lru:
            s.order = Order::lru;
            s.volatile_only = true;
            break;
        case MaxmemoryPolicy::allkeys_lru:
            s.order = Order::lru;
            break;
        case MaxmemoryPolicy::volatile_lfu:
            s.order = Order::lfu;
            s.volatile_only = true;
            break;
        case MaxmemoryPolicy::allkeys_lfu:
            s.order = Order::lfu;
            break;
        case MaxmemoryPolicy::volatile_random:
            s.order = Order::random;
            s.volatile_only = true;
            break;
        case MaxmemoryPolicy::allkeys_random:
            s.order = Order::random;
            break;
        case MaxmemoryPolicy::volatile_ttl:
            s.order = Order::ttl;
            s.volatile_only = true;
            break;
        case MaxmemoryPolicy::noeviction:
            s.order = Order::none;
            break;
    }
    return s;
}

void Server::record_access(Object& obj, std::int64_t now_ms) {
    bool lfu = config.maxmemory_policy == MaxmemoryPolicy::allkeys_lfu ||
               config.maxmemory_policy == MaxmemoryPolicy::volatile_lfu;
    if (!lfu) {
        obj.lru = static_cast<std::uint32_t>(now_ms / 1000);
        return;
    }
    EvictionSettings s = eviction_settings();
    vigil::server::record_access(obj, s, now_ms, rng());
}

std::uint32_t Server::initial_access(std::int64_t now_ms) const {
    return vigil::server::initial_access(eviction_settings(), now_ms);
}

bool Server::free_memory_if_needed(std::int64_t now_ms) {
    // Bounded so that one command never stalls the server for long; the next command goes on.
    for (int i = 0; i < 100000 && common::used_memory() > config.maxmemory; ++i) {
        if (!evictor_.evict_one(keyspace, eviction_, now_ms)) {
            return false;
        }
    }
    return common::used_memory() <= config.maxmemory;
}

// ---- Authentication and ACL ----

void Server::sync_requirepass() {
    if (config.requirepass != applied_requirepass_) {
        applied_requirepass_ = config.requirepass;
        acl.set_default_password(config.requirepass);
    }
}

bool Server::default_user_needs_no_auth() {
    sync_requirepass();
    const common::AclUser* def = acl.find("default");
    return def != nullptr && def->enabled && def->nopass;
}

bool Server::acl_allows(ClientState& client,
                        const CommandSpec& spec,
                        std::span<const std::string_view> args,
                        std::string& error) {
    const common::AclUser* user = acl.find(client.user);
    if (user == nullptr) {
        error = "NOPERM User " + client.user + " has no permissions to run the '" +
                std::string(spec.name) + "' command";
        return false;
    }
    if (user->base_all && user->command_rules.empty() && user->all_keys && user->all_channels) {
        return true;  // the common case: a user allowed everything
    }
    if (!user->allows_command(spec.name, spec.acl_categories)) {
        error = "NOPERM this user has no permissions to run the '" + std::string(spec.name) +
                "' command";
        return false;
    }
    if (spec.first_key > 0 && !user->all_keys) {
        int last =
            spec.last_key < 0 ? static_cast<int>(args.size()) + spec.last_key : spec.last_key;
        for (int i = spec.first_key; i <= last && i < static_cast<int>(args.size());
             i += std::max(spec.key_step, 1)) {
            if (!user->allows_key(args[static_cast<std::size_t>(i)])) {
                error =
                    "NOPERM this user has no permissions to access one of the keys used as "
                    "arguments";
                return false;
            }
        }
    }
    if (!user->all_channels) {
        std::span<const std::string_view> channels;
        bool literal = false;
        if (spec.name == "publish") {
            channels = args.subspan(1, 1);
        } else if (spec.name == "subscribe") {
            channels = args.subspan(1);
        } else if (spec.name == "psubscribe") {
            channels = args.subspan(1);
            literal = true;
        }
        for (auto ch : channels) {
            if (!user->allows_channel(ch, literal)) {
                error =
                    "NOPERM this user has no permissions to access one of the channels used "
                    "as arguments";
                return false;
            }
        }
    }
    return true;
}

// ---- WATCH ----

namespace {
std::string watch_key_id(int db, std::string_view key) {
    std::string id = std::to_string(db);
    id.push_back(':');
    id.append(key);
    return id;
}
}  // namespace

void watch_key(Server& server, ClientState& client, std::string_view key) {
    for (const auto& [db, k] : client.watched) {
        if (db == client.db && k == key) {
            return;
        }
    }
    client.watched.emplace_back(client.db, std::string(key));
    server.watched_keys_[watch_key_id(client.db, key)].push_back(&client);
}

void unwatch_all(Server& server, ClientState& client) {
    for (const auto& [db, k] : client.watched) {
        auto it = server.watched_keys_.find(watch_key_id(db, k));
        if (it == server.watched_keys_.end()) {
            continue;
        }
        auto& v = it->second;
        v.erase(std::remove(v.begin(), v.end(), &client), v.end());
        if (v.empty()) {
            server.watched_keys_.erase(it);
        }
    }
    client.watched.clear();
    client.exec_watch_dirty = false;
}

void Server::touch_key(int db, std::string_view key) {
    if (watched_keys_.empty()) {
        return;
    }
    auto it = watched_keys_.find(watch_key_id(db, key));
    if (it == watched_keys_.end()) {
        return;
    }
    for (ClientState* c : it->second) {
        c->exec_watch_dirty = true;
    }
}

void Server::touch_all_keys(int db) {
    for (auto& [id, watchers] : watched_keys_) {
        if (db >= 0 && id.rfind(std::to_string(db) + ":", 0) != 0) {
            continue;
        }
        for (ClientState* c : watchers) {
            c->exec_watch_dirty = true;
        }
    }
}

}  // namespace vigil::server
