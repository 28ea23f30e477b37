// Strings: GET, SET and friends, counters, ranges.
#include <algorithm>
#include <climits>
#include <cmath>

#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

constexpr std::size_t kMaxStringSize = 512ULL * 1024 * 1024;

// Looks up a string key for reading; replies WRONGTYPE when it holds another type.
bool get_string(CommandContext& ctx, std::string_view key, Db::Node*& node) {
    return ctx.lookup_typed(key, ValueType::string, node, false);
}

Db::Node* set_string(CommandContext& ctx, std::string_view key, std::string_view value) {
    Object o;
    o.value = std::string(value);
    o.lru = ctx.server.initial_access(ctx.now_ms);
    return ctx.db().create(key, std::move(o));
}

void cmd_get(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_string(ctx, ctx.args[1], n)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.null();
    } else {
        ctx.reply.bulk(n->value.str());
    }
}

// Parses an expire argument for SET/GETEX/SETEX: unit_ms = 1000 for seconds.
// Returns the absolute Unix ms time, or replies an error.
bool parse_expire(CommandContext& ctx,
                  std::string_view arg,
                  std::int64_t unit_ms,
                  bool absolute,
                  std::string_view command,
                  std::int64_t& when) {
    auto v = parse_int(arg);
    if (!v) {
        ctx.reply.error(err::kNotInteger);
        return false;
    }
    if (*v <= 0 || (unit_ms == 1000 && *v > LLONG_MAX / 1000)) {
        ctx.reply.error("ERR invalid expire time in '" + std::string(command) + "' command");
        return false;
    }
    std::int64_t ms = *v * unit_ms;
    if (!absolute) {
        if (ms > LLONG_MAX - ctx.now_ms) {
            ctx.reply.error("ERR invalid expire time in '" + std::string(command) + "' command");
            return false;
        }
        ms += ctx.now_ms;
    }
    when = ms;
    return true;
}

// Options of SET (is_set) and GETEX. As Redis, the whole list is checked for syntax first and
// the expire value is parsed afterwards; an expire option may repeat (the last one wins) but not
// mix with another unit, KEEPTTL or PERSIST.
struct StringOptions {
    bool nx = false;
    bool xx = false;
    bool get = false;
    bool keepttl = false;
    bool persist = false;
    std::string expire_opt;  // "ex", "px", "exat", "pxat" or empty
    std::string_view expire_arg;
};

