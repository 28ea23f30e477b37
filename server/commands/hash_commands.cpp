// Hashes: HSET and friends, counters, HRANDFIELD, HSCAN.
#include <algorithm>
#include <climits>
#include <cmath>

#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/commands/remove_members.hpp"
#include "server/commands/scan.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

constexpr std::string_view kRangeError =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

bool get_hash(CommandContext& ctx, Db::Node*& node, bool for_write) {
    return ctx.lookup_typed(ctx.args[1], ValueType::hash, node, for_write);
}

// The hash at args[1] for writing, created empty when missing; nullptr after WRONGTYPE.
Hash* hash_for_write(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_hash(ctx, n, true)) {
        return nullptr;
    }
    if (n == nullptr) {
        n = ctx.create(ctx.args[1], ValueType::hash);
    }
    return &n->value.hash();
}

void wrong_args(CommandContext& ctx) {
    ctx.reply.error("ERR wrong number of arguments for '" + std::string(ctx.spec->name) +
                    "' command");
}

void hset_generic(CommandContext& ctx, bool hmset) {
    if (ctx.args.size() % 2 != 0) {
        wrong_args(ctx);
        return;
    }
    Hash* h = hash_for_write(ctx);
    if (h == nullptr) {
        return;
    }
    std::int64_t created = 0;
    for (std::size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
        if (h->set(ctx.args[i], ctx.args[i + 1])) {
            ++created;
        }
    }
    ctx.modified(ctx.args[1], (ctx.args.size() - 2) / 2);
    if (hmset) {
        ctx.reply.ok();
    } else {
        ctx.reply.integer(created);
    }
}

void cmd_hset(CommandContext& ctx) {
    hset_generic(ctx, false);
}
void cmd_hmset(CommandContext& ctx) {
    hset_generic(ctx, true);
}

void cmd_hsetnx(CommandContext& ctx) {
    Hash* h = hash_for_write(ctx);
    if (h == nullptr) {
        return;
    }
    if (h->get(ctx.args[2]) != nullptr) {
        ctx.reply.integer(0);
        return;
    }
    h->set(ctx.args[2], ctx.args[3]);
    ctx.modified(ctx.args[1]);
    ctx.reply.integer(1);
}

void cmd_hget(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_hash(ctx, n, false)) {
        return;
    }
    const std::string* v = n == nullptr ? nullptr : n->value.hash().get(ctx.args[2]);
    if (v == nullptr) {
        ctx.reply.null();
    } else {
        ctx.reply.bulk(*v);
    }
}

void cmd_hmget(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_hash(ctx, n, false)) {
        return;
    }
    ctx.reply.array_header(ctx.args.size() - 2);
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        const std::string* v = n == nullptr ? nullptr : n->value.hash().get(ctx.args[i]);
        if (v == nullptr) {
            ctx.reply.null();
        } else {
            ctx.reply.bulk(*v);
        }
    }
}

void cmd_hdel(CommandContext& ctx) {
    remove_members(ctx, ValueType::hash, [](Object& o) -> Hash& { return o.hash(); });
}

// HGETALL, HKEYS and HVALS.
void hgetall_generic(CommandContext& ctx, bool keys, bool values) {
    Db::Node* n = nullptr;
    if (!get_hash(ctx, n, false)) {
        return;
    }
    std::size_t size = n == nullptr ? 0 : n->value.hash().size();
    if (keys && values) {
        ctx.reply.map_header(size);
    } else {
        ctx.reply.array_header(size);
    }
    if (n == nullptr) {
        return;
    }
    n->value.hash().for_each([&](const std::string& f, const std::string& v) {
        if (keys) {
            ctx.reply.bulk(f);
        }
        if (values) {
            ctx.reply.bulk(v);
        }
    });
}

void cmd_hgetall(CommandContext& ctx) {
    hgetall_generic(ctx, true, true);
}
void cmd_hkeys(CommandContext& ctx) {
    hgetall_generic(ctx, true, false);
}
void cmd_hvals(CommandContext& ctx) {
    hgetall_generic(ctx, false, true);
}

void cmd_hlen(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_hash(ctx, n, false)) {
        return;
    }
    ctx.reply.integer(n == nullptr ? 0 : static_cast<std::int64_t>(n->value.hash().size()));
}

void cmd_hstrlen(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_hash(ctx, n, false)) {
        return;
    }
    const std::string* v = n == nullptr ? nullptr : n->value.hash().get(ctx.args[2]);
    ctx.reply.integer(v == nullptr ? 0 : static_cast<std::int64_t>(v->size()));
}

