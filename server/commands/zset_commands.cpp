// Sorted sets: ZADD and ZINCRBY, ranges by rank, score and lex (ZRANGE's unified 6.2 form and
// the older commands), ranks, pops, removal by range, ZRANDMEMBER, ZUNIONSTORE/ZINTERSTORE, ZSCAN.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <unordered_map>

#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/commands/remove_members.hpp"
#include "server/commands/scan.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

using Entry = ZSet::Entry;

constexpr std::string_view kNotFloatRange = "ERR min or max is not a float";
constexpr std::string_view kNotLexRange = "ERR min or max not valid string range item";

bool get_zset(CommandContext& ctx, std::string_view key, Db::Node*& node, bool for_write) {
    return ctx.lookup_typed(key, ValueType::zset, node, for_write);
}

// ---- Ranges ----

struct ScoreRange {
    double min = 0, max = 0;
    bool min_excl = false, max_excl = false;
};

// One end of a score range: "(" for exclusive, then anything strtod takes whole (Redis accepts
// leading spaces and an empty string here, unlike ZADD's scores). NaN is refused.
bool parse_score_bound(std::string_view arg, double& v, bool& excl) {
    excl = !arg.empty() && arg.front() == '(';
    if (excl) {
        arg.remove_prefix(1);
    }
    std::string buf(arg);
    char* end = nullptr;
    v = std::strtod(buf.c_str(), &end);
    return *end == '\0' && !std::isnan(v);
}

bool parse_score_range(std::string_view min, std::string_view max, ScoreRange& r) {
    return parse_score_bound(min, r.min, r.min_excl) && parse_score_bound(max, r.max, r.max_excl);
}

struct LexBound {
    enum Kind { minus_inf, plus_inf, inclusive, exclusive } kind = minus_inf;
    std::string value;
};

struct LexRange {
    LexBound min, max;
};

bool parse_lex_bound(std::string_view arg, LexBound& b) {
    if (arg == "-") {
        b.kind = LexBound::minus_inf;
    } else if (arg == "+") {
        b.kind = LexBound::plus_inf;
    } else if (!arg.empty() && (arg.front() == '[' || arg.front() == '(')) {
        b.kind = arg.front() == '[' ? LexBound::inclusive : LexBound::exclusive;
        b.value.assign(arg.substr(1));
    } else {
        return false;
    }
    return true;
}

bool parse_lex_range(std::string_view min, std::string_view max, LexRange& r) {
    return parse_lex_bound(min, r.min) && parse_lex_bound(max, r.max);
}

// Number of entries with a score below v (or at most v when `or_equal`).
std::size_t count_below(const ZSet& z, double v, bool or_equal) {
    if (!or_equal) {
        return z.order_of(Entry{v, std::string()});
    }
    if (v == HUGE_VAL) {
        return z.size();
    }
    return z.order_of(Entry{std::nextafter(v, HUGE_VAL), std::string()});
}

// Ranks [first, last) of the entries inside a score range.
std::pair<std::size_t, std::size_t> score_ranks(const ZSet& z, const ScoreRange& r) {
    std::size_t first = count_below(z, r.min, r.min_excl);
    std::size_t last = count_below(z, r.max, !r.max_excl);
    return {first, std::max(first, last)};
}

