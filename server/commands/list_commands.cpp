// Lists: pushes and pops, ranges, LSET/LREM/LTRIM/LINSERT, LPOS, LMOVE. No blocking commands.
#include <algorithm>
#include <climits>

#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

enum class End { head, tail };

bool get_list(CommandContext& ctx, std::string_view key, Db::Node*& node, bool for_write) {
    return ctx.lookup_typed(key, ValueType::list, node, for_write);
}

void push(List& l, End where, std::string_view v) {
    if (where == End::head) {
        l.emplace_front(v);
    } else {
        l.emplace_back(v);
    }
}

std::string pop(List& l, End where) {
    std::string v;
    if (where == End::head) {
        v = std::move(l.front());
        l.pop_front();
    } else {
        v = std::move(l.back());
        l.pop_back();
    }
    return v;
}

// LPUSH, RPUSH, LPUSHX and RPUSHX.
void push_generic(CommandContext& ctx, End where, bool only_existing) {
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, true)) {
        return;
    }
    if (n == nullptr) {
        if (only_existing) {
            ctx.reply.integer(0);
            return;
        }
        n = ctx.create(ctx.args[1], ValueType::list);
    }
    List& l = n->value.list();
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        push(l, where, ctx.args[i]);
    }
    ctx.modified(ctx.args[1], ctx.args.size() - 2);
    ctx.reply.integer(static_cast<std::int64_t>(l.size()));
}

void cmd_lpush(CommandContext& ctx) {
    push_generic(ctx, End::head, false);
}
void cmd_rpush(CommandContext& ctx) {
    push_generic(ctx, End::tail, false);
}
void cmd_lpushx(CommandContext& ctx) {
    push_generic(ctx, End::head, true);
}
void cmd_rpushx(CommandContext& ctx) {
    push_generic(ctx, End::tail, true);
}

// LPOP and RPOP, with the optional count of Redis 6.2.
void pop_generic(CommandContext& ctx, End where) {
    if (ctx.args.size() > 3) {
        ctx.reply.error("ERR wrong number of arguments for '" + std::string(ctx.spec->name) +
                        "' command");
        return;
    }
    bool has_count = ctx.args.size() == 3;
    std::int64_t count = 0;
    if (has_count) {
        auto v = parse_int(ctx.args[2]);
        if (!v || *v < 0) {
            ctx.reply.error(err::kNotPositive);
            return;
        }
        count = *v;
    }
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, true)) {
        return;
    }
    if (n == nullptr) {
        if (has_count) {
            ctx.reply.null_array();
        } else {
            ctx.reply.null();
        }
        return;
    }
    List& l = n->value.list();
    if (!has_count) {
        ctx.reply.bulk(pop(l, where));
    } else {
        auto k = std::min(static_cast<std::size_t>(count), l.size());
        ctx.reply.array_header(k);
        for (std::size_t i = 0; i < k; ++i) {
            ctx.reply.bulk(pop(l, where));
        }
        if (k == 0) {
            return;
        }
    }
    ctx.delete_if_empty(n);
    ctx.modified(ctx.args[1]);
}

void cmd_lpop(CommandContext& ctx) {
    pop_generic(ctx, End::head);
}
void cmd_rpop(CommandContext& ctx) {
    pop_generic(ctx, End::tail);
}

void cmd_llen(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, false)) {
        return;
    }
    ctx.reply.integer(n == nullptr ? 0 : static_cast<std::int64_t>(n->value.list().size()));
}

void cmd_lrange(CommandContext& ctx) {
    auto start = parse_int(ctx.args[2]);
    auto end = parse_int(ctx.args[3]);
    if (!start || !end) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, false)) {
        return;
    }
    std::int64_t b = *start, e = *end;
    if (n == nullptr || !clamp_index_range(b, e, n->value.list().size())) {
        ctx.reply.array_header(0);
        return;
    }
    const List& l = n->value.list();
    ctx.reply.array_header(static_cast<std::size_t>(e - b + 1));
    for (auto i = b; i <= e; ++i) {
        ctx.reply.bulk(l[static_cast<std::size_t>(i)]);
    }
}

// Resolves a possibly negative index; nullopt when out of range.
std::optional<std::size_t> list_index(std::int64_t index, std::size_t size) {
    auto len = static_cast<std::int64_t>(size);
    if (index < 0) {
        index += len;
    }
    if (index < 0 || index >= len) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(index);
}

void cmd_lindex(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, false)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.null();
        return;
    }
    auto index = parse_int(ctx.args[2]);
    if (!index) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    const List& l = n->value.list();
    auto i = list_index(*index, l.size());
    if (!i) {
        ctx.reply.null();
    } else {
        ctx.reply.bulk(l[*i]);
    }
}