void cmd_hexists(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_hash(ctx, n, false)) {
        return;
    }
    ctx.reply.integer(n != nullptr && n->value.hash().get(ctx.args[2]) != nullptr ? 1 : 0);
}

void cmd_hincrby(CommandContext& ctx) {
    auto by = parse_int(ctx.args[3]);
    if (!by) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    Hash* h = hash_for_write(ctx);
    if (h == nullptr) {
        return;
    }
    std::int64_t cur = 0;
    if (const std::string* v = h->get(ctx.args[2])) {
        auto parsed = parse_int(*v);
        if (!parsed) {
            ctx.reply.error("ERR hash value is not an integer");
            return;
        }
        cur = *parsed;
    }
    if ((*by < 0 && cur < 0 && *by < LLONG_MIN - cur) ||
        (*by > 0 && cur > 0 && *by > LLONG_MAX - cur)) {
        ctx.reply.error(err::kOverflow);
        return;
    }
    cur += *by;
    h->set(ctx.args[2], int_to_string(cur));
    ctx.modified(ctx.args[1]);
    ctx.reply.integer(cur);
}

void cmd_hincrbyfloat(CommandContext& ctx) {
    auto by = parse_long_double(ctx.args[3]);
    if (!by) {
        ctx.reply.error(err::kNotFloat);
        return;
    }
    if (std::isinf(*by)) {
        ctx.reply.error("ERR value is NaN or Infinity");
        return;
    }
    Hash* h = hash_for_write(ctx);
    if (h == nullptr) {
        return;
    }
    long double cur = 0;
    if (const std::string* v = h->get(ctx.args[2])) {
        auto parsed = parse_long_double(*v);
        if (!parsed) {
            ctx.reply.error("ERR hash value is not a float");
            return;
        }
        cur = *parsed;
    }
    cur += *by;
    if (std::isnan(cur) || std::isinf(cur)) {
        ctx.reply.error("ERR increment would produce NaN or Infinity");
        return;
    }
    std::string s = format_long_double(cur);
    h->set(ctx.args[2], s);
    // Replicas and the AOF get the result, not the increment (float formatting may differ).
    ctx.propagate_as.push_back({"HSET", std::string(ctx.args[1]), std::string(ctx.args[2]), s});
    ctx.modified(ctx.args[1]);
    ctx.reply.bulk(s);
}

// Parses the count of HRANDFIELD, SRANDMEMBER and ZRANDMEMBER (-LONG_MAX..LONG_MAX).
bool parse_rand_count(CommandContext& ctx, std::string_view arg, std::int64_t& out) {
    auto v = parse_int(arg);
    if (!v) {
        ctx.reply.error(err::kNotInteger);
        return false;
    }
    if (*v == LLONG_MIN) {
        ctx.reply.error(kRangeError);
        return false;
    }
    out = *v;
    return true;
}

void hrandfield_reply_pair(CommandContext& ctx,
                           const std::string& f,
                           const std::string& v,
                           bool withvalues) {
    if (withvalues && ctx.reply.protocol() > 2) {
        ctx.reply.array_header(2);
    }
    ctx.reply.bulk(f);
    if (withvalues) {
        ctx.reply.bulk(v);
    }
}

