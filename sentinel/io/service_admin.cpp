// SentinelService: COMMAND and ACL, as redis-sentinel 7.0.15 answers them.
#include <algorithm>
#include <array>
#include <limits>
#include <random>

#include "common/pubsub/pubsub.hpp"
#include "sentinel/io/service.hpp"

namespace vigil::sentinel {

namespace {

constexpr std::string_view kSyntaxError = "ERR syntax error";
constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";

std::vector<std::string_view> split_words(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const std::size_t sp = s.find(' ');
        if (sp != 0) {
            out.push_back(s.substr(0, sp));
        }
        if (sp == std::string_view::npos) {
            break;
        }
        s.remove_prefix(sp + 1);
    }
    return out;
}

bool has_category(std::string_view categories, std::string_view category) {
    const auto words = split_words(categories);
    return std::find(words.begin(), words.end(), category) != words.end();
}

}  // namespace

struct SentinelService::AdminFamily {
    // ---- COMMAND ----

    static void write_flags(common::ReplyWriter& reply, std::uint32_t f) {
        static constexpr std::pair<std::uint32_t, std::string_view> kNames[] = {
            {kAdmin, "admin"},     {kPubSub, "pubsub"},  {kNoScript, "noscript"},
            {kLoading, "loading"}, {kStale, "stale"},    {kNoMulti, "no_multi"},
            {kFast, "fast"},       {kNoAuth, "no_auth"}, {kAllowBusy, "allow_busy"},
        };
        std::vector<std::string_view> names;
        for (const auto& [bit, name] : kNames) {
            if ((f & bit) != 0) {
                names.push_back(name);
            }
        }
        reply.set_header(names.size());
        for (std::string_view n : names) {
            reply.simple(n);
        }
    }

    static void write_info(common::ReplyWriter& reply, const CommandDef& def) {
        reply.array_header(10);
        reply.bulk(def.name);
        reply.integer(def.arity);
        write_flags(reply, def.flags);
        reply.integer(0);  // first key
        reply.integer(0);  // last key
        reply.integer(0);  // key step
        const auto cats = split_words(def.categories);
        reply.set_header(cats.size());
        for (std::string_view c : cats) {
            reply.simple(c);
        }
        const auto tips = split_words(def.tips);
        reply.set_header(tips.size());
        for (std::string_view t : tips) {
            reply.bulk(t);
        }
        reply.set_header(0);  // key specs: none (redis-sentinel sends an empty set)
        if (def.subcommands == nullptr) {
            reply.set_header(0);
            return;
        }
        const auto subs = def.subcommands();
        reply.array_header(subs.size());
        for (const CommandDef& sub : subs) {
            write_info(reply, sub);
        }
    }

    // The commands as currently named (rename-command), in table order.
    static std::vector<const CommandDef*> visible(const SentinelService& s) {
        std::vector<const CommandDef*> out;
        for (const CommandDef& def : command_table()) {
            for (const auto& [name, d] : s.names_) {
                if (d == &def) {
                    out.push_back(&def);
                    break;
                }
            }
        }
        return out;
    }

    static void command_all(Call& call) {
        const auto defs = visible(call.service);
        call.reply.array_header(defs.size());
        for (const CommandDef* def : defs) {
            write_info(call.reply, *def);
        }
    }

    static void command_count(Call& call) {
        call.reply.integer(static_cast<std::int64_t>(call.service.names_.size()));
    }

    static void command_info(Call& call) {
        if (call.args.size() == 2) {
            command_all(call);
            return;
        }
        call.reply.array_header(call.args.size() - 2);
        for (std::size_t i = 2; i < call.args.size(); ++i) {
            const CommandDef* def = call.service.lookup(call.args[i]);
            if (def == nullptr) {
                call.reply.null();
            } else {
                write_info(call.reply, *def);
            }
        }
    }

    static std::string_view group_of(const CommandDef& def) {
        if (has_category(def.categories, "@pubsub")) {
            return "pubsub";
        }
        if (has_category(def.categories, "@connection") || def.name.starts_with("client") ||
            def.name == "auth" || def.name == "hello") {
            return "connection";
        }
        if (def.name.starts_with("sentinel")) {
            return "sentinel";
        }
        return "server";
    }

    static void write_docs(common::ReplyWriter& reply, const CommandDef& def) {
        const bool container = def.subcommands != nullptr;
        reply.map_header(container ? 4 : 3);
        reply.bulk("summary");
        reply.bulk("");
        reply.bulk("since");
        reply.bulk(def.name.starts_with("sentinel") ? "2.8.4" : "1.0.0");
        reply.bulk("group");
        reply.bulk(group_of(def));
        if (container) {
            const auto subs = def.subcommands();
            reply.bulk("subcommands");
            reply.map_header(subs.size());
            for (const CommandDef& sub : subs) {
                reply.bulk(sub.name);
                write_docs(reply, sub);
            }
        }
    }