bool parse_string_options(CommandContext& ctx, std::size_t first, bool is_set, StringOptions& o) {
    const auto& a = ctx.args;
    for (std::size_t i = first; i < a.size(); ++i) {
        std::string opt = to_lower(a[i]);
        bool has_next = i + 1 < a.size();
        bool expire_free = o.expire_opt.empty() || o.expire_opt == opt;
        if (opt == "nx" && is_set && !o.xx) {
            o.nx = true;
        } else if (opt == "xx" && is_set && !o.nx) {
            o.xx = true;
        } else if (opt == "get" && is_set) {
            o.get = true;
        } else if (opt == "keepttl" && is_set && o.expire_opt.empty()) {
            o.keepttl = true;
        } else if (opt == "persist" && !is_set && o.expire_opt.empty()) {
            o.persist = true;
        } else if ((opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && expire_free &&
                   !o.keepttl && !o.persist && has_next) {
            o.expire_opt = opt;
            o.expire_arg = a[++i];
        } else {
            ctx.reply.error(err::kSyntax);
            return false;
        }
    }
    return true;
}

// The absolute expire time of parsed options, or an error reply.
bool options_expire(CommandContext& ctx,
                    const StringOptions& o,
                    std::string_view command,
                    std::int64_t& when) {
    bool seconds = o.expire_opt == "ex" || o.expire_opt == "exat";
    bool absolute = o.expire_opt == "exat" || o.expire_opt == "pxat";
    return parse_expire(ctx, o.expire_arg, seconds ? 1000 : 1, absolute, command, when);
}

void cmd_set(CommandContext& ctx) {
    const auto& a = ctx.args;
    StringOptions opts;
    if (!parse_string_options(ctx, 3, true, opts)) {
        return;
    }
    std::int64_t when = -1;
    const bool has_expire = !opts.expire_opt.empty();
    if (has_expire && !options_expire(ctx, opts, "set", when)) {
        return;
    }
    const bool nx = opts.nx, xx = opts.xx, get = opts.get, keepttl = opts.keepttl;
    Db::Node* n = ctx.lookup_write(a[1]);
    if (get) {
        if (n != nullptr && n->value.type() != ValueType::string) {
            ctx.reply.error(err::kWrongType);
            return;
        }
    }
    if ((nx && n != nullptr) || (xx && n == nullptr)) {
        if (get) {
            if (n == nullptr) {
                ctx.reply.null();
            } else {
                ctx.reply.bulk(n->value.str());
            }
        } else {
            ctx.reply.null();
        }
        return;
    }
    std::string old;
    bool had_old = n != nullptr;
    if (get && had_old) {
        old = n->value.str();
    }
    std::int64_t keep = (keepttl && n != nullptr) ? n->value.expire_ms : -1;
    n = set_string(ctx, a[1], a[2]);
    if (has_expire) {
        ctx.db().set_expire(n, when);
        // Relative expiry reaches the AOF and replicas as an absolute time.
        ctx.propagate_as.push_back(
            {"SET", std::string(a[1]), std::string(a[2]), "PXAT", int_to_string(when)});
    } else if (keep >= 0) {
        ctx.db().set_expire(n, keep);
    }
    ctx.modified(a[1]);
    if (get) {
        if (had_old) {
            ctx.reply.bulk(old);
        } else {
            ctx.reply.null();
        }
    } else {
        ctx.reply.ok();
    }
}

void cmd_setnx(CommandContext& ctx) {
    if (ctx.lookup_write(ctx.args[1]) != nullptr) {
        ctx.reply.integer(0);
        return;
    }
    set_string(ctx, ctx.args[1], ctx.args[2]);
    ctx.modified(ctx.args[1]);
    ctx.reply.integer(1);
}

void setex_generic(CommandContext& ctx, std::int64_t unit_ms, std::string_view name) {
    std::int64_t when = 0;
    if (!parse_expire(ctx, ctx.args[2], unit_ms, false, name, when)) {
        return;
    }
    Db::Node* n = set_string(ctx, ctx.args[1], ctx.args[3]);
    ctx.db().set_expire(n, when);
    ctx.propagate_as.push_back(
        {"SET", std::string(ctx.args[1]), std::string(ctx.args[3]), "PXAT", int_to_string(when)});
    ctx.modified(ctx.args[1]);
    ctx.reply.ok();
}

void cmd_setex(CommandContext& ctx) {
    setex_generic(ctx, 1000, "setex");
}
void cmd_psetex(CommandContext& ctx) {
    setex_generic(ctx, 1, "psetex");
}

void cmd_getset(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!ctx.lookup_typed(ctx.args[1], ValueType::string, n, true)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.null();
    } else {
        ctx.reply.bulk(n->value.str());
    }
    set_string(ctx, ctx.args[1], ctx.args[2]);
    ctx.modified(ctx.args[1]);
}

void cmd_getdel(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_string(ctx, ctx.args[1], n)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.null();
        return;
    }
    ctx.reply.bulk(n->value.str());
    ctx.db().erase(ctx.args[1]);
    ctx.modified(ctx.args[1]);
}

void cmd_getex(CommandContext& ctx) {
    const auto& a = ctx.args;
    StringOptions opts;
    if (!parse_string_options(ctx, 2, false, opts)) {
        return;
    }
    // A missing key or another type is answered before the expire value is checked.
    Db::Node* n = nullptr;
    if (!get_string(ctx, a[1], n)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.null();
        return;
    }
    std::int64_t when = -1;
    const bool has_expire = !opts.expire_opt.empty();
    const bool persist = opts.persist;
    if (has_expire && !options_expire(ctx, opts, "getex", when)) {
        return;
    }
    ctx.reply.bulk(n->value.str());
    if (has_expire) {
        if (when <= ctx.now_ms) {
            ctx.db().erase(a[1]);
            ctx.propagate_as.push_back({"DEL", std::string(a[1])});
        } else {
            ctx.db().set_expire(n, when);
            ctx.propagate_as.push_back({"PEXPIREAT", std::string(a[1]), int_to_string(when)});
        }
        ctx.modified(a[1]);
    } else if (persist && ctx.db().persist(n)) {
        ctx.propagate_as.push_back({"PERSIST", std::string(a[1])});
        ctx.modified(a[1]);
    }
}

void cmd_mget(CommandContext& ctx) {
    ctx.reply.array_header(ctx.args.size() - 1);
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        Db::Node* n = ctx.lookup_read(ctx.args[i]);
        if (n == nullptr || n->value.type() != ValueType::string) {
            ctx.reply.null();
        } else {
            ctx.reply.bulk(n->value.str());
        }
    }
}