// First rank in [0, size] whose member fails `before` (which must hold for a prefix).
template <class Pred>
std::size_t partition_rank(const ZSet& z, Pred before) {
    std::size_t lo = 0, hi = z.size();
    while (lo < hi) {
        std::size_t mid = lo + (hi - lo) / 2;
        if (before(z.at(mid).second)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// Entries before a lex bound used as a lower end / upper end. Lex ranges assume every entry
// has the same score (as Redis documents); with mixed scores the result follows rank order.
std::size_t lex_count_below_min(const ZSet& z, const LexBound& b) {
    switch (b.kind) {
        case LexBound::minus_inf:
            return 0;
        case LexBound::plus_inf:
            return z.size();
        case LexBound::inclusive:
            return partition_rank(z, [&](const std::string& m) { return m < b.value; });
        case LexBound::exclusive:
            return partition_rank(z, [&](const std::string& m) { return m <= b.value; });
    }
    return 0;
}

std::size_t lex_count_through_max(const ZSet& z, const LexBound& b) {
    switch (b.kind) {
        case LexBound::minus_inf:
            return 0;
        case LexBound::plus_inf:
            return z.size();
        case LexBound::inclusive:
            return partition_rank(z, [&](const std::string& m) { return m <= b.value; });
        case LexBound::exclusive:
            return partition_rank(z, [&](const std::string& m) { return m < b.value; });
    }
    return 0;
}

std::pair<std::size_t, std::size_t> lex_ranks(const ZSet& z, const LexRange& r) {
    std::size_t first = lex_count_below_min(z, r.min);
    std::size_t last = lex_count_through_max(z, r.max);
    return {first, std::max(first, last)};
}

// ---- Replies ----

void reply_score(CommandContext& ctx, double v) {
    ctx.reply.double_value(v);
}

// Member/score pairs: flat in RESP2, an array of pairs in RESP3 (as Redis 7.0 replies).
void reply_entries(CommandContext& ctx, const std::vector<Entry>& es, bool withscores) {
    bool nested = withscores && ctx.reply.protocol() > 2;
    ctx.reply.array_header(withscores && !nested ? es.size() * 2 : es.size());
    for (const auto& e : es) {
        if (nested) {
            ctx.reply.array_header(2);
        }
        ctx.reply.bulk(e.second);
        if (withscores) {
            reply_score(ctx, e.first);
        }
    }
}

// Entries of ranks [first, last), skipping `offset` and taking at most `limit` (< 0: all),
// ascending or (rev) descending.
std::vector<Entry> collect(const ZSet& z,
                           std::size_t first,
                           std::size_t last,
                           bool rev,
                           std::int64_t offset,
                           std::int64_t limit) {
    std::vector<Entry> out;
    if (offset < 0 || first >= last || static_cast<std::uint64_t>(offset) >= last - first) {
        return out;
    }
    std::size_t n = last - first - static_cast<std::size_t>(offset);
    if (limit >= 0) {
        n = std::min(n, static_cast<std::size_t>(limit));
    }
    out.reserve(n);
    auto it = z.tree().find_by_order(rev ? last - 1 - static_cast<std::size_t>(offset)
                                         : first + static_cast<std::size_t>(offset));
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) {
            // Step only between elements: never past either end of the tree.
            if (rev) {
                --it;
            } else {
                ++it;
            }
        }
        out.push_back(*it);
    }
    return out;
}

// ---- ZADD / ZINCRBY ----

void zadd_generic(CommandContext& ctx, bool zincrby) {
    const auto& a = ctx.args;
    bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = zincrby;
    std::size_t i = 2;
    while (!zincrby && i < a.size()) {
        std::string opt = to_lower(a[i]);
        if (opt == "nx") {
            nx = true;
        } else if (opt == "xx") {
            xx = true;
        } else if (opt == "gt") {
            gt = true;
        } else if (opt == "lt") {
            lt = true;
        } else if (opt == "ch") {
            ch = true;
        } else if (opt == "incr") {
            incr = true;
        } else {
            break;
        }
        ++i;
    }
    std::size_t rest = a.size() - i;
    if (rest == 0 || rest % 2 != 0) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    if (nx && xx) {
        ctx.reply.error("ERR XX and NX options at the same time are not compatible");
        return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        ctx.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if (incr && rest > 2) {
        ctx.reply.error("ERR INCR option supports a single increment-element pair");
        return;
    }
    std::vector<double> scores;
    for (std::size_t j = i; j < a.size(); j += 2) {
        auto v = parse_double(a[j]);
        if (!v) {
            ctx.reply.error(err::kNotFloat);
            return;
        }
        scores.push_back(*v);
    }
    Db::Node* n = nullptr;
    if (!get_zset(ctx, a[1], n, true)) {
        return;
    }
    if (n == nullptr) {
        if (xx) {
            if (incr) {
                ctx.reply.null();
            } else {
                ctx.reply.integer(0);
            }
            return;
        }
        n = ctx.create(a[1], ValueType::zset);
    }
    ZSet& z = n->value.zset();
    std::uint64_t added = 0, updated = 0;
    bool skipped = false;
    for (std::size_t k = 0; k < scores.size(); ++k) {
        std::string_view member = a[i + 2 * k + 1];
        double score = scores[k];
        auto cur = z.score(member);
        if (cur) {
            if (nx) {
                skipped = true;
                continue;
            }
            if (incr) {
                score += *cur;
                if (std::isnan(score)) {
                    ctx.reply.error("ERR resulting score is not a number (NaN)");
                    return;
                }
            }
            if ((lt && score >= *cur) || (gt && score <= *cur)) {
                skipped = true;
                continue;
            }
            if (score != *cur) {
                z.set(member, score);
                ++updated;
            }
        } else {
            if (xx) {
                skipped = true;
                continue;
            }
            z.set(member, score);
            ++added;
        }
    }
    if (added + updated > 0) {
        ctx.modified(a[1], added + updated);
    }
    if (incr) {
        if (skipped) {
            ctx.reply.null();
        } else {
            reply_score(ctx, *z.score(a[i + 1]));
        }
        return;
    }
    ctx.reply.integer(static_cast<std::int64_t>(ch ? added + updated : added));
}

void cmd_zadd(CommandContext& ctx) {
    zadd_generic(ctx, false);
}
void cmd_zincrby(CommandContext& ctx) {
    zadd_generic(ctx, true);
}

// ---- Simple reads and removal ----

void cmd_zrem(CommandContext& ctx) {
    remove_members(ctx, ValueType::zset, [](Object& o) -> ZSet& { return o.zset(); });
}

void cmd_zscore(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_zset(ctx, ctx.args[1], n, false)) {
        return;
    }
    auto s = n == nullptr ? std::nullopt : n->value.zset().score(ctx.args[2]);
    if (s) {
        reply_score(ctx, *s);
    } else {
        ctx.reply.null();
    }
}

void cmd_zmscore(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_zset(ctx, ctx.args[1], n, false)) {
        return;
    }
    ctx.reply.array_header(ctx.args.size() - 2);
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        auto s = n == nullptr ? std::nullopt : n->value.zset().score(ctx.args[i]);
        if (s) {
            reply_score(ctx, *s);
        } else {
            ctx.reply.null();
        }
    }
}

