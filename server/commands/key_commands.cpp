// Keys: DEL, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME, expiry, databases.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "common/pubsub/pubsub.hpp"
#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/commands/scan.hpp"
#include "server/server.hpp"

namespace vigil::server {

bool parse_scan_options(CommandContext& ctx,
                        std::size_t cursor_index,
                        bool allow_type,
                        ScanOptions& out) {
    // As Redis: strtoul over the whole argument, so "" is 0 and "-1" wraps to the largest cursor;
    // a leading space, trailing garbage or overflow is refused.
    const std::string c(ctx.args[cursor_index]);
    char* end = nullptr;
    errno = 0;
    unsigned long cursor = std::strtoul(c.c_str(), &end, 10);
    if ((!c.empty() && std::isspace(static_cast<unsigned char>(c[0]))) || *end != '\0' ||
        errno == ERANGE) {
        ctx.reply.error("ERR invalid cursor");
        return false;
    }
    out.cursor = cursor;
    for (std::size_t i = cursor_index + 1; i < ctx.args.size(); i += 2) {
        std::string opt = to_lower(ctx.args[i]);
        bool has_next = i + 1 < ctx.args.size();
        if (opt == "count" && has_next) {
            auto v = parse_int(ctx.args[i + 1]);
            if (!v) {
                ctx.reply.error(err::kNotInteger);
                return false;
            }
            if (*v < 1) {
                ctx.reply.error(err::kSyntax);
                return false;
            }
            out.count = std::min<std::int64_t>(*v, LLONG_MAX / 10);  // budgets are count * 10
        } else if (opt == "match" && has_next) {
            out.match = std::string(ctx.args[i + 1]);
            if (*out.match == "*") {
                out.match.reset();
            }
        } else if (opt == "type" && has_next && allow_type) {
            out.type = to_lower(ctx.args[i + 1]);
        } else {
            ctx.reply.error(err::kSyntax);
            return false;
        }
    }
    return true;
}

Db::Node* begin_collection_scan(CommandContext& ctx, ValueType type, ScanOptions& opts) {
    if (!scan_cursor_ok(ctx, 2)) {
        return nullptr;
    }
    Db::Node* n = nullptr;
    if (!ctx.lookup_typed(ctx.args[1], type, n, false)) {
        return nullptr;
    }
    if (n == nullptr) {
        ctx.reply.array_header(2);
        ctx.reply.bulk("0");
        ctx.reply.array_header(0);
        return nullptr;
    }
    if (!parse_scan_options(ctx, 2, false, opts)) {
        return nullptr;
    }
    return n;
}

bool scan_match(const ScanOptions& opts, std::string_view key) {
    return !opts.match || common::glob_match(*opts.match, key);
}

namespace {

void cmd_del(CommandContext& ctx) {
    std::int64_t deleted = 0;
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        if (ctx.lookup_write(ctx.args[i]) != nullptr && ctx.db().erase(ctx.args[i])) {
            ctx.modified(ctx.args[i]);
            ++deleted;
        }
    }
    ctx.reply.integer(deleted);
}

void cmd_exists(CommandContext& ctx) {
    std::int64_t count = 0;
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        if (ctx.lookup_read(ctx.args[i]) != nullptr) {
            ++count;
        }
    }
    ctx.reply.integer(count);
}

void cmd_type(CommandContext& ctx) {
    Db::Node* n = ctx.lookup_write(ctx.args[1]);  // TYPE does not count hits (LOOKUP_NOTOUCH)
    ctx.reply.simple(n == nullptr ? "none" : type_name(n->value.type()));
}

void cmd_keys(CommandContext& ctx) {
    std::vector<std::string> keys;
    std::string_view pattern = ctx.args[1];
    bool all = pattern == "*";
    Db& db = ctx.db();
    db.dict().for_each([&](const std::string& k, const Object& o) {
        if (o.expire_ms >= 0 && o.expire_ms <= ctx.now_ms) {
            return;
        }
        if (all || common::glob_match(pattern, k)) {
            keys.push_back(k);
        }
    });
    ctx.reply.array_header(keys.size());
    for (const auto& k : keys) {
        ctx.reply.bulk(k);
    }
}