void cmd_mset(CommandContext& ctx) {
    if (ctx.args.size() % 2 != 1) {
        ctx.reply.error("ERR wrong number of arguments for '" + std::string(ctx.spec->name) +
                        "' command");
        return;
    }
    if (ctx.spec->name == "msetnx") {
        for (std::size_t i = 1; i < ctx.args.size(); i += 2) {
            if (ctx.lookup_write(ctx.args[i]) != nullptr) {
                ctx.reply.integer(0);
                return;
            }
        }
    }
    for (std::size_t i = 1; i < ctx.args.size(); i += 2) {
        set_string(ctx, ctx.args[i], ctx.args[i + 1]);
        ctx.modified(ctx.args[i]);
    }
    if (ctx.spec->name == "msetnx") {
        ctx.reply.integer(1);
    } else {
        ctx.reply.ok();
    }
}

void incr_generic(CommandContext& ctx, std::int64_t by) {
    Db::Node* n = nullptr;
    if (!ctx.lookup_typed(ctx.args[1], ValueType::string, n, true)) {
        return;
    }
    std::int64_t cur = 0;
    if (n != nullptr) {
        auto v = parse_int(n->value.str());
        if (!v) {
            ctx.reply.error(err::kNotInteger);
            return;
        }
        cur = *v;
    }
    if ((by < 0 && cur < 0 && by < LLONG_MIN - cur) ||
        (by > 0 && cur > 0 && by > LLONG_MAX - cur)) {
        ctx.reply.error(err::kOverflow);
        return;
    }
    cur += by;
    if (n == nullptr) {
        set_string(ctx, ctx.args[1], int_to_string(cur));
    } else {
        n->value.str() = int_to_string(cur);
    }
    ctx.modified(ctx.args[1]);
    ctx.reply.integer(cur);
}

void cmd_incr(CommandContext& ctx) {
    incr_generic(ctx, 1);
}
void cmd_decr(CommandContext& ctx) {
    incr_generic(ctx, -1);
}

void cmd_incrby(CommandContext& ctx) {
    auto by = parse_int(ctx.args[2]);
    if (!by) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    incr_generic(ctx, *by);
}

void cmd_decrby(CommandContext& ctx) {
    auto by = parse_int(ctx.args[2]);
    if (!by) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    if (*by == LLONG_MIN) {
        ctx.reply.error("ERR decrement would overflow");
        return;
    }
    incr_generic(ctx, -*by);
}

void cmd_incrbyfloat(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!ctx.lookup_typed(ctx.args[1], ValueType::string, n, true)) {
        return;
    }
    long double cur = 0;
    if (n != nullptr) {
        auto v = parse_long_double(n->value.str());
        if (!v) {
            ctx.reply.error(err::kNotFloat);
            return;
        }
        cur = *v;
    }
    auto by = parse_long_double(ctx.args[2]);
    if (!by) {
        ctx.reply.error(err::kNotFloat);
        return;
    }
    cur += *by;
    if (std::isnan(cur) || std::isinf(cur)) {
        ctx.reply.error("ERR increment would produce NaN or Infinity");
        return;
    }
    std::string s = format_long_double(cur);
    if (n == nullptr) {
        set_string(ctx, ctx.args[1], s);
    } else {
        n->value.str() = s;
    }
    // Replicas and the AOF get the result, not the increment (float formatting may differ).
    ctx.propagate_as.push_back({"SET", std::string(ctx.args[1]), s, "KEEPTTL"});
    ctx.modified(ctx.args[1]);
    ctx.reply.bulk(s);
}

void cmd_append(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!ctx.lookup_typed(ctx.args[1], ValueType::string, n, true)) {
        return;
    }
    if (n == nullptr) {
        n = set_string(ctx, ctx.args[1], ctx.args[2]);
    } else {
        if (n->value.str().size() + ctx.args[2].size() > kMaxStringSize) {
            ctx.reply.error(err::kStringTooLong);
            return;
        }
        n->value.str().append(ctx.args[2]);
    }
    ctx.modified(ctx.args[1]);
    ctx.reply.integer(static_cast<std::int64_t>(n->value.str().size()));
}

void cmd_strlen(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_string(ctx, ctx.args[1], n)) {
        return;
    }
    ctx.reply.integer(n == nullptr ? 0 : static_cast<std::int64_t>(n->value.str().size()));
}

