#include "common/config/directive_table.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

#include "common/pubsub/pubsub.hpp"

namespace vigil::common::config {
namespace {

std::vector<std::string> split_spaces(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) != 0) {
            ++i;
        }
        std::size_t b = i;
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) == 0) {
            ++i;
        }
        if (i > b) {
            out.emplace_back(s.substr(b, i - b));
        }
    }
    return out;
}

bool has_glob(std::string_view s) {
    return s.find_first_of("*?[") != std::string_view::npos;
}

}  // namespace

std::string to_lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::optional<std::int64_t> parse_ll(std::string_view s) {
    if (s.empty() || s.size() > 20) {
        return std::nullopt;
    }
    bool neg = false;
    std::size_t i = 0;
    if (s[0] == '-') {
        neg = true;
        i = 1;
        if (s.size() == 1) {
            return std::nullopt;
        }
    }
    if (s[i] == '0' && s.size() > i + 1) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return std::nullopt;
        }
        auto d = static_cast<std::uint64_t>(s[i] - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
            return std::nullopt;
        }
        v = v * 10 + d;
    }
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (neg) {
        if (v > kMax + 1) {
            return std::nullopt;
        }
        return v == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                             : -static_cast<std::int64_t>(v);
    }
    if (v > kMax) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(v);
}

std::optional<std::uint64_t> parse_memory(std::string_view s) {
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
        ++digits;
    }
    std::string unit = to_lower_ascii(s.substr(digits));
    std::uint64_t mul = 0;
    if (unit.empty() || unit == "b") {
        mul = 1;
    } else if (unit == "k") {
        mul = 1000;
    } else if (unit == "kb") {
        mul = 1024;
    } else if (unit == "m") {
        mul = 1000ULL * 1000;
    } else if (unit == "mb") {
        mul = 1024ULL * 1024;
    } else if (unit == "g") {
        mul = 1000ULL * 1000 * 1000;
    } else if (unit == "gb") {
        mul = 1024ULL * 1024 * 1024;
    } else {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        auto d = static_cast<std::uint64_t>(s[i] - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
            return std::nullopt;
        }
        v = v * 10 + d;
    }
    if (v != 0 && mul > std::numeric_limits<std::uint64_t>::max() / v) {
        return std::nullopt;
    }
    return v * mul;
}

std::string format_memory(std::uint64_t bytes) {
    constexpr std::uint64_t kKb = 1024;
    constexpr std::uint64_t kMb = kKb * 1024;
    constexpr std::uint64_t kGb = kMb * 1024;
    if (bytes != 0 && bytes % kGb == 0) {
        return std::to_string(bytes / kGb) + "gb";
    }
    if (bytes != 0 && bytes % kMb == 0) {
        return std::to_string(bytes / kMb) + "mb";
    }
    if (bytes != 0 && bytes % kKb == 0) {
        return std::to_string(bytes / kKb) + "kb";
    }
    return std::to_string(bytes);
}

std::string range_error(std::int64_t min, std::int64_t max) {
    return "argument must be between " + std::to_string(min) + " and " + std::to_string(max) +
           " inclusive";
}

std::string range_error(std::uint64_t min, std::uint64_t max) {
    return "argument must be between " + std::to_string(min) + " and " + std::to_string(max) +
           " inclusive";
}

// ---- DirectiveTable ----

Directive& DirectiveTable::add(Directive d) {
    std::size_t i = directives_.size();
    index_[to_lower_ascii(d.name)] = i;
    for (const auto& a : d.aliases) {
        index_[to_lower_ascii(a)] = i;
    }
    directives_.push_back(std::move(d));
    return directives_.back();
}

void DirectiveTable::capture_defaults() {
    for (auto& d : directives_) {
        if (d.get) {
            d.default_value = d.get();
        }
    }
}

const Directive* DirectiveTable::find(std::string_view name) const {
    auto it = index_.find(to_lower_ascii(name));
    return it == index_.end() ? nullptr : &directives_[it->second];
}

Directive* DirectiveTable::find_mutable(std::string_view name) {
    auto it = index_.find(to_lower_ascii(name));
    return it == index_.end() ? nullptr : &directives_[it->second];
}

void DirectiveTable::copy_defaults_from(const DirectiveTable& other) {
    for (auto& d : directives_) {
        if (const Directive* o = other.find(d.name)) {
            d.default_value = o->default_value;
        }
    }
}