void cmd_zcard(CommandContext& ctx) {
    Db::Node* n = nullptr;
    if (!get_zset(ctx, ctx.args[1], n, false)) {
        return;
    }
    ctx.reply.integer(n == nullptr ? 0 : static_cast<std::int64_t>(n->value.zset().size()));
}

void cmd_zcount(CommandContext& ctx) {
    ScoreRange r;
    if (!parse_score_range(ctx.args[2], ctx.args[3], r)) {
        ctx.reply.error(kNotFloatRange);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_zset(ctx, ctx.args[1], n, false)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.integer(0);
        return;
    }
    auto [first, last] = score_ranks(n->value.zset(), r);
    ctx.reply.integer(static_cast<std::int64_t>(last - first));
}

void cmd_zlexcount(CommandContext& ctx) {
    LexRange r;
    if (!parse_lex_range(ctx.args[2], ctx.args[3], r)) {
        ctx.reply.error(kNotLexRange);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_zset(ctx, ctx.args[1], n, false)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.integer(0);
        return;
    }
    auto [first, last] = lex_ranks(n->value.zset(), r);
    ctx.reply.integer(static_cast<std::int64_t>(last - first));
}

void rank_generic(CommandContext& ctx, bool rev) {
    Db::Node* n = nullptr;
    if (!get_zset(ctx, ctx.args[1], n, false)) {
        return;
    }
    auto rank = n == nullptr ? std::nullopt : n->value.zset().rank(ctx.args[2]);
    if (!rank) {
        ctx.reply.null();
        return;
    }
    std::size_t r = rev ? n->value.zset().size() - 1 - *rank : *rank;
    ctx.reply.integer(static_cast<std::int64_t>(r));
}