void cmd_scan(CommandContext& ctx) {
    ScanOptions opts;
    if (!parse_scan_options(ctx, 1, true, opts)) {
        return;
    }
    std::vector<std::string> keys;
    Db& db = ctx.db();
    std::uint64_t cursor = scan_batch(
        opts.cursor, opts,
        [&](std::uint64_t c) {
            return db.dict().scan(c,
                                  [&](const std::string& k, const Object&) { keys.push_back(k); });
        },
        [&] { return keys.size(); });
    // Filter after collecting (as Redis does), dropping expired keys lazily.
    std::vector<std::string> out;
    for (const auto& k : keys) {
        if (!scan_match(opts, k)) {
            continue;
        }
        Db::Node* n = ctx.lookup_write(k);
        if (n == nullptr) {
            continue;
        }
        if (opts.type && type_name(n->value.type()) != *opts.type) {
            continue;
        }
        out.push_back(k);
    }
    ctx.reply.array_header(2);
    ctx.reply.bulk(std::to_string(cursor));
    ctx.reply.array_header(out.size());
    for (const auto& k : out) {
        ctx.reply.bulk(k);
    }
}

void cmd_randomkey(CommandContext& ctx) {
    Db& db = ctx.db();
    for (int tries = 0; tries < 100 && db.size() > 0; ++tries) {
        auto* n = db.dict().random_node(ctx.keyspace().rng());
        std::string key = n->key;
        if (ctx.lookup_write(key) != nullptr) {
            ctx.reply.bulk(key);
            return;
        }
    }
    ctx.reply.null();
}

void rename_generic(CommandContext& ctx, bool nx) {
    std::string_view from = ctx.args[1];
    std::string_view to = ctx.args[2];
    Db::Node* src = ctx.lookup_write(from);
    if (src == nullptr) {
        ctx.reply.error(err::kNoSuchKey);
        return;
    }
    if (from == to) {
        if (nx) {
            ctx.reply.integer(0);
        } else {
            ctx.reply.ok();
        }
        return;
    }
    if (ctx.lookup_write(to) != nullptr && nx) {
        ctx.reply.integer(0);
        return;
    }
    std::int64_t expire = src->value.expire_ms;
    Object obj = std::move(src->value);
    ctx.db().erase(from);
    Db::Node* dst = ctx.db().create(to, std::move(obj));
    if (expire >= 0) {
        ctx.db().set_expire(dst, expire);
    }
    ctx.modified(from);
    ctx.modified(to);
    if (nx) {
        ctx.reply.integer(1);
    } else {
        ctx.reply.ok();
    }
}

void cmd_rename(CommandContext& ctx) {
    rename_generic(ctx, false);
}
void cmd_renamenx(CommandContext& ctx) {
    rename_generic(ctx, true);
}