void DirectiveTable::apply(const ConfigLine& line) {
    const Directive* d = line.args.empty() ? nullptr : find(line.args[0]);
    if (d == nullptr) {
        throw ConfigError(line.source, line.line, line.text, std::string(kErrBadDirective));
    }
    std::span<const std::string> args(line.args.data() + 1, line.args.size() - 1);
    // Like Redis: a multi-argument directive given one argument splits it (save "3600 1").
    std::vector<std::string> split;
    if ((d->flags & kMultiArg) != 0 && (d->flags & kFileOnly) == 0 && args.size() == 1) {
        split = split_spaces(args[0]);
        args = split;
    }
    if ((d->flags & kMultiArg) == 0 && args.size() != 1) {
        throw ConfigError(line.source, line.line, line.text, std::string(kErrWrongArgs));
    }
    std::string key = d->name;
    bool repeated = std::find(seen_.begin(), seen_.end(), key) != seen_.end();
    if (!repeated) {
        seen_.push_back(key);
    }
    std::string err = (repeated && d->append) ? d->append(args) : d->set(args);
    if (!err.empty()) {
        throw ConfigError(line.source, line.line, line.text, err);
    }
    if ((d->flags & kIgnored) != 0 && std::find(ignored_seen_.begin(), ignored_seen_.end(),
                                                line.args[0]) == ignored_seen_.end()) {
        ignored_seen_.push_back(line.args[0]);
    }
}

void DirectiveTable::apply_all(const std::vector<ConfigLine>& lines) {
    for (const auto& l : lines) {
        apply(l);
    }
}

std::vector<std::pair<std::string, std::string>> DirectiveTable::get(
    std::span<const std::string_view> patterns) const {
    std::vector<std::pair<std::string, std::string>> out;
    std::set<std::string> added;
    auto emit = [&](const std::string& name, const Directive& d) {
        if (added.insert(name).second) {
            out.emplace_back(name, d.get());
        }
    };
    for (std::string_view pattern : patterns) {
        if (!has_glob(pattern)) {
            auto it = index_.find(to_lower_ascii(pattern));
            if (it != index_.end()) {
                const Directive& d = directives_[it->second];
                if ((d.flags & kFileOnly) == 0) {
                    emit(std::string(pattern), d);  // Redis answers with the name as asked
                }
            }
            continue;
        }
        for (const Directive& d : directives_) {
            if ((d.flags & (kHidden | kFileOnly)) != 0) {
                continue;
            }
            if (glob_match(pattern, d.name, true)) {
                emit(d.name, d);
            }
            for (const auto& a : d.aliases) {
                if (glob_match(pattern, a, true)) {
                    emit(a, d);
                }
            }
        }
    }
    return out;
}

std::string DirectiveTable::set_value(const Directive& d, std::string_view value) {
    if ((d.flags & kMultiArg) != 0) {
        std::vector<std::string> args = split_spaces(value);
        return d.set(args);
    }
    std::string v(value);
    return d.set(std::span<const std::string>(&v, 1));
}

std::optional<std::string> DirectiveTable::set(std::span<const std::string_view> name_value_pairs) {
    std::vector<const Directive*> targets;
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i + 1 < name_value_pairs.size(); i += 2) {
        std::string_view name = name_value_pairs[i];
        const Directive* d = find(name);
        if (d == nullptr || (d->flags & kFileOnly) != 0) {
            return "ERR Unknown option or number of arguments for CONFIG SET - '" +
                   std::string(name) + "'";
        }
        auto fail = [&](std::string_view reason) {
            return "ERR CONFIG SET failed (possibly related to argument '" + std::string(name) +
                   "') - " + std::string(reason);
        };
        if ((d->flags & kImmutable) != 0) {
            return fail("can't set immutable config");
        }
        if ((d->flags & kProtected) != 0 && !protected_allowed) {
            return fail("can't set protected config");
        }
        if (std::find(targets.begin(), targets.end(), d) != targets.end()) {
            return fail("duplicate parameter");
        }
        targets.push_back(d);
        names.push_back(name);
    }
    std::vector<std::string> old;
    old.reserve(targets.size());
    for (const Directive* d : targets) {
        old.push_back(d->get());
    }
    for (std::size_t i = 0; i < targets.size(); ++i) {
        std::string err = set_value(*targets[i], name_value_pairs[2 * i + 1]);
        if (!err.empty()) {
            // Restore what was already changed, newest first.
            for (std::size_t j = i + 1; j-- > 0;) {
                set_value(*targets[j], old[j]);
            }
            return "ERR CONFIG SET failed (possibly related to argument '" + std::string(names[i]) +
                   "') - " + err;
        }
    }
    return std::nullopt;
}