    // Enough for redis-cli's hints: {name: {summary, since, group[, subcommands]}}.
    static void command_docs(Call& call) {
        std::vector<const CommandDef*> defs;
        if (call.args.size() == 2) {
            defs = visible(call.service);
        } else {
            for (std::size_t i = 2; i < call.args.size(); ++i) {
                if (const CommandDef* def = call.service.lookup(call.args[i])) {
                    defs.push_back(def);
                }
            }
        }
        call.reply.map_header(defs.size());
        for (const CommandDef* def : defs) {
            call.reply.bulk(def->name);
            write_docs(call.reply, *def);
        }
    }

    static void command_list(Call& call) {
        std::string kind;
        std::string_view value;
        if (call.args.size() == 5 && iequals(call.args[2], "filterby")) {
            kind = lower(call.args[3]);
            value = call.args[4];
            if (kind != "module" && kind != "aclcat" && kind != "pattern") {
                call.reply.error(kSyntaxError);
                return;
            }
        } else if (call.args.size() != 2) {
            call.reply.error(kSyntaxError);
            return;
        }
        const std::string category = "@" + lower(value);
        auto passes = [&](const CommandDef& def) {
            if (kind.empty()) {
                return true;
            }
            if (kind == "module") {
                return false;
            }
            if (kind == "pattern") {
                return common::glob_match(value, def.name, true);
            }
            return has_category(def.categories, category);
        };
        std::vector<std::string_view> names;
        for (const CommandDef* def : visible(call.service)) {
            if (passes(*def)) {
                names.push_back(def->name);
            }
            if (def->subcommands != nullptr) {
                for (const CommandDef& sub : def->subcommands()) {
                    if (passes(sub)) {
                        names.push_back(sub.name);
                    }
                }
            }
        }
        call.reply.array_header(names.size());
        for (std::string_view n : names) {
            call.reply.bulk(n);
        }
    }

    // No sentinel command takes keys.
    static void command_getkeys(Call& call) {
        const auto cmd = call.args.subspan(2);
        const CommandDef* def = call.service.lookup(cmd[0]);
        if (def != nullptr && def->subcommands != nullptr && cmd.size() >= 2) {
            const std::string name = std::string(def->name) + "|" + lower(cmd[1]);
            const CommandDef* sub = nullptr;
            for (const CommandDef& s : def->subcommands()) {
                if (s.name == name) {
                    sub = &s;
                }
            }
            def = sub;
        }
        if (def == nullptr) {
            call.reply.error("ERR Invalid command specified");
            return;
        }
        const auto n = static_cast<long long>(cmd.size());
        if ((def->arity > 0 && n != def->arity) || n < -static_cast<long long>(def->arity)) {
            call.reply.error("ERR Invalid number of arguments specified for command");
            return;
        }
        call.reply.error("ERR The command has no key arguments");
    }

    static void command_help(Call& call) {
        static constexpr std::string_view kLines[] = {
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
            "HELP",
            "    Prints this help.",
        };
        reply_help(call.reply, kLines);
    }

    // ---- ACL ----

    static void acl_setuser(Call& call) {
        std::vector<std::string> rules(call.args.begin() + 3, call.args.end());
        SentinelService& s = call.service;
        auto valid = [&s](std::string_view name, bool is_category) {
            return s.valid_acl_name(name, is_category);
        };
        if (auto error = s.acl_.set_user(call.args[2], rules, valid)) {
            call.reply.error(*error);
            return;
        }
        call.reply.ok();
    }

    static void acl_deluser(Call& call) {
        for (std::size_t i = 2; i < call.args.size(); ++i) {
            if (call.args[i] == "default") {
                call.reply.error("ERR The 'default' user cannot be removed");
                return;
            }
        }
        std::int64_t deleted = 0;
        for (std::size_t i = 2; i < call.args.size(); ++i) {
            const std::string name(call.args[i]);
            if (!call.service.acl_.delete_user(name)) {
                continue;
            }
            ++deleted;
            // Connections logged in as a deleted user are closed, as in Redis.
            for (const auto& [id, c] : call.service.clients_) {
                if (c->user != name) {
                    continue;
                }
                if (c == &call.client) {
                    c->close_requested = true;
                } else if (c->conn != nullptr) {
                    c->conn->close_now();
                }
            }
        }
        call.reply.integer(deleted);
    }