void cmd_getrange(CommandContext& ctx) {
    auto start = parse_int(ctx.args[2]);
    auto end = parse_int(ctx.args[3]);
    if (!start || !end) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_string(ctx, ctx.args[1], n)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.bulk("");
        return;
    }
    const std::string& s = n->value.str();
    auto len = static_cast<std::int64_t>(s.size());
    std::int64_t b = *start, e = *end;
    if (b < 0 && e < 0 && b > e) {
        ctx.reply.bulk("");
        return;
    }
    if (b < 0)
        b = len + b;
    if (e < 0)
        e = len + e;
    if (b < 0)
        b = 0;
    if (e < 0)
        e = 0;
    if (e >= len)
        e = len - 1;
    if (b > e || len == 0) {
        ctx.reply.bulk("");
        return;
    }
    ctx.reply.bulk(std::string_view(s).substr(static_cast<std::size_t>(b),
                                              static_cast<std::size_t>(e - b + 1)));
}

void cmd_setrange(CommandContext& ctx) {
    auto off = parse_int(ctx.args[2]);
    if (!off) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    if (*off < 0) {
        ctx.reply.error("ERR offset is out of range");
        return;
    }
    std::string_view value = ctx.args[3];
    Db::Node* n = nullptr;
    if (!ctx.lookup_typed(ctx.args[1], ValueType::string, n, true)) {
        return;
    }
    auto offset = static_cast<std::size_t>(*off);
    if (n == nullptr) {
        if (value.empty()) {
            ctx.reply.integer(0);
            return;
        }
        if (offset + value.size() > kMaxStringSize) {
            ctx.reply.error(err::kStringTooLong);
            return;
        }
        n = set_string(ctx, ctx.args[1], "");
    } else if (value.empty()) {
        ctx.reply.integer(static_cast<std::int64_t>(n->value.str().size()));
        return;
    } else if (offset + value.size() > kMaxStringSize) {
        ctx.reply.error(err::kStringTooLong);
        return;
    }
    std::string& s = n->value.str();
    if (s.size() < offset + value.size()) {
        s.resize(offset + value.size(), '\0');
    }
    std::copy(value.begin(), value.end(), s.begin() + static_cast<std::ptrdiff_t>(offset));
    ctx.modified(ctx.args[1]);
    ctx.reply.integer(static_cast<std::int64_t>(s.size()));
}

constexpr CommandSpec kSpecs[] = {
    // name         arity flags                       keys        handler
    {"get", 2, kReadOnly | kFast, 1, 1, 1, &cmd_get, "@read @string @fast"},
    {"set", -3, kWrite | kDenyOom, 1, 1, 1, &cmd_set, "@write @string @slow"},
    {"setnx", 3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_setnx, "@write @string @fast"},
    {"setex", 4, kWrite | kDenyOom, 1, 1, 1, &cmd_setex, "@write @string @slow"},
    {"psetex", 4, kWrite | kDenyOom, 1, 1, 1, &cmd_psetex, "@write @string @slow"},
    {"getset", 3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_getset, "@write @string @fast"},
    {"getdel", 2, kWrite | kFast, 1, 1, 1, &cmd_getdel, "@write @string @fast"},
    {"getex", -2, kWrite | kFast, 1, 1, 1, &cmd_getex, "@write @string @fast"},
    {"mget", -2, kReadOnly | kFast, 1, -1, 1, &cmd_mget, "@read @string @fast"},
    {"mset", -3, kWrite | kDenyOom, 1, -1, 2, &cmd_mset, "@write @string @slow"},
    {"msetnx", -3, kWrite | kDenyOom, 1, -1, 2, &cmd_mset, "@write @string @slow"},
    {"incr", 2, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_incr, "@write @string @fast"},
    {"decr", 2, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_decr, "@write @string @fast"},
    {"incrby", 3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_incrby, "@write @string @fast"},
    {"decrby", 3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_decrby, "@write @string @fast"},
    {"incrbyfloat", 3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_incrbyfloat,
     "@write @string @fast"},
    {"append", 3, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_append, "@write @string @fast"},
    {"strlen", 2, kReadOnly | kFast, 1, 1, 1, &cmd_strlen, "@read @string @fast"},
    {"getrange", 4, kReadOnly, 1, 1, 1, &cmd_getrange, "@read @string @slow"},
    {"substr", 4, kReadOnly, 1, 1, 1, &cmd_getrange, "@read @string @slow"},
    {"setrange", 4, kWrite | kDenyOom, 1, 1, 1, &cmd_setrange, "@write @string @slow"},
};

}  // namespace

std::span<const CommandSpec> string_commands() {
    return kSpecs;
}

}  // namespace vigil::server
