#pragma once
// DirectiveTable: the configuration directives one daemon accepts, each with how to read, print
// and (re)write its value. It drives the config file, command-line overrides, CONFIG GET, CONFIG
// SET and CONFIG REWRITE. The values live in the daemon's own config struct: directives reach
// them through the get/set functions the daemon provides (see the value helpers below).

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/config/config_lexer.hpp"

namespace vigil::common::config {

// How a value is printed by CONFIG REWRITE (CONFIG GET prints get() as is).
enum class ValueKind {
    boolean,      // yes | no
    integer,      // decimal
    memory,       // bytes; rewritten as 3gb / 16kb when exact
    enumeration,  // one name
    string,       // rewritten quoted
    special,      // the directive's own rewrite function
};

enum DirectiveFlag : std::uint32_t {
    kImmutable = 1U << 0,  // CONFIG SET: "can't set immutable config"
    kProtected = 1U << 1,  // CONFIG SET: "can't set protected config" (enable-protected-configs)
    kHidden = 1U << 2,     // CONFIG GET matches it by exact name only, never by a glob
    kIgnored = 1U << 3,    // accepted and shown, but means nothing here (start-up warning)
    kMultiArg = 1U << 4,   // takes the whole rest of the line; CONFIG SET splits its value
    kFileOnly = 1U << 5,   // only in files (rename-command, user, ...): no GET/SET, kept verbatim
                           // by REWRITE
    kNoRewrite = 1U << 6,  // REWRITE leaves its lines alone
};

// Sets a directive from its arguments (the name excluded). Returns an error reason ("argument
// must be 'yes' or 'no'") or an empty string.
using Setter = std::function<std::string(std::span<const std::string> args)>;

struct Directive {
    std::string name;
    std::vector<std::string> aliases;  // e.g. slaveof for replicaof
    ValueKind kind = ValueKind::string;
    std::uint32_t flags = 0;
    std::function<std::string()> get;  // the value as CONFIG GET prints it
    Setter set;
    // Used instead of `set` for the second and later lines of the directive in one load, for
    // directives whose lines add up (several `save` lines). Empty: `set` again.
    Setter append;
    // Special directives: the argument strings of each line CONFIG REWRITE writes (already
    // formatted, quoted where needed). An empty result writes nothing for a default value.
    std::function<std::vector<std::string>()> rewrite;
    std::string default_value;  // get() before any configuration was applied
};

class DirectiveTable {
public:
    Directive& add(Directive d);
    // Remembers every directive's current value as its default (call before loading).
    void capture_defaults();

    // By name or alias, case-insensitive; nullptr when unknown.
    const Directive* find(std::string_view name) const;
    Directive* find_mutable(std::string_view name);
    const std::vector<Directive>& directives() const { return directives_; }
    // Takes the default values of the directives of the same names in `other`.
    void copy_defaults_from(const DirectiveTable& other);

    // Applies one line from a file or the command line. Throws ConfigError with Redis's reason.
    void apply(const ConfigLine& line);
    void apply_all(const std::vector<ConfigLine>& lines);
    // Names (as written) of kIgnored directives applied so far, in order, without repeats.
    const std::vector<std::string>& ignored_seen() const { return ignored_seen_; }

    // CONFIG GET: (name, value) for every directive matching any pattern (glob, nocase).
    std::vector<std::pair<std::string, std::string>> get(
        std::span<const std::string_view> patterns) const;

    // CONFIG SET name value [name value ...], all or nothing. Returns the error reply text
    // (without '-'), or nullopt on success.
    std::optional<std::string> set(std::span<const std::string_view> name_value_pairs);
    // Applies one value as CONFIG SET does (no immutability check). Empty string on success.
    std::string set_value(const Directive& d, std::string_view value);

    // Lines (without the name) CONFIG REWRITE writes for `d`, and whether it is at its default.
    std::vector<std::string> rewrite_args(const Directive& d) const;
    bool is_default(const Directive& d) const;

    // CONFIG SET may change kProtected directives (enable-protected-configs yes).
    bool protected_allowed = false;

private:
    std::vector<Directive> directives_;
    std::unordered_map<std::string, std::size_t> index_;  // lower-case name/alias -> directive
    std::vector<std::string> ignored_seen_;
    std::vector<std::string> seen_;  // canonical names applied by apply(), for `append`
};

// ---- Value helpers: build Directives bound to variables of the daemon's config struct ----

std::string to_lower_ascii(std::string_view s);
// Redis's string2ll: optional '-', digits, no leading zeros, no spaces. nullopt if not.
std::optional<std::int64_t> parse_ll(std::string_view s);
// Redis's memtoull: digits with optional b, k, kb, m, mb, g, gb (case-insensitive).
std::optional<std::uint64_t> parse_memory(std::string_view s);
// 3221225472 -> "3gb", 16384 -> "16kb", 1000 -> "1000".
std::string format_memory(std::uint64_t bytes);

Directive bool_directive(std::string name, bool& var, std::uint32_t flags = 0);
Directive int_directive(std::string name,
                        std::int64_t& var,
                        std::int64_t min,
                        std::int64_t max,
                        std::uint32_t flags = 0);
Directive int_directive(std::string name, int& var, int min, int max, std::uint32_t flags = 0);
Directive uint_directive(std::string name,
                         std::uint64_t& var,
                         std::uint64_t min,
                         std::uint64_t max,
                         std::uint32_t flags = 0);
Directive memory_directive(std::string name,
                           std::uint64_t& var,
                           std::uint64_t min,
                           std::uint64_t max,
                           std::uint32_t flags = 0);
Directive string_directive(std::string name, std::string& var, std::uint32_t flags = 0);
// `names` in Redis's order (the error message lists them in that order).
Directive enum_directive(std::string name,
                         std::string& var,
                         std::vector<std::string> names,
                         std::uint32_t flags = 0);

// Reason texts, as redis-server 7.0 words them.
inline constexpr std::string_view kErrWrongArgs = "wrong number of arguments";
inline constexpr std::string_view kErrBadDirective = "Bad directive or wrong number of arguments";
inline constexpr std::string_view kErrNotInteger = "argument couldn't be parsed into an integer";
inline constexpr std::string_view kErrNotMemory = "argument must be a memory value";
inline constexpr std::string_view kErrNotBool = "argument must be 'yes' or 'no'";
std::string range_error(std::int64_t min, std::int64_t max);
std::string range_error(std::uint64_t min, std::uint64_t max);

}  // namespace vigil::common::config
