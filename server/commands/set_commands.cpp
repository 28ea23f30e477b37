// Sets: SADD and friends, SPOP/SRANDMEMBER, SMOVE, the algebra (SINTER, SUNION, SDIFF and their
// STORE forms, SINTERCARD) and SSCAN.
#include <algorithm>
#include <climits>
#include <memory>

#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/commands/remove_members.hpp"
#include "server/commands/scan.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

bool get_set(CommandContext& ctx, std::string_view key, Db::Node*& node, bool for_write) {
    return ctx.lookup_typed(key, ValueType::set, node, for_write);
}

void cmd_sadd(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_set(ctx, ctx.args[1], n, true)) {
        return;
    }
    if (n == nullptr) {
        n = ctx.create(ctx.args[1], ValueType::set);
    }
    Set& s = n->value.set();
    std::int64_t added = 0;
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        if (s.add(ctx.args[i])) {
            ++added;
        }
    }
    if (added > 0) {
        ctx.modified(ctx.args[1], static_cast<std::uint64_t>(added));
    }
    ctx.reply.integer(added);
}

void cmd_srem(CommandContext& ctx) {
    remove_members(ctx, ValueType::set, [](Object& o) -> Set& { return o.set(); });
}

void reply_set(CommandContext& ctx, const Set& s) {
    ctx.reply.set_header(s.size());
    s.for_each([&](std::string_view m) { ctx.reply.bulk(m); });
}

void cmd_smembers(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_set(ctx, ctx.args[1], n, false)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.set_header(0);
        return;
    }
    reply_set(ctx, n->value.set());
}

void cmd_sismember(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_set(ctx, ctx.args[1], n, false)) {
        return;
    }
    ctx.reply.integer(n != nullptr && n->value.set().contains(ctx.args[2]) ? 1 : 0);
}

void cmd_smismember(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_set(ctx, ctx.args[1], n, false)) {
        return;
    }
    ctx.reply.array_header(ctx.args.size() - 2);
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        ctx.reply.integer(n != nullptr && n->value.set().contains(ctx.args[i]) ? 1 : 0);
    }
}

void cmd_scard(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_set(ctx, ctx.args[1], n, false)) {
        return;
    }
    ctx.reply.integer(n == nullptr ? 0 : static_cast<std::int64_t>(n->value.set().size()));
}

void cmd_spop(CommandContext& ctx) {
    if (ctx.args.size() > 3) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    const std::string key(ctx.args[1]);
    auto& rng = ctx.keyspace().rng();
    if (ctx.args.size() == 2) {
        Db::Node* n = nullptr;
        if (!get_set(ctx, key, n, true)) {
            return;
        }
        if (n == nullptr) {
            ctx.reply.null();
            return;
        }
        std::string m = n->value.set().random(rng);
        n->value.set().erase(m);
        ctx.delete_if_empty(n);
        ctx.propagate_as.push_back({"SREM", key, m});
        ctx.modified(key);
        ctx.reply.bulk(m);
        return;
    }
    auto v = parse_int(ctx.args[2]);
    if (!v || *v < 0) {
        ctx.reply.error(err::kNotPositive);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_set(ctx, key, n, true)) {
        return;
    }
    if (n == nullptr || *v == 0) {
        ctx.reply.set_header(0);
        return;
    }
    Set& s = n->value.set();
    const auto count = static_cast<std::uint64_t>(*v);
    if (count >= s.size()) {
        // The whole set goes: replicas just delete the key.
        reply_set(ctx, s);
        ctx.modified(key, s.size());
        ctx.db().erase(key);
        ctx.propagate_as.push_back({"DEL", key});
        return;
    }
    std::vector<std::string> prop{"SREM", key};
    prop.reserve(2 + count);
    ctx.reply.set_header(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        std::string m = s.random(rng);
        s.erase(m);
        ctx.reply.bulk(m);
        prop.push_back(std::move(m));
    }
    ctx.propagate_as.push_back(std::move(prop));
    ctx.modified(key, count);
}