    static void acl_getuser(Call& call) {
        const common::AclUser* u = call.service.acl_.find(call.args[2]);
        if (u == nullptr) {
            call.reply.null();
            return;
        }
        common::ReplyWriter& r = call.reply;
        r.map_header(6);
        r.bulk("flags");
        r.set_header(u->nopass ? 2 : 1);
        r.bulk(u->enabled ? "on" : "off");
        if (u->nopass) {
            r.bulk("nopass");
        }
        r.bulk("passwords");
        r.array_header(u->password_hashes.size());
        for (const auto& h : u->password_hashes) {
            r.bulk(h);
        }
        r.bulk("commands");
        r.bulk(u->commands_description());
        r.bulk("keys");
        r.bulk(u->keys_description());
        r.bulk("channels");
        const std::string channels = u->channels_description();
        r.bulk(channels == "resetchannels" ? "" : channels);
        r.bulk("selectors");
        r.array_header(0);
    }

    static void acl_list(Call& call) {
        const auto& users = call.service.acl_.users();
        call.reply.array_header(users.size());
        for (const auto& [name, u] : users) {
            call.reply.bulk(u.describe());
        }
    }

    static void acl_users(Call& call) {
        const auto& users = call.service.acl_.users();
        call.reply.array_header(users.size());
        for (const auto& [name, u] : users) {
            call.reply.bulk(name);
        }
    }

    static void acl_whoami(Call& call) { call.reply.bulk(call.client.user); }

    static void acl_cat(Call& call) {
        const auto categories = acl_categories();
        if (call.args.size() == 2) {
            call.reply.array_header(categories.size());
            for (std::string_view c : categories) {
                call.reply.bulk(c);
            }
            return;
        }
        if (call.args.size() > 3) {
            subcommand_syntax_error(call);
            return;
        }
        const std::string cat = lower(call.args[2]);
        if (std::find(categories.begin(), categories.end(), cat) == categories.end()) {
            call.reply.error("ERR Unknown category '" + std::string(call.args[2]) + "'");
            return;
        }
        const std::string tag = "@" + cat;
        std::vector<std::string_view> names;
        for (const CommandDef& def : command_table()) {
            if (has_category(def.categories, tag)) {
                names.push_back(def.name);
            }
            if (def.subcommands != nullptr) {
                for (const CommandDef& sub : def.subcommands()) {
                    if (has_category(sub.categories, tag)) {
                        names.push_back(sub.name);
                    }
                }
            }
        }
        call.reply.array_header(names.size());
        for (std::string_view n : names) {
            call.reply.bulk(n);
        }
    }

    static void acl_log(Call& call) {
        if (call.args.size() > 3) {
            subcommand_syntax_error(call);
            return;
        }
        if (call.args.size() == 3) {
            if (iequals(call.args[2], "reset")) {
                call.reply.ok();
                return;
            }
            long long n = 0;
            if (!parse_ll(call.args[2], n)) {
                call.reply.error(kNotInteger);
                return;
            }
        }
        call.reply.array_header(0);  // denied commands are not logged (yet)
    }

    static void acl_genpass(Call& call) {
        long long bits = 256;
        if (call.args.size() > 3) {
            subcommand_syntax_error(call);
            return;
        }
        if (call.args.size() == 3 && (!parse_ll(call.args[2], bits) || bits <= 0 || bits > 4096)) {
            call.reply.error(
                "ERR ACL GENPASS argument must be the number of bits for the output password, a "
                "positive number up to 4096");
            return;
        }
        static std::mt19937_64 rng{std::random_device{}()};
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out(static_cast<std::size_t>((bits + 3) / 4), '0');
        for (char& c : out) {
            c = kHex[rng() & 15];
        }
        call.reply.bulk(out);
    }

    static void acl_dryrun(Call& call) {
        const common::AclUser* u = call.service.acl_.find(call.args[2]);
        if (u == nullptr) {
            call.reply.error("ERR User '" + std::string(call.args[2]) + "' not found");
            return;
        }
        const auto cmd = call.args.subspan(3);
        const CommandDef* def = call.service.lookup(cmd[0]);
        if (def != nullptr && def->subcommands != nullptr && cmd.size() >= 2) {
            const std::string name = std::string(def->name) + "|" + lower(cmd[1]);
            const CommandDef* sub = nullptr;
            for (const CommandDef& s : def->subcommands()) {
                if (s.name == name) {
                    sub = &s;
                }
            }
            def = sub;
        }
        if (def == nullptr) {
            call.reply.error("ERR Command '" + std::string(cmd[0]) + "' not found");
            return;
        }
        const auto n = static_cast<long long>(cmd.size());
        if ((def->arity > 0 && n != def->arity) || n < -static_cast<long long>(def->arity)) {
            call.reply.error("ERR wrong number of arguments for '" + std::string(def->name) +
                             "' command");
            return;
        }
        if (!u->allows_command(def->name, def->categories)) {
            call.reply.bulk("This user has no permissions to run the '" + std::string(def->name) +
                            "' command");
            return;
        }
        std::span<const std::string_view> channels;
        bool literal = false;
        if (def->name == "publish") {
            channels = cmd.subspan(1, 1);
        } else if (def->name == "subscribe") {
            channels = cmd.subspan(1);
        } else if (def->name == "psubscribe") {
            channels = cmd.subspan(1);
            literal = true;
        }
        for (std::string_view ch : channels) {
            if (!u->allows_channel(ch, literal)) {
                call.reply.bulk("This user has no permissions to access the '" + std::string(ch) +
                                "' channel");
                return;
            }
        }
        call.reply.ok();
    }