std::vector<std::string> DirectiveTable::rewrite_args(const Directive& d) const {
    if (d.rewrite) {
        return d.rewrite();
    }
    std::string v = d.get();
    switch (d.kind) {
        case ValueKind::string:
            return {quote_arg(v)};
        case ValueKind::memory: {
            auto bytes = parse_memory(v);
            return {bytes ? format_memory(*bytes) : v};
        }
        default:
            return {v};
    }
}

bool DirectiveTable::is_default(const Directive& d) const {
    return d.get() == d.default_value;
}

// ---- value helpers ----

Directive bool_directive(std::string name, bool& var, std::uint32_t flags) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::boolean;
    d.flags = flags;
    d.get = [&var] {
        return std::string(var ? "yes" : "no");
    };
    d.set = [&var](std::span<const std::string> a) -> std::string {
        std::string v = to_lower_ascii(a[0]);
        if (v == "yes") {
            var = true;
        } else if (v == "no") {
            var = false;
        } else {
            return std::string(kErrNotBool);
        }
        return {};
    };
    return d;
}

Directive int_directive(
    std::string name, std::int64_t& var, std::int64_t min, std::int64_t max, std::uint32_t flags) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::integer;
    d.flags = flags;
    d.get = [&var] {
        return std::to_string(var);
    };
    d.set = [&var, min, max](std::span<const std::string> a) -> std::string {
        auto v = parse_ll(a[0]);
        if (!v) {
            return std::string(kErrNotInteger);
        }
        if (*v < min || *v > max) {
            return range_error(min, max);
        }
        var = *v;
        return {};
    };
    return d;
}

Directive int_directive(std::string name, int& var, int min, int max, std::uint32_t flags) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::integer;
    d.flags = flags;
    d.get = [&var] {
        return std::to_string(var);
    };
    d.set = [&var, min, max](std::span<const std::string> a) -> std::string {
        auto v = parse_ll(a[0]);
        if (!v) {
            return std::string(kErrNotInteger);
        }
        if (*v < min || *v > max) {
            return range_error(static_cast<std::int64_t>(min), static_cast<std::int64_t>(max));
        }
        var = static_cast<int>(*v);
        return {};
    };
    return d;
}

Directive uint_directive(std::string name,
                         std::uint64_t& var,
                         std::uint64_t min,
                         std::uint64_t max,
                         std::uint32_t flags) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::integer;
    d.flags = flags;
    d.get = [&var] {
        return std::to_string(var);
    };
    d.set = [&var, min, max](std::span<const std::string> a) -> std::string {
        auto v = parse_ll(a[0]);
        if (!v) {
            return std::string(kErrNotInteger);
        }
        if (*v < 0 || static_cast<std::uint64_t>(*v) < min ||
            static_cast<std::uint64_t>(*v) > max) {
            return range_error(min, max);
        }
        var = static_cast<std::uint64_t>(*v);
        return {};
    };
    return d;
}

Directive memory_directive(std::string name,
                           std::uint64_t& var,
                           std::uint64_t min,
                           std::uint64_t max,
                           std::uint32_t flags) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::memory;
    d.flags = flags;
    d.get = [&var] {
        return std::to_string(var);
    };
    d.set = [&var, min, max](std::span<const std::string> a) -> std::string {
        auto v = parse_memory(a[0]);
        if (!v) {
            return std::string(kErrNotMemory);
        }
        if (*v < min || *v > max) {
            return range_error(min, max);
        }
        var = *v;
        return {};
    };
    return d;
}

Directive string_directive(std::string name, std::string& var, std::uint32_t flags) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::string;
    d.flags = flags;
    d.get = [&var] {
        return var;
    };
    d.set = [&var](std::span<const std::string> a) -> std::string {
        var = a[0];
        return {};
    };
    return d;
}

Directive enum_directive(std::string name,
                         std::string& var,
                         std::vector<std::string> names,
                         std::uint32_t flags) {
    Directive d;
    d.name = std::move(name);
    d.kind = ValueKind::enumeration;
    d.flags = flags;
    d.get = [&var] {
        return var;
    };
    d.set = [&var, names = std::move(names)](std::span<const std::string> a) -> std::string {
        std::string v = to_lower_ascii(a[0]);
        if (std::find(names.begin(), names.end(), v) == names.end()) {
            std::string msg = "argument(s) must be one of the following: ";
            for (std::size_t i = 0; i < names.size(); ++i) {
                msg += (i != 0 ? ", " : "") + names[i];
            }
            return msg;
        }
        var = v;
        return {};
    };
    return d;
}

}  // namespace vigil::common::config