void cmd_srandmember(CommandContext& ctx) {
    if (ctx.args.size() > 3) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    auto& rng = ctx.keyspace().rng();
    std::int64_t count = 0;
    bool has_count = ctx.args.size() == 3;
    if (has_count) {
        auto v = parse_int(ctx.args[2]);
        if (!v) {
            ctx.reply.error(err::kNotInteger);
            return;
        }
        if (*v == LLONG_MIN) {
            ctx.reply.error(
                "ERR value is out of range, value must between -9223372036854775807 and "
                "9223372036854775807");
            return;
        }
        count = *v;
    }
    Db::Node* n = nullptr;
    if (!get_set(ctx, ctx.args[1], n, false)) {
        return;
    }
    if (!has_count) {
        if (n == nullptr) {
            ctx.reply.null();
        } else {
            ctx.reply.bulk(n->value.set().random(rng));
        }
        return;
    }
    if (n == nullptr || count == 0) {
        ctx.reply.array_header(0);
        return;
    }
    const Set& s = n->value.set();
    if (count < 0) {
        auto picks = static_cast<std::size_t>(-count);
        ctx.reply.array_header(picks);
        for (std::size_t i = 0; i < picks; ++i) {
            ctx.reply.bulk(s.random(rng));
        }
        return;
    }
    auto wanted = static_cast<std::size_t>(count);
    if (wanted >= s.size()) {
        ctx.reply.array_header(s.size());
        s.for_each([&](std::string_view m) { ctx.reply.bulk(m); });
        return;
    }
    // Distinct members: drop random members from a copy until `wanted` remain.
    std::vector<std::string> all = s.members();
    while (all.size() > wanted) {
        std::uniform_int_distribution<std::size_t> pick(0, all.size() - 1);
        std::size_t i = pick(rng);
        all[i] = std::move(all.back());
        all.pop_back();
    }
    ctx.reply.bulk_array(all);
}

void cmd_smove(CommandContext& ctx) {
    std::string_view src = ctx.args[1];
    std::string_view dst = ctx.args[2];
    std::string_view member = ctx.args[3];
    Db::Node* s = ctx.lookup_write(src);
    Db::Node* d = ctx.lookup_write(dst);
    if (s == nullptr) {
        ctx.reply.integer(0);
        return;
    }
    if (s->value.type() != ValueType::set || (d != nullptr && d->value.type() != ValueType::set)) {
        ctx.reply.error(err::kWrongType);
        return;
    }
    if (s == d) {
        ctx.reply.integer(s->value.set().contains(member) ? 1 : 0);
        return;
    }
    if (!s->value.set().erase(member)) {
        ctx.reply.integer(0);
        return;
    }
    ctx.delete_if_empty(s);
    if (d == nullptr) {
        d = ctx.create(dst, ValueType::set);
    }
    d->value.set().add(member);
    ctx.modified(src);
    ctx.modified(dst);
    ctx.reply.integer(1);
}

enum class SetOp { inter, uni, diff };

// Looks up every key in ctx.args[first..last) as a set, replying WRONGTYPE (and returning false)
// when one holds another type. Missing keys give nullptr entries.
bool lookup_sets(CommandContext& ctx,
                 std::size_t first,
                 std::size_t last,
                 bool for_write,
                 std::vector<const Set*>& out) {
    for (std::size_t i = first; i < last; ++i) {
        Db::Node* n = nullptr;
        if (!get_set(ctx, ctx.args[i], n, for_write)) {
            return false;
        }
        out.push_back(n == nullptr ? nullptr : &n->value.set());
    }
    return true;
}