    static void acl_no_file(Call& call) {
        call.reply.error(
            "ERR This Redis instance is not configured to use an ACL file. You may want to "
            "specify users via the ACL SETUSER command and then issue a CONFIG REWRITE "
            "(assuming you have a Redis configuration file set) in order to store users in the "
            "Redis configuration.");
    }

    static void acl_help(Call& call) {
        static constexpr std::string_view kLines[] = {
            "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CAT [<category>]",
            "    List all commands that belong to <category>, or all command categories",
            "    when no category is specified.",
            "DELUSER <username> [<username> ...]",
            "    Delete a list of users.",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Returns whether the user can execute the given command without executing the "
            "command.",
            "GETUSER <username>",
            "    Get the user's details.",
            "GENPASS [<bits>]",
            "    Generate a secure 256-bit user password. The optional `bits` argument can",
            "    be used to specify a different size.",
            "LIST",
            "    Show users details in config file format.",
            "LOAD",
            "    Reload users from the ACL file.",
            "LOG [<count> | RESET]",
            "    Show the ACL log entries.",
            "SAVE",
            "    Save the current config to the ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create or modify a user with the specified attributes.",
            "USERS",
            "    List all the registered usernames.",
            "WHOAMI",
            "    Return the current connection username.",
            "HELP",
            "    Prints this help.",
        };
        reply_help(call.reply, kLines);
    }
};

void SentinelService::command_command(Call& call) {
    AdminFamily::command_all(call);
}

// ---- tables (redis-sentinel 7.0.15's COMMAND LIST order, flags and categories) ----

std::span<const SentinelService::CommandDef> SentinelService::command_subcommands() {
    using F = AdminFamily;
    static constexpr std::uint32_t kB = kLoading | kStale;
    static constexpr std::string_view kCats = "@slow @connection";
    static constexpr std::string_view kOrder = "nondeterministic_output_order";
    static constexpr CommandDef kTable[] = {
        {"command|count", 2, kB, kCats, "", &F::command_count},
        {"command|docs", -2, kB, kCats, kOrder, &F::command_docs},
        {"command|help", 2, kB, kCats, "", &F::command_help},
        {"command|list", -2, kB, kCats, kOrder, &F::command_list},
        {"command|getkeysandflags", -4, kB, kCats, "", &F::command_getkeys},
        {"command|getkeys", -4, kB, kCats, "", &F::command_getkeys},
        {"command|info", -2, kB, kCats, kOrder, &F::command_info},
    };
    return kTable;
}

std::span<const SentinelService::CommandDef> SentinelService::acl_subcommands() {
    using F = AdminFamily;
    static constexpr std::uint32_t kB = kNoScript | kLoading | kStale;
    static constexpr std::uint32_t kA = kAdmin | kB;
    static constexpr std::string_view kAdm = "@admin @slow @dangerous";
    static constexpr CommandDef kTable[] = {
        {"acl|deluser", -3, kA, kAdm, "", &F::acl_deluser},
        {"acl|genpass", -2, kB, "@slow", "", &F::acl_genpass},
        {"acl|save", 2, kA, kAdm, "", &F::acl_no_file},
        {"acl|list", 2, kA, kAdm, "", &F::acl_list},
        {"acl|log", -2, kA, kAdm, "", &F::acl_log},
        {"acl|whoami", 2, kB, "@slow", "", &F::acl_whoami},
        {"acl|load", 2, kA, kAdm, "", &F::acl_no_file},
        {"acl|users", 2, kA, kAdm, "", &F::acl_users},
        {"acl|help", 2, kLoading | kStale, "@slow", "", &F::acl_help},
        {"acl|dryrun", -4, kA, kAdm, "", &F::acl_dryrun},
        {"acl|cat", -2, kB, "@slow", "", &F::acl_cat},
        {"acl|setuser", -3, kA, kAdm, "", &F::acl_setuser},
        {"acl|getuser", 3, kA, kAdm, "", &F::acl_getuser},
    };
    return kTable;
}

}  // namespace vigil::sentinel