// EXPIRE key seconds [NX|XX|GT|LT] and its siblings.
void expire_generic(CommandContext& ctx, std::int64_t unit_ms, bool absolute) {
    bool nx = false, xx = false, gt = false, lt = false;
    for (std::size_t i = 3; i < ctx.args.size(); ++i) {
        std::string opt = to_lower(ctx.args[i]);
        if (opt == "nx") {
            nx = true;
        } else if (opt == "xx") {
            xx = true;
        } else if (opt == "gt") {
            gt = true;
        } else if (opt == "lt") {
            lt = true;
        } else {
            ctx.reply.error("ERR Unsupported option " + std::string(ctx.args[i]));
            return;
        }
    }
    if (nx && (xx || gt || lt)) {
        ctx.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
        return;
    }
    if (gt && lt) {
        ctx.reply.error("ERR GT and LT options at the same time are not compatible");
        return;
    }
    auto v = parse_int(ctx.args[2]);
    if (!v) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    std::int64_t when = *v;
    auto invalid = [&] {
        ctx.reply.error("ERR invalid expire time in '" + std::string(ctx.spec->name) + "' command");
    };
    if (unit_ms == 1000) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
            invalid();
            return;
        }
        when *= 1000;
    }
    if (!absolute) {
        if ((when > 0 && ctx.now_ms > LLONG_MAX - when) ||
            (when < 0 && ctx.now_ms < LLONG_MIN - when)) {
            invalid();
            return;
        }
        when += ctx.now_ms;
    }
    Db::Node* n = ctx.lookup_write(ctx.args[1]);
    if (n == nullptr) {
        ctx.reply.integer(0);
        return;
    }
    std::int64_t cur = n->value.expire_ms;
    if ((nx && cur >= 0) || (xx && cur < 0)) {
        ctx.reply.integer(0);
        return;
    }
    // A key without TTL counts as infinite TTL for GT/LT.
    if (gt && (cur < 0 || when <= cur)) {
        ctx.reply.integer(0);
        return;
    }
    if (lt && cur >= 0 && when >= cur) {
        ctx.reply.integer(0);
        return;
    }
    if (when <= ctx.now_ms && ctx.keyspace().expire_deletes) {
        ctx.db().erase(ctx.args[1]);
        ctx.propagate_as.push_back({"DEL", std::string(ctx.args[1])});
        ctx.modified(ctx.args[1]);
        ctx.reply.integer(1);
        return;
    }
    ctx.db().set_expire(n, when);
    // Propagated as PEXPIREAT with the absolute time, keeping the options.
    std::vector<std::string> prop{"PEXPIREAT", std::string(ctx.args[1]), int_to_string(when)};
    for (std::size_t i = 3; i < ctx.args.size(); ++i) {
        prop.emplace_back(ctx.args[i]);
    }
    ctx.propagate_as.push_back(std::move(prop));
    ctx.modified(ctx.args[1]);
    ctx.reply.integer(1);
}

void cmd_expire(CommandContext& ctx) {
    expire_generic(ctx, 1000, false);
}
void cmd_pexpire(CommandContext& ctx) {
    expire_generic(ctx, 1, false);
}
void cmd_expireat(CommandContext& ctx) {
    expire_generic(ctx, 1000, true);
}
void cmd_pexpireat(CommandContext& ctx) {
    expire_generic(ctx, 1, true);
}

void ttl_generic(CommandContext& ctx, bool ms, bool absolute) {
    Db::Node* n = ctx.lookup_write(ctx.args[1]);
    if (n == nullptr) {
        ctx.reply.integer(-2);
        return;
    }
    if (n->value.expire_ms < 0) {
        ctx.reply.integer(-1);
        return;
    }
    std::int64_t v = absolute ? n->value.expire_ms : n->value.expire_ms - ctx.now_ms;
    if (v < 0) {
        v = 0;
    }
    ctx.reply.integer(ms ? v : (v + 500) / 1000);  // seconds are rounded, as Redis does
}

void cmd_ttl(CommandContext& ctx) {
    ttl_generic(ctx, false, false);
}
void cmd_pttl(CommandContext& ctx) {
    ttl_generic(ctx, true, false);
}
void cmd_expiretime(CommandContext& ctx) {
    ttl_generic(ctx, false, true);
}
void cmd_pexpiretime(CommandContext& ctx) {
    ttl_generic(ctx, true, true);
}

void cmd_persist(CommandContext& ctx) {
    Db::Node* n = ctx.lookup_write(ctx.args[1]);
    if (n == nullptr || !ctx.db().persist(n)) {
        ctx.reply.integer(0);
        return;
    }
    ctx.modified(ctx.args[1]);
    ctx.reply.integer(1);
}

void cmd_touch(CommandContext& ctx) {
    std::int64_t count = 0;
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        if (ctx.lookup_read(ctx.args[i]) != nullptr) {
            ++count;
        }
    }
    ctx.reply.integer(count);
}