// Members of the intersection, in the iteration order of the smallest set; stops after `limit`
// members when limit > 0.
std::vector<std::string> intersect(std::vector<const Set*> sets, std::size_t limit = 0) {
    std::vector<std::string> out;
    if (sets.empty() || std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
        return out;
    }
    std::stable_sort(sets.begin(), sets.end(),
                     [](const Set* a, const Set* b) { return a->size() < b->size(); });
    bool done = false;
    sets[0]->for_each([&](std::string_view m) {
        if (done) {
            return;
        }
        for (std::size_t i = 1; i < sets.size(); ++i) {
            if (sets[i] != sets[0] && !sets[i]->contains(m)) {
                return;
            }
        }
        out.emplace_back(m);
        done = limit > 0 && out.size() >= limit;
    });
    return out;
}

// Builds the result of an operation as a new set (union and difference reply in its order).
std::unique_ptr<Set> combine(const std::vector<const Set*>& sets, SetOp op) {
    auto result = std::make_unique<Set>();
    if (op == SetOp::inter) {
        for (const auto& m : intersect(sets)) {
            result->add(m);
        }
    } else if (op == SetOp::uni) {
        for (const Set* s : sets) {
            if (s != nullptr) {
                s->for_each([&](std::string_view m) { result->add(m); });
            }
        }
    } else if (!sets.empty() && sets[0] != nullptr) {
        sets[0]->for_each([&](std::string_view m) {
            for (std::size_t i = 1; i < sets.size(); ++i) {
                if (sets[i] != nullptr && sets[i]->contains(m)) {
                    return;
                }
            }
            result->add(m);
        });
    }
    return result;
}

void set_op_generic(CommandContext& ctx, SetOp op) {
    std::vector<const Set*> sets;
    if (!lookup_sets(ctx, 1, ctx.args.size(), false, sets)) {
        return;
    }
    if (op == SetOp::inter) {
        // SINTER replies while it walks the smallest set.
        auto members = intersect(sets);
        ctx.reply.set_header(members.size());
        for (const auto& m : members) {
            ctx.reply.bulk(m);
        }
        return;
    }
    reply_set(ctx, *combine(sets, op));
}

void cmd_sinter(CommandContext& ctx) {
    set_op_generic(ctx, SetOp::inter);
}
void cmd_sunion(CommandContext& ctx) {
    set_op_generic(ctx, SetOp::uni);
}
void cmd_sdiff(CommandContext& ctx) {
    set_op_generic(ctx, SetOp::diff);
}

void set_op_store(CommandContext& ctx, SetOp op) {
    std::vector<const Set*> sets;
    if (!lookup_sets(ctx, 2, ctx.args.size(), true, sets)) {
        return;
    }
    std::unique_ptr<Set> result = combine(sets, op);
    std::string_view dst = ctx.args[1];
    if (result->size() == 0) {
        if (ctx.lookup_write(dst) != nullptr && ctx.db().erase(dst)) {
            ctx.modified(dst);
        }
        ctx.reply.integer(0);
        return;
    }
    auto size = static_cast<std::int64_t>(result->size());
    Object o;
    o.value = std::move(result);
    o.lru = static_cast<std::uint32_t>(ctx.now_ms / 1000);
    ctx.db().create(dst, std::move(o));
    ctx.modified(dst);
    ctx.reply.integer(size);
}

void cmd_sinterstore(CommandContext& ctx) {
    set_op_store(ctx, SetOp::inter);
}
void cmd_sunionstore(CommandContext& ctx) {
    set_op_store(ctx, SetOp::uni);
}
void cmd_sdiffstore(CommandContext& ctx) {
    set_op_store(ctx, SetOp::diff);
}