void cmd_hrandfield(CommandContext& ctx) {
    std::int64_t count = 0;
    bool withvalues = false;
    bool has_count = ctx.args.size() >= 3;
    if (has_count) {
        if (!parse_rand_count(ctx, ctx.args[2], count)) {
            return;
        }
        if (ctx.args.size() > 4 || (ctx.args.size() == 4 && !iequals(ctx.args[3], "withvalues"))) {
            ctx.reply.error(err::kSyntax);
            return;
        }
        if (ctx.args.size() == 4) {
            withvalues = true;
            if (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2) {
                ctx.reply.error("ERR value is out of range");
                return;
            }
        }
    }
    Db::Node* n = nullptr;
    if (!get_hash(ctx, n, false)) {
        return;
    }
    auto& rng = ctx.keyspace().rng();
    if (!has_count) {
        if (n == nullptr) {
            ctx.reply.null();
        } else {
            ctx.reply.bulk(*n->value.hash().random(rng).first);
        }
        return;
    }
    if (n == nullptr || count == 0) {
        ctx.reply.array_header(0);
        return;
    }
    const Hash& h = n->value.hash();
    auto reply_len = [&](std::size_t items) {
        ctx.reply.array_header(withvalues && ctx.reply.protocol() == 2 ? items * 2 : items);
    };
    if (count < 0) {
        // Repetitions allowed: -count independent picks.
        auto picks = static_cast<std::size_t>(-count);
        reply_len(picks);
        for (std::size_t i = 0; i < picks; ++i) {
            auto [f, v] = h.random(rng);
            hrandfield_reply_pair(ctx, *f, *v, withvalues);
        }
        return;
    }
    auto wanted = static_cast<std::size_t>(count);
    if (wanted >= h.size()) {
        reply_len(h.size());
        h.for_each([&](const std::string& f, const std::string& v) {
            hrandfield_reply_pair(ctx, f, v, withvalues);
        });
        return;
    }
    // Distinct fields: drop random entries from a copy until `wanted` remain.
    std::vector<std::pair<const std::string*, const std::string*>> all;
    all.reserve(h.size());
    h.for_each([&](const std::string& f, const std::string& v) { all.emplace_back(&f, &v); });
    while (all.size() > wanted) {
        std::uniform_int_distribution<std::size_t> pick(0, all.size() - 1);
        std::size_t i = pick(rng);
        all[i] = all.back();
        all.pop_back();
    }
    reply_len(all.size());
    for (const auto& [f, v] : all) {
        hrandfield_reply_pair(ctx, *f, *v, withvalues);
    }
}

void cmd_hscan(CommandContext& ctx) {
    ScanOptions opts;
    Db::Node* n = begin_collection_scan(ctx, ValueType::hash, opts);
    if (n == nullptr) {
        return;
    }
    const Hash& h = n->value.hash();
    std::vector<std::pair<const std::string*, const std::string*>> items;
    auto collect = [&](const std::string& f, const std::string& v) {
        items.emplace_back(&f, &v);
    };
    std::uint64_t cursor = opts.cursor;
    if (h.is_small()) {
        h.for_each(collect);
        cursor = 0;
    } else {
        cursor = scan_batch(
            cursor, opts, [&](std::uint64_t c) { return h.scan(c, collect); },
            [&] { return items.size(); });
    }
    std::size_t kept = 0;
    for (const auto& [f, v] : items) {
        if (scan_match(opts, *f)) {
            items[kept++] = {f, v};
        }
    }
    items.resize(kept);
    ctx.reply.array_header(2);
    ctx.reply.bulk(std::to_string(cursor));
    ctx.reply.array_header(items.size() * 2);
    for (const auto& [f, v] : items) {
        ctx.reply.bulk(*f);
        ctx.reply.bulk(*v);
    }
}

constexpr CommandSpec kSpecs[] = {
    {"hset", -4, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_hset, "@write @hash @fast"},
    {"hsetnx", 4, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_hsetnx, "@write @hash @fast"},
    {"hmset", -4, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_hmset, "@write @hash @fast"},
    {"hget", 3, kReadOnly | kFast, 1, 1, 1, &cmd_hget, "@read @hash @fast"},
    {"hmget", -3, kReadOnly | kFast, 1, 1, 1, &cmd_hmget, "@read @hash @fast"},
    {"hdel", -3, kWrite | kFast, 1, 1, 1, &cmd_hdel, "@write @hash @fast"},
    {"hgetall", 2, kReadOnly, 1, 1, 1, &cmd_hgetall, "@read @hash @slow"},
    {"hincrby", 4, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_hincrby, "@write @hash @fast"},
    {"hincrbyfloat", 4, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_hincrbyfloat,
     "@write @hash @fast"},
    {"hlen", 2, kReadOnly | kFast, 1, 1, 1, &cmd_hlen, "@read @hash @fast"},
    {"hstrlen", 3, kReadOnly | kFast, 1, 1, 1, &cmd_hstrlen, "@read @hash @fast"},
    {"hexists", 3, kReadOnly | kFast, 1, 1, 1, &cmd_hexists, "@read @hash @fast"},
    {"hkeys", 2, kReadOnly, 1, 1, 1, &cmd_hkeys, "@read @hash @slow"},
    {"hvals", 2, kReadOnly, 1, 1, 1, &cmd_hvals, "@read @hash @slow"},
    {"hrandfield", -2, kReadOnly, 1, 1, 1, &cmd_hrandfield, "@read @hash @slow"},
    {"hscan", -3, kReadOnly, 1, 1, 1, &cmd_hscan, "@read @hash @slow"},
};

}  // namespace

std::span<const CommandSpec> hash_commands() {
    return kSpecs;
}

}  // namespace vigil::server