void cmd_dbsize(CommandContext& ctx) {
    ctx.reply.integer(static_cast<std::int64_t>(ctx.db().size()));
}

// A database index for SELECT and MOVE: an int (Redis's getIntFromObjectOrReply errors), then
// "DB index is out of range".
std::optional<int> parse_db_index(CommandContext& ctx, std::string_view arg) {
    auto v = parse_int(arg);
    if (!v) {
        ctx.reply.error(err::kNotInteger);
        return std::nullopt;
    }
    if (*v < INT_MIN || *v > INT_MAX) {
        ctx.reply.error(err::kNotInt32);
        return std::nullopt;
    }
    if (*v < 0 || *v >= ctx.keyspace().db_count()) {
        ctx.reply.error(err::kDbIndexOutOfRange);
        return std::nullopt;
    }
    return static_cast<int>(*v);
}

void cmd_select(CommandContext& ctx) {
    auto db = parse_db_index(ctx, ctx.args[1]);
    if (!db) {
        return;
    }
    ctx.client.db = *db;
    ctx.reply.ok();
}

void cmd_swapdb(CommandContext& ctx) {
    auto a = parse_int(ctx.args[1]);
    if (!a || *a < INT_MIN || *a > INT_MAX) {
        ctx.reply.error("ERR invalid first DB index");
        return;
    }
    auto b = parse_int(ctx.args[2]);
    if (!b || *b < INT_MIN || *b > INT_MAX) {
        ctx.reply.error("ERR invalid second DB index");
        return;
    }
    int n = ctx.keyspace().db_count();
    if (*a < 0 || *a >= n || *b < 0 || *b >= n) {
        ctx.reply.error(err::kDbIndexOutOfRange);
        return;
    }
    if (*a != *b) {
        ctx.keyspace().db(static_cast<int>(*a)).swap(ctx.keyspace().db(static_cast<int>(*b)));
        ctx.server.touch_all_keys(static_cast<int>(*a));
        ctx.server.touch_all_keys(static_cast<int>(*b));
        ++ctx.server.stats.dirty;
    }
    ctx.reply.ok();
}

bool parse_flush_mode(CommandContext& ctx) {
    if (ctx.args.size() > 2) {
        ctx.reply.error(err::kSyntax);
        return false;
    }
    if (ctx.args.size() == 2) {
        std::string m = to_lower(ctx.args[1]);
        if (m != "sync" && m != "async") {
            ctx.reply.error(err::kSyntax);
            return false;
        }
    }
    return true;
}

void cmd_flushdb(CommandContext& ctx) {
    if (!parse_flush_mode(ctx)) {
        return;
    }
    ctx.server.stats.dirty += ctx.db().size();
    ctx.db().clear();
    ctx.server.touch_all_keys(ctx.client.db);
    ctx.reply.ok();
}

void cmd_flushall(CommandContext& ctx) {
    if (!parse_flush_mode(ctx)) {
        return;
    }
    for (int i = 0; i < ctx.keyspace().db_count(); ++i) {
        ctx.server.stats.dirty += ctx.keyspace().db(i).size();
        ctx.keyspace().db(i).clear();
    }
    ctx.server.touch_all_keys(-1);
    ++ctx.server.stats.dirty;
    ctx.reply.ok();
}

void cmd_move(CommandContext& ctx) {
    auto target = parse_db_index(ctx, ctx.args[2]);
    if (!target) {
        return;
    }
    if (*target == ctx.client.db) {
        ctx.reply.error("ERR source and destination objects are the same");
        return;
    }
    Db::Node* n = ctx.lookup_write(ctx.args[1]);
    if (n == nullptr) {
        ctx.reply.integer(0);
        return;
    }
    Db& dst = ctx.keyspace().db(*target);
    if (ctx.keyspace().find(*target, ctx.args[1], ctx.now_ms) != nullptr) {
        ctx.reply.integer(0);
        return;
    }
    std::int64_t expire = n->value.expire_ms;
    Object obj = std::move(n->value);
    ctx.db().erase(ctx.args[1]);
    Db::Node* moved = dst.create(ctx.args[1], std::move(obj));
    if (expire >= 0) {
        dst.set_expire(moved, expire);
    }
    ctx.modified(ctx.args[1]);
    ctx.server.touch_key(*target, ctx.args[1]);
    ctx.reply.integer(1);
}