void cmd_lset(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, true)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.error(err::kNoSuchKey);
        return;
    }
    auto index = parse_int(ctx.args[2]);
    if (!index) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    List& l = n->value.list();
    auto i = list_index(*index, l.size());
    if (!i) {
        ctx.reply.error(err::kIndexOutOfRange);
        return;
    }
    l[*i].assign(ctx.args[3]);
    ctx.modified(ctx.args[1]);
    ctx.reply.ok();
}

void cmd_lrem(CommandContext& ctx) {
    auto count = parse_int(ctx.args[2]);
    if (!count) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, true)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.integer(0);
        return;
    }
    List& l = n->value.list();
    std::string_view v = ctx.args[3];
    // At most |count| removals (all when 0), from the head when count >= 0, else from the tail.
    std::uint64_t limit = *count == 0 ? UINT64_MAX
                                      : (*count < 0 ? 0 - static_cast<std::uint64_t>(*count)
                                                    : static_cast<std::uint64_t>(*count));
    std::uint64_t removed = 0;
    if (*count >= 0) {
        auto out = l.begin();
        for (auto it = l.begin(); it != l.end(); ++it) {
            if (removed < limit && *it == v) {
                ++removed;
                continue;
            }
            if (out != it) {
                *out = std::move(*it);
            }
            ++out;
        }
        l.erase(out, l.end());
    } else {
        auto out = l.rbegin();
        for (auto it = l.rbegin(); it != l.rend(); ++it) {
            if (removed < limit && *it == v) {
                ++removed;
                continue;
            }
            if (out != it) {
                *out = std::move(*it);
            }
            ++out;
        }
        l.erase(l.begin(), out.base());
    }
    if (removed > 0) {
        ctx.delete_if_empty(n);
        ctx.modified(ctx.args[1]);
    }
    ctx.reply.integer(static_cast<std::int64_t>(removed));
}

void cmd_ltrim(CommandContext& ctx) {
    auto start = parse_int(ctx.args[2]);
    auto end = parse_int(ctx.args[3]);
    if (!start || !end) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, true)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.ok();
        return;
    }
    List& l = n->value.list();
    std::int64_t b = *start, e = *end;
    if (!clamp_index_range(b, e, l.size())) {
        l.clear();
    } else {
        l.erase(l.begin() + e + 1, l.end());
        l.erase(l.begin(), l.begin() + b);
    }
    ctx.delete_if_empty(n);
    ctx.modified(ctx.args[1]);
    ctx.reply.ok();
}

void cmd_linsert(CommandContext& ctx) {
    bool after = false;
    if (iequals(ctx.args[2], "after")) {
        after = true;
    } else if (!iequals(ctx.args[2], "before")) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, true)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.integer(0);
        return;
    }
    List& l = n->value.list();
    auto it = std::find(l.begin(), l.end(), ctx.args[3]);
    if (it == l.end()) {
        ctx.reply.integer(-1);
        return;
    }
    if (after) {
        ++it;
    }
    l.emplace(it, ctx.args[4]);
    ctx.modified(ctx.args[1]);
    ctx.reply.integer(static_cast<std::int64_t>(l.size()));
}

void cmd_lpos(CommandContext& ctx) {
    std::int64_t rank = 1, count = -1, maxlen = 0;
    for (std::size_t i = 3; i < ctx.args.size(); i += 2) {
        std::string opt = to_lower(ctx.args[i]);
        if (i + 1 >= ctx.args.size() || (opt != "rank" && opt != "count" && opt != "maxlen")) {
            ctx.reply.error(err::kSyntax);
            return;
        }
        auto v = parse_int(ctx.args[i + 1]);
        if (!v) {
            ctx.reply.error(err::kNotInteger);
            return;
        }
        if (opt == "rank") {
            if (*v == 0) {
                ctx.reply.error(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                    "second ... or use negative to start from the end of the list");
                return;
            }
            // Redis 7.0 accepts LLONG_MIN and then treats it as the first match from the tail.
            rank = *v == LLONG_MIN ? -1 : *v;
        } else if (opt == "count") {
            if (*v < 0) {
                ctx.reply.error("ERR COUNT can't be negative");
                return;
            }
            count = *v;
        } else {
            if (*v < 0) {
                ctx.reply.error("ERR MAXLEN can't be negative");
                return;
            }
            maxlen = *v;
        }
    }
    Db::Node* n = nullptr;
    if (!get_list(ctx, ctx.args[1], n, false)) {
        return;
    }
    if (n == nullptr) {
        if (count >= 0) {
            ctx.reply.array_header(0);
        } else {
            ctx.reply.null();
        }
        return;
    }
    const List& l = n->value.list();
    const bool from_tail = rank < 0;
    const std::int64_t skip = (from_tail ? -rank : rank) - 1;
    const std::size_t size = l.size();
    const std::size_t limit = maxlen == 0 ? size : std::min(size, static_cast<std::size_t>(maxlen));
    std::vector<std::int64_t> found;
    std::int64_t matches = 0;
    for (std::size_t k = 0; k < limit; ++k) {
        std::size_t idx = from_tail ? size - 1 - k : k;
        if (l[idx] != ctx.args[2]) {
            continue;
        }
        if (matches++ < skip) {
            continue;
        }
        found.push_back(static_cast<std::int64_t>(idx));
        if (count < 0 || (count > 0 && static_cast<std::int64_t>(found.size()) >= count)) {
            break;
        }
    }
    if (count < 0) {
        if (found.empty()) {
            ctx.reply.null();
        } else {
            ctx.reply.integer(found.front());
        }
        return;
    }
    ctx.reply.array_header(found.size());
    for (auto idx : found) {
        ctx.reply.integer(idx);
    }
}