void cmd_sintercard(CommandContext& ctx) {
    auto numkeys = parse_int(ctx.args[1]);
    if (!numkeys || *numkeys <= 0) {
        ctx.reply.error("ERR numkeys should be greater than 0");
        return;
    }
    if (static_cast<std::uint64_t>(*numkeys) > ctx.args.size() - 2) {
        ctx.reply.error("ERR Number of keys can't be greater than number of args");
        return;
    }
    const std::size_t last = 2 + static_cast<std::size_t>(*numkeys);
    std::size_t limit = 0;
    for (std::size_t i = last; i < ctx.args.size(); i += 2) {
        if (iequals(ctx.args[i], "limit") && i + 1 < ctx.args.size()) {
            auto v = parse_int(ctx.args[i + 1]);
            if (!v || *v < 0) {
                ctx.reply.error("ERR LIMIT can't be negative");
                return;
            }
            limit = static_cast<std::size_t>(*v);
        } else {
            ctx.reply.error(err::kSyntax);
            return;
        }
    }
    std::vector<const Set*> sets;
    if (!lookup_sets(ctx, 2, last, false, sets)) {
        return;
    }
    ctx.reply.integer(static_cast<std::int64_t>(intersect(sets, limit).size()));
}

void cmd_sscan(CommandContext& ctx) {
    ScanOptions opts;
    Db::Node* n = begin_collection_scan(ctx, ValueType::set, opts);
    if (n == nullptr) {
        return;
    }
    const Set& s = n->value.set();
    std::vector<std::string> items;
    auto collect = [&](std::string_view m) {
        items.emplace_back(m);
    };
    std::uint64_t cursor = opts.cursor;
    if (s.is_intset()) {
        s.for_each(collect);
        cursor = 0;
    } else {
        cursor = scan_batch(
            cursor, opts, [&](std::uint64_t c) { return s.scan(c, collect); },
            [&] { return items.size(); });
    }
    std::erase_if(items, [&](const std::string& m) { return !scan_match(opts, m); });
    ctx.reply.array_header(2);
    ctx.reply.bulk(std::to_string(cursor));
    ctx.reply.bulk_array(items);
}

constexpr CommandSpec kSpecs[] = {
    {"sadd", -3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_sadd, "@write @set @fast"},
    {"srem", -3, kWrite | kFast, 1, 1, 1, &cmd_srem, "@write @set @fast"},
    {"smembers", 2, kReadOnly, 1, 1, 1, &cmd_smembers, "@read @set @slow"},
    {"sismember", 3, kReadOnly | kFast, 1, 1, 1, &cmd_sismember, "@read @set @fast"},
    {"smismember", -3, kReadOnly | kFast, 1, 1, 1, &cmd_smismember, "@read @set @fast"},
    {"scard", 2, kReadOnly | kFast, 1, 1, 1, &cmd_scard, "@read @set @fast"},
    {"spop", -2, kWrite | kFast, 1, 1, 1, &cmd_spop, "@write @set @fast"},
    {"srandmember", -2, kReadOnly, 1, 1, 1, &cmd_srandmember, "@read @set @slow"},
    {"smove", 4, kWrite | kFast, 1, 2, 1, &cmd_smove, "@write @set @fast"},
    {"sinter", -2, kReadOnly, 1, -1, 1, &cmd_sinter, "@read @set @slow"},
    // SINTERCARD's keys follow numkeys (movable keys in Redis): no fixed key range here.
    {"sintercard", -3, kReadOnly, 0, 0, 0, &cmd_sintercard, "@read @set @slow"},
    {"sunion", -2, kReadOnly, 1, -1, 1, &cmd_sunion, "@read @set @slow"},
    {"sdiff", -2, kReadOnly, 1, -1, 1, &cmd_sdiff, "@read @set @slow"},
    {"sinterstore", -3, kWrite | kDenyOom, 1, -1, 1, &cmd_sinterstore, "@write @set @slow"},
    {"sunionstore", -3, kWrite | kDenyOom, 1, -1, 1, &cmd_sunionstore, "@write @set @slow"},
    {"sdiffstore", -3, kWrite | kDenyOom, 1, -1, 1, &cmd_sdiffstore, "@write @set @slow"},
    {"sscan", -3, kReadOnly, 1, 1, 1, &cmd_sscan, "@read @set @slow"},
};

}  // namespace

std::span<const CommandSpec> set_commands() {
    return kSpecs;
}

}  // namespace vigil::server