constexpr CommandSpec kSpecs[] = {
    {"del", -2, kWrite, 1, -1, 1, &cmd_del, "@keyspace @write @slow"},
    {"unlink", -2, kWrite | kFast, 1, -1, 1, &cmd_del, "@keyspace @write @fast"},
    {"exists", -2, kReadOnly | kFast, 1, -1, 1, &cmd_exists, "@keyspace @read @fast"},
    {"type", 2, kReadOnly | kFast, 1, 1, 1, &cmd_type, "@keyspace @read @fast"},
    {"keys", 2, kReadOnly, 0, 0, 0, &cmd_keys, "@keyspace @read @slow @dangerous"},
    {"scan", -2, kReadOnly, 0, 0, 0, &cmd_scan, "@keyspace @read @slow"},
    {"randomkey", 1, kReadOnly, 0, 0, 0, &cmd_randomkey, "@keyspace @read @slow"},
    {"rename", 3, kWrite, 1, 2, 1, &cmd_rename, "@keyspace @write @slow"},
    {"renamenx", 3, kWrite | kFast, 1, 2, 1, &cmd_renamenx, "@keyspace @write @fast"},
    {"expire", -3, kWrite | kFast, 1, 1, 1, &cmd_expire, "@keyspace @write @fast"},
    {"pexpire", -3, kWrite | kFast, 1, 1, 1, &cmd_pexpire, "@keyspace @write @fast"},
    {"expireat", -3, kWrite | kFast, 1, 1, 1, &cmd_expireat, "@keyspace @write @fast"},
    {"pexpireat", -3, kWrite | kFast, 1, 1, 1, &cmd_pexpireat, "@keyspace @write @fast"},
    {"ttl", 2, kReadOnly | kFast, 1, 1, 1, &cmd_ttl, "@keyspace @read @fast"},
    {"pttl", 2, kReadOnly | kFast, 1, 1, 1, &cmd_pttl, "@keyspace @read @fast"},
    {"expiretime", 2, kReadOnly | kFast, 1, 1, 1, &cmd_expiretime, "@keyspace @read @fast"},
    {"pexpiretime", 2, kReadOnly | kFast, 1, 1, 1, &cmd_pexpiretime, "@keyspace @read @fast"},
    {"persist", 2, kWrite | kFast, 1, 1, 1, &cmd_persist, "@keyspace @write @fast"},
    {"touch", -2, kReadOnly | kFast, 1, -1, 1, &cmd_touch, "@keyspace @read @fast"},
    {"dbsize", 1, kReadOnly | kFast, 0, 0, 0, &cmd_dbsize, "@keyspace @read @fast"},
    {"select", 2, kLoading | kStale | kFast, 0, 0, 0, &cmd_select, "@keyspace @fast"},
    {"swapdb", 3, kWrite | kFast, 0, 0, 0, &cmd_swapdb, "@keyspace @write @fast @dangerous"},
    {"flushdb", -1, kWrite, 0, 0, 0, &cmd_flushdb, "@keyspace @write @slow @dangerous"},
    {"flushall", -1, kWrite, 0, 0, 0, &cmd_flushall, "@keyspace @write @slow @dangerous"},
    {"move", 3, kWrite | kFast, 1, 1, 1, &cmd_move, "@keyspace @write @fast"},
};

}  // namespace

std::span<const CommandSpec> key_commands() {
    return kSpecs;
}

}  // namespace vigil::server