bool parse_end(CommandContext& ctx, std::string_view arg, End& out) {
    if (iequals(arg, "left")) {
        out = End::head;
    } else if (iequals(arg, "right")) {
        out = End::tail;
    } else {
        ctx.reply.error(err::kSyntax);
        return false;
    }
    return true;
}

void move_generic(CommandContext& ctx, End from, End to) {
    std::string_view src = ctx.args[1];
    std::string_view dst = ctx.args[2];
    Db::Node* s = nullptr;
    if (!get_list(ctx, src, s, true)) {
        return;
    }
    if (s == nullptr) {
        ctx.reply.null();
        return;
    }
    Db::Node* d = nullptr;
    if (!get_list(ctx, dst, d, true)) {
        return;
    }
    std::string v = pop(s->value.list(), from);
    if (d == nullptr) {
        // The source may be the destination: it still exists (not yet deleted when empty).
        d = ctx.create(dst, ValueType::list);
    }
    push(d->value.list(), to, v);
    ctx.delete_if_empty(s);
    ctx.modified(src);
    if (dst != src) {
        ctx.modified(dst);
    }
    ctx.reply.bulk(v);
}

void cmd_lmove(CommandContext& ctx) {
    End from = End::head, to = End::head;
    if (!parse_end(ctx, ctx.args[3], from) || !parse_end(ctx, ctx.args[4], to)) {
        return;
    }
    move_generic(ctx, from, to);
}

void cmd_rpoplpush(CommandContext& ctx) {
    move_generic(ctx, End::tail, End::head);
}

constexpr CommandSpec kSpecs[] = {
    {"lpush", -3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_lpush, "@write @list @fast"},
    {"rpush", -3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_rpush, "@write @list @fast"},
    {"lpushx", -3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_lpushx, "@write @list @fast"},
    {"rpushx", -3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_rpushx, "@write @list @fast"},
    {"lpop", -2, kWrite | kFast, 1, 1, 1, &cmd_lpop, "@write @list @fast"},
    {"rpop", -2, kWrite | kFast, 1, 1, 1, &cmd_rpop, "@write @list @fast"},
    {"llen", 2, kReadOnly | kFast, 1, 1, 1, &cmd_llen, "@read @list @fast"},
    {"lrange", 4, kReadOnly, 1, 1, 1, &cmd_lrange, "@read @list @slow"},
    {"lindex", 3, kReadOnly, 1, 1, 1, &cmd_lindex, "@read @list @slow"},
    {"lset", 4, kWrite | kDenyOom, 1, 1, 1, &cmd_lset, "@write @list @slow"},
    {"lrem", 4, kWrite, 1, 1, 1, &cmd_lrem, "@write @list @slow"},
    {"ltrim", 4, kWrite, 1, 1, 1, &cmd_ltrim, "@write @list @slow"},
    {"linsert", 5, kWrite | kDenyOom, 1, 1, 1, &cmd_linsert, "@write @list @slow"},
    {"lpos", -3, kReadOnly, 1, 1, 1, &cmd_lpos, "@read @list @slow"},
    {"lmove", 5, kWrite | kDenyOom, 1, 2, 1, &cmd_lmove, "@write @list @slow"},
    {"rpoplpush", 3, kWrite | kDenyOom, 1, 2, 1, &cmd_rpoplpush, "@write @list @slow"},
};

}  // namespace

std::span<const CommandSpec> list_commands() {
    return kSpecs;
}

}  // namespace vigil::server