void cmd_zrank(CommandContext& ctx) {
    rank_generic(ctx, false);
}
void cmd_zrevrank(CommandContext& ctx) {
    rank_generic(ctx, true);
}

// ---- ZRANGE and the older range commands ----

enum class RangeBy { rank, score, lex, unset };

// ZRANGE (by = unset) and ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX,
// ZREVRANGE (by and rev fixed by the command).
void zrange_generic(CommandContext& ctx, RangeBy by, bool rev) {
    const auto& a = ctx.args;
    const bool unified = by == RangeBy::unset;
    bool withscores = false, has_limit = false;
    std::int64_t offset = 0, limit = -1;
    for (std::size_t i = 4; i < a.size(); ++i) {
        std::string opt = to_lower(a[i]);
        std::size_t left = a.size() - i - 1;
        if (opt == "withscores") {
            withscores = true;
        } else if (opt == "limit" && left >= 2) {
            auto o = parse_int(a[i + 1]);
            auto l = o ? parse_int(a[i + 2]) : std::nullopt;
            if (!o || !l) {
                ctx.reply.error(err::kNotInteger);
                return;
            }
            offset = *o;
            limit = *l;
            has_limit = true;
            i += 2;
        } else if (unified && by == RangeBy::unset && opt == "byscore") {
            by = RangeBy::score;
        } else if (unified && by == RangeBy::unset && opt == "bylex") {
            by = RangeBy::lex;
        } else if (unified && !rev && opt == "rev") {
            rev = true;
        } else {
            ctx.reply.error(err::kSyntax);
            return;
        }
    }
    if (by == RangeBy::unset) {
        by = RangeBy::rank;
    }
    if (has_limit && by == RangeBy::rank) {
        ctx.reply.error(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX");
        return;
    }
    if (withscores && by == RangeBy::lex) {
        ctx.reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    // Reversed score and lex ranges name the maximum first.
    std::string_view min_arg = a[2], max_arg = a[3];
    if (rev && by != RangeBy::rank) {
        std::swap(min_arg, max_arg);
    }
    std::int64_t start = 0, end = 0;
    ScoreRange sr;
    LexRange lr;
    if (by == RangeBy::rank) {
        auto s = parse_int(a[2]);
        auto e = s ? parse_int(a[3]) : std::nullopt;
        if (!s || !e) {
            ctx.reply.error(err::kNotInteger);
            return;
        }
        start = *s;
        end = *e;
    } else if (by == RangeBy::score) {
        if (!parse_score_range(min_arg, max_arg, sr)) {
            ctx.reply.error(kNotFloatRange);
            return;
        }
    } else if (!parse_lex_range(min_arg, max_arg, lr)) {
        ctx.reply.error(kNotLexRange);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_zset(ctx, a[1], n, false)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.array_header(0);
        return;
    }
    const ZSet& z = n->value.zset();
    std::vector<Entry> es;
    if (by == RangeBy::rank) {
        if (clamp_index_range(start, end, z.size())) {
            auto b = static_cast<std::size_t>(start), e = static_cast<std::size_t>(end);
            if (rev) {
                // Ranks count from the highest score.
                es = collect(z, z.size() - 1 - e, z.size() - b, true, 0, -1);
            } else {
                es = collect(z, b, e + 1, false, 0, -1);
            }
        }
    } else {
        auto [first, last] = by == RangeBy::score ? score_ranks(z, sr) : lex_ranks(z, lr);
        es = collect(z, first, last, rev, offset, limit);
    }
    reply_entries(ctx, es, withscores);
}

void cmd_zrange(CommandContext& ctx) {
    zrange_generic(ctx, RangeBy::unset, false);
}
void cmd_zrevrange(CommandContext& ctx) {
    zrange_generic(ctx, RangeBy::rank, true);
}
void cmd_zrangebyscore(CommandContext& ctx) {
    zrange_generic(ctx, RangeBy::score, false);
}
void cmd_zrevrangebyscore(CommandContext& ctx) {
    zrange_generic(ctx, RangeBy::score, true);
}
void cmd_zrangebylex(CommandContext& ctx) {
    zrange_generic(ctx, RangeBy::lex, false);
}
void cmd_zrevrangebylex(CommandContext& ctx) {
    zrange_generic(ctx, RangeBy::lex, true);
}

// ---- Pops and removal by range ----

void pop_generic(CommandContext& ctx, bool max) {
    if (ctx.args.size() > 3) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    bool has_count = ctx.args.size() == 3;
    std::int64_t count = 1;
    if (has_count) {
        auto v = parse_int(ctx.args[2]);
        if (!v || *v < 0) {
            ctx.reply.error(err::kNotPositive);
            return;
        }
        count = *v;
    }
    Db::Node* n = nullptr;
    if (!get_zset(ctx, ctx.args[1], n, true)) {
        return;
    }
    if (n == nullptr || count == 0) {
        ctx.reply.array_header(0);
        return;
    }
    ZSet& z = n->value.zset();
    auto k = std::min(static_cast<std::size_t>(count), z.size());
    std::vector<Entry> es =
        max ? collect(z, z.size() - k, z.size(), true, 0, -1) : collect(z, 0, k, false, 0, -1);
    for (const auto& e : es) {
        z.erase(e.second);
    }
    ctx.delete_if_empty(n);
    ctx.modified(ctx.args[1], es.size());
    if (has_count) {
        reply_entries(ctx, es, true);
    } else {
        // Without a count the pair is flat in RESP3 too.
        ctx.reply.array_header(2);
        ctx.reply.bulk(es[0].second);
        reply_score(ctx, es[0].first);
    }
}

void cmd_zpopmin(CommandContext& ctx) {
    pop_generic(ctx, false);
}
void cmd_zpopmax(CommandContext& ctx) {
    pop_generic(ctx, true);
}

void zremrange_generic(CommandContext& ctx, RangeBy by) {
    std::int64_t start = 0, end = 0;
    ScoreRange sr;
    LexRange lr;
    if (by == RangeBy::rank) {
        auto s = parse_int(ctx.args[2]);
        auto e = s ? parse_int(ctx.args[3]) : std::nullopt;
        if (!s || !e) {
            ctx.reply.error(err::kNotInteger);
            return;
        }
        start = *s;
        end = *e;
    } else if (by == RangeBy::score) {
        if (!parse_score_range(ctx.args[2], ctx.args[3], sr)) {
            ctx.reply.error(kNotFloatRange);
            return;
        }
    } else if (!parse_lex_range(ctx.args[2], ctx.args[3], lr)) {
        ctx.reply.error(kNotLexRange);
        return;
    }
    Db::Node* n = nullptr;
    if (!get_zset(ctx, ctx.args[1], n, true)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.integer(0);
        return;
    }
    ZSet& z = n->value.zset();
    std::size_t first = 0, last = 0;
    if (by == RangeBy::rank) {
        if (clamp_index_range(start, end, z.size())) {
            first = static_cast<std::size_t>(start);
            last = static_cast<std::size_t>(end) + 1;
        }
    } else {
        std::tie(first, last) = by == RangeBy::score ? score_ranks(z, sr) : lex_ranks(z, lr);
    }
    std::vector<Entry> es = collect(z, first, last, false, 0, -1);
    for (const auto& e : es) {
        z.erase(e.second);
    }
    if (!es.empty()) {
        ctx.delete_if_empty(n);
        ctx.modified(ctx.args[1], es.size());
    }
    ctx.reply.integer(static_cast<std::int64_t>(es.size()));
}

void cmd_zremrangebyrank(CommandContext& ctx) {
    zremrange_generic(ctx, RangeBy::rank);
}
void cmd_zremrangebyscore(CommandContext& ctx) {
    zremrange_generic(ctx, RangeBy::score);
}
void cmd_zremrangebylex(CommandContext& ctx) {
    zremrange_generic(ctx, RangeBy::lex);
}

// ---- ZRANDMEMBER ----

void cmd_zrandmember(CommandContext& ctx) {
    std::int64_t count = 0;
    bool withscores = false;
    bool has_count = ctx.args.size() >= 3;
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
        if (ctx.args.size() > 4 || (ctx.args.size() == 4 && !iequals(ctx.args[3], "withscores"))) {
            ctx.reply.error(err::kSyntax);
            return;
        }
        if (ctx.args.size() == 4) {
            withscores = true;
            if (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2) {
                ctx.reply.error("ERR value is out of range");
                return;
            }
        }
    }
    Db::Node* n = nullptr;
    if (!get_zset(ctx, ctx.args[1], n, false)) {
        return;
    }
    auto& rng = ctx.keyspace().rng();
    if (!has_count) {
        if (n == nullptr) {
            ctx.reply.null();
        } else {
            const ZSet& z = n->value.zset();
            std::uniform_int_distribution<std::size_t> pick(0, z.size() - 1);
            ctx.reply.bulk(z.at(pick(rng)).second);
        }
        return;
    }
    if (n == nullptr || count == 0) {
        ctx.reply.array_header(0);
        return;
    }
    const ZSet& z = n->value.zset();
    std::vector<Entry> es;
    if (count < 0) {
        auto picks = static_cast<std::size_t>(-count);
        es.reserve(std::min<std::size_t>(picks, 1 << 20));
        std::uniform_int_distribution<std::size_t> pick(0, z.size() - 1);
        for (std::size_t i = 0; i < picks; ++i) {
            es.push_back(z.at(pick(rng)));
        }
    } else if (static_cast<std::uint64_t>(count) >= z.size()) {
        // The whole sorted set, highest score first (as Redis 7.0 replies).
        es = collect(z, 0, z.size(), true, 0, -1);
    } else {
        es = collect(z, 0, z.size(), false, 0, -1);
        auto wanted = static_cast<std::size_t>(count);
        while (es.size() > wanted) {
            std::uniform_int_distribution<std::size_t> pick(0, es.size() - 1);
            std::size_t i = pick(rng);
            es[i] = std::move(es.back());
            es.pop_back();
        }
    }
    reply_entries(ctx, es, withscores);
}

// ---- ZUNIONSTORE / ZINTERSTORE ----

// An input of ZUNIONSTORE/ZINTERSTORE: a sorted set, a set (every score 1) or nothing.
struct Source {
    const ZSet* zset = nullptr;
    const Set* set = nullptr;
    double weight = 1;

    std::size_t size() const { return zset ? zset->size() : (set ? set->size() : 0); }
    std::optional<double> score(std::string_view m) const {
        if (zset) {
            return zset->score(m);
        }
        if (set && set->contains(m)) {
            return 1.0;
        }
        return std::nullopt;
    }
    template <class F>
    void for_each(F&& fn) const {
        if (zset) {
            for (const auto& e : zset->tree()) {
                fn(e.second, e.first);
            }
        } else if (set) {
            set->for_each([&](std::string_view m) { fn(m, 1.0); });
        }
    }
};

enum class Aggregate { sum, min, max };

double weighted(double score, double weight) {
    double v = score * weight;
    return std::isnan(v) ? 0.0 : v;  // inf * 0
}

void aggregate(double& acc, double v, Aggregate how) {
    switch (how) {
        case Aggregate::sum:
            acc += v;
            if (std::isnan(acc)) {
                acc = 0.0;  // inf + -inf
            }
            break;
        case Aggregate::min:
            acc = std::min(acc, v);
            break;
        case Aggregate::max:
            acc = std::max(acc, v);
            break;
    }
}

void zstore_generic(CommandContext& ctx, bool inter) {
    const auto& a = ctx.args;
    auto numkeys = parse_int(a[2]);
    if (!numkeys) {
        ctx.reply.error(err::kNotInteger);
        return;
    }
    if (*numkeys < 1) {
        ctx.reply.error("ERR at least 1 input key is needed for '" + std::string(ctx.spec->name) +
                        "' command");
        return;
    }
    if (static_cast<std::uint64_t>(*numkeys) > a.size() - 3) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    const auto count = static_cast<std::size_t>(*numkeys);
    std::vector<Source> srcs(count);
    for (std::size_t i = 0; i < count; ++i) {
        Db::Node* n = ctx.lookup_write(a[3 + i]);
        if (n == nullptr) {
            continue;
        }
        if (n->value.type() == ValueType::zset) {
            srcs[i].zset = &n->value.zset();
        } else if (n->value.type() == ValueType::set) {
            srcs[i].set = &n->value.set();
        } else {
            ctx.reply.error(err::kWrongType);
            return;
        }
    }
    Aggregate how = Aggregate::sum;
    for (std::size_t i = 3 + count; i < a.size(); ++i) {
        std::size_t left = a.size() - i - 1;
        if (iequals(a[i], "weights") && left >= count) {
            for (std::size_t k = 0; k < count; ++k) {
                auto w = parse_double(a[i + 1 + k]);
                if (!w) {
                    ctx.reply.error("ERR weight value is not a float");
                    return;
                }
                srcs[k].weight = *w;
            }
            i += count;
        } else if (iequals(a[i], "aggregate") && left >= 1) {
            std::string h = to_lower(a[i + 1]);
            if (h == "sum") {
                how = Aggregate::sum;
            } else if (h == "min") {
                how = Aggregate::min;
            } else if (h == "max") {
                how = Aggregate::max;
            } else {
                ctx.reply.error(err::kSyntax);
                return;
            }
            ++i;
        } else {
            ctx.reply.error(err::kSyntax);
            return;
        }
    }
    // Smallest inputs first, as Redis does (the order of float additions follows it).
    std::stable_sort(srcs.begin(), srcs.end(),
                     [](const Source& x, const Source& y) { return x.size() < y.size(); });
    auto result = std::make_unique<ZSet>();
    if (inter) {
        if (srcs[0].size() > 0) {
            srcs[0].for_each([&](std::string_view m, double s) {
                double acc = weighted(s, srcs[0].weight);
                for (std::size_t k = 1; k < srcs.size(); ++k) {
                    auto other = srcs[k].score(m);
                    if (!other) {
                        return;
                    }
                    aggregate(acc, weighted(*other, srcs[k].weight), how);
                }
                result->set(m, acc);
            });
        }
    } else {
        std::unordered_map<std::string, double> acc;
        for (const auto& src : srcs) {
            src.for_each([&](std::string_view m, double s) {
                double v = weighted(s, src.weight);
                auto [it, fresh] = acc.try_emplace(std::string(m), v);
                if (!fresh) {
                    aggregate(it->second, v, how);
                }
            });
        }
        for (const auto& [m, s] : acc) {
            result->set(m, s);
        }
    }
    std::string_view dst = a[1];
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

void cmd_zunionstore(CommandContext& ctx) {
    zstore_generic(ctx, false);
}
void cmd_zinterstore(CommandContext& ctx) {
    zstore_generic(ctx, true);
}

// ---- ZSCAN ----

// A score as a listpack holds it: integral values print as integers (what ZSCAN shows for a
// small sorted set), others as %.17g.
std::string listpack_score(double v) {
    constexpr double kLimit = 4611686018427387904.0;  // 2^62
    if (std::isfinite(v) && v >= -kLimit && v <= kLimit && v == std::trunc(v)) {
        return int_to_string(static_cast<std::int64_t>(v));
    }
    return common::format_double(v);
}

void cmd_zscan(CommandContext& ctx) {
    ScanOptions opts;
    Db::Node* n = begin_collection_scan(ctx, ValueType::zset, opts);
    if (n == nullptr) {
        return;
    }
    const ZSet& z = n->value.zset();
    std::vector<std::pair<std::string, double>> items;
    auto gather = [&](const std::string& m, double s) {
        items.emplace_back(m, s);
    };
    std::uint64_t cursor = opts.cursor;
    if (z.is_small()) {
        cursor = z.scan(0, gather);
    } else {
        cursor = scan_batch(
            cursor, opts, [&](std::uint64_t c) { return z.scan(c, gather); },
            [&] { return items.size(); });
    }
    std::erase_if(items, [&](const auto& it) { return !scan_match(opts, it.first); });
    ctx.reply.array_header(2);
    ctx.reply.bulk(std::to_string(cursor));
    ctx.reply.array_header(items.size() * 2);
    for (const auto& [m, s] : items) {
        ctx.reply.bulk(m);
        ctx.reply.bulk(z.is_small() ? listpack_score(s) : common::format_double(s));
    }
}

constexpr CommandSpec kSpecs[] = {
    {"zadd", -4, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_zadd, "@write @sortedset @fast"},
    {"zrem", -3, kWrite | kFast, 1, 1, 1, &cmd_zrem, "@write @sortedset @fast"},
    {"zscore", 3, kReadOnly | kFast, 1, 1, 1, &cmd_zscore, "@read @sortedset @fast"},
    {"zmscore", -3, kReadOnly | kFast, 1, 1, 1, &cmd_zmscore, "@read @sortedset @fast"},
    {"zincrby", 4, kWrite | kDenyOom | kFast, 1, 1, 1, &cmd_zincrby, "@write @sortedset @fast"},
    {"zcard", 2, kReadOnly | kFast, 1, 1, 1, &cmd_zcard, "@read @sortedset @fast"},
    {"zcount", 4, kReadOnly | kFast, 1, 1, 1, &cmd_zcount, "@read @sortedset @fast"},
    {"zlexcount", 4, kReadOnly | kFast, 1, 1, 1, &cmd_zlexcount, "@read @sortedset @fast"},
    {"zrange", -4, kReadOnly, 1, 1, 1, &cmd_zrange, "@read @sortedset @slow"},
    {"zrangebyscore", -4, kReadOnly, 1, 1, 1, &cmd_zrangebyscore, "@read @sortedset @slow"},
    {"zrevrangebyscore", -4, kReadOnly, 1, 1, 1, &cmd_zrevrangebyscore, "@read @sortedset @slow"},
    {"zrangebylex", -4, kReadOnly, 1, 1, 1, &cmd_zrangebylex, "@read @sortedset @slow"},
    {"zrevrangebylex", -4, kReadOnly, 1, 1, 1, &cmd_zrevrangebylex, "@read @sortedset @slow"},
    {"zrevrange", -4, kReadOnly, 1, 1, 1, &cmd_zrevrange, "@read @sortedset @slow"},
    {"zrank", 3, kReadOnly | kFast, 1, 1, 1, &cmd_zrank, "@read @sortedset @fast"},
    {"zrevrank", 3, kReadOnly | kFast, 1, 1, 1, &cmd_zrevrank, "@read @sortedset @fast"},
    {"zpopmin", -2, kWrite | kFast, 1, 1, 1, &cmd_zpopmin, "@write @sortedset @fast"},
    {"zpopmax", -2, kWrite | kFast, 1, 1, 1, &cmd_zpopmax, "@write @sortedset @fast"},
    {"zremrangebyrank", 4, kWrite, 1, 1, 1, &cmd_zremrangebyrank, "@write @sortedset @slow"},
    {"zremrangebyscore", 4, kWrite, 1, 1, 1, &cmd_zremrangebyscore, "@write @sortedset @slow"},
    {"zremrangebylex", 4, kWrite, 1, 1, 1, &cmd_zremrangebylex, "@write @sortedset @slow"},
    {"zrandmember", -2, kReadOnly, 1, 1, 1, &cmd_zrandmember, "@read @sortedset @slow"},
    // Redis marks these movablekeys (the keys follow numkeys); 1 1 1 is what COMMAND INFO shows.
    {"zunionstore", -4, kWrite | kDenyOom, 1, 1, 1, &cmd_zunionstore, "@write @sortedset @slow"},
    {"zinterstore", -4, kWrite | kDenyOom, 1, 1, 1, &cmd_zinterstore, "@write @sortedset @slow"},
    {"zscan", -3, kReadOnly, 1, 1, 1, &cmd_zscan, "@read @sortedset @slow"},
};

}  // namespace

std::span<const CommandSpec> zset_commands() {
    return kSpecs;
}

}  // namespace vigil::server
