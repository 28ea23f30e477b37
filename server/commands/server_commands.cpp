// Server: INFO, TIME, COMMAND, ROLE, DEBUG, SHUTDOWN, LASTSAVE, SCRIPT, MEMORY.
#include <chrono>
#include <thread>

#include "common/pubsub/pubsub.hpp"
#include "common/util/memory.hpp"
#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/commands/info.hpp"
#include "server/server.hpp"
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace vigil::server {
namespace {

void cmd_time(CommandContext& ctx) {
    using namespace std::chrono;
    auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
    ctx.reply.array_header(2);
    ctx.reply.bulk(std::to_string(us / 1000000));
    ctx.reply.bulk(std::to_string(us % 1000000));
}

void cmd_info(CommandContext& ctx) {
    std::vector<std::string> sections;
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        sections.push_back(to_lower(ctx.args[i]));
    }
    ctx.reply.verbatim(render_info(ctx.server, sections, ctx.now_ms));
}

void cmd_lastsave(CommandContext& ctx) {
    ctx.reply.integer(ctx.server.stats.lastsave_s);
}

void cmd_role(CommandContext& ctx) {
    ctx.server.replication->role(ctx);
}

// ---- COMMAND ----

void write_flags(CommandContext& ctx, const CommandSpec& s) {
    std::vector<std::string_view> flags;
    if (s.flags & kWrite)
        flags.push_back("write");
    if (s.flags & kReadOnly)
        flags.push_back("readonly");
    if (s.flags & kDenyOom)
        flags.push_back("denyoom");
    if (s.flags & kAdmin)
        flags.push_back("admin");
    if (s.flags & kPubSub)
        flags.push_back("pubsub");
    if (s.flags & kNoScript)
        flags.push_back("noscript");
    if (s.flags & kBlocking)
        flags.push_back("blocking");
    if (s.flags & kLoading)
        flags.push_back("loading");
    if (s.flags & kStale)
        flags.push_back("stale");
    if (s.flags & kSkipSlowlog)
        flags.push_back("skip_slowlog");
    if (s.flags & kFast)
        flags.push_back("fast");
    if (s.flags & kNoAuth)
        flags.push_back("no_auth");
    if (s.flags & kMayReplicate)
        flags.push_back("may_replicate");
    if (s.flags & kAllowBusy)
        flags.push_back("allow_busy");
    ctx.reply.set_header(flags.size());
    for (auto f : flags) {
        ctx.reply.simple(f);
    }
}

void write_command_info(CommandContext& ctx, const CommandSpec& s) {
    ctx.reply.array_header(10);
    ctx.reply.bulk(s.name);
    ctx.reply.integer(s.arity);
    write_flags(ctx, s);
    ctx.reply.integer(s.first_key);
    ctx.reply.integer(s.last_key);
    ctx.reply.integer(s.key_step);
    // ACL categories
    std::vector<std::string_view> cats;
    std::string_view rest = s.acl_categories;
    while (!rest.empty()) {
        auto sp = rest.find(' ');
        std::string_view c = rest.substr(0, sp);
        if (!c.empty()) {
            cats.push_back(c);
        }
        if (sp == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(sp + 1);
    }
    ctx.reply.set_header(cats.size());
    for (auto c : cats) {
        ctx.reply.simple(c);
    }
    ctx.reply.set_header(0);  // tips
    // key specs
    if (s.first_key > 0) {
        ctx.reply.array_header(1);
        ctx.reply.map_header(3);  // Redis leaves "notes" out when there are none
        ctx.reply.bulk("flags");
        ctx.reply.set_header(0);
        ctx.reply.bulk("begin_search");
        ctx.reply.map_header(2);
        ctx.reply.bulk("type");
        ctx.reply.bulk("index");
        ctx.reply.bulk("spec");
        ctx.reply.map_header(1);
        ctx.reply.bulk("index");
        ctx.reply.integer(s.first_key);
        ctx.reply.bulk("find_keys");
        ctx.reply.map_header(2);
        ctx.reply.bulk("type");
        ctx.reply.bulk("range");
        ctx.reply.bulk("spec");
        ctx.reply.map_header(3);
        ctx.reply.bulk("lastkey");
        ctx.reply.integer(s.last_key < 0 ? s.last_key : s.last_key - s.first_key);
        ctx.reply.bulk("keystep");
        ctx.reply.integer(s.key_step);
        ctx.reply.bulk("limit");
        ctx.reply.integer(0);
    } else {
        ctx.reply.array_header(0);
    }
    ctx.reply.array_header(s.subcommands.size());
    for (const auto& sub : s.subcommands) {
        write_command_info(ctx, sub);
    }
}

void cmd_command(CommandContext& ctx) {
    const auto& all = ctx.server.commands.all();
    ctx.reply.array_header(all.size());
    for (const auto* s : all) {
        write_command_info(ctx, *s);
    }
}

void cmd_command_count(CommandContext& ctx) {
    ctx.reply.integer(static_cast<std::int64_t>(ctx.server.commands.all().size()));
}

void cmd_command_info(CommandContext& ctx) {
    if (ctx.args.size() == 2) {
        cmd_command(ctx);
        return;
    }
    ctx.reply.array_header(ctx.args.size() - 2);
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        const CommandSpec* s = ctx.server.commands.find(ctx.args[i]);
        if (s == nullptr) {
            ctx.reply.null();
        } else {
            write_command_info(ctx, *s);
        }
    }
}

void cmd_command_docs(CommandContext& ctx) {
    // Enough for redis-cli: a map of name -> {summary, since, group}.
    std::vector<const CommandSpec*> specs;
    if (ctx.args.size() == 2) {
        specs = ctx.server.commands.all();
    } else {
        for (std::size_t i = 2; i < ctx.args.size(); ++i) {
            if (const CommandSpec* s = ctx.server.commands.find(ctx.args[i])) {
                specs.push_back(s);
            }
        }
    }
    ctx.reply.map_header(specs.size());
    for (const auto* s : specs) {
        ctx.reply.bulk(s->name);
        ctx.reply.map_header(3);
        ctx.reply.bulk("summary");
        ctx.reply.bulk("");
        ctx.reply.bulk("since");
        ctx.reply.bulk("1.0.0");
        ctx.reply.bulk("group");
        std::string_view group = "server";
        std::string_view cats = s->acl_categories;
        for (auto [cat, g] : {std::pair<std::string_view, std::string_view>{"@string", "string"},
                              {"@hash", "hash"},
                              {"@list", "list"},
                              {"@set", "set"},
                              {"@sortedset", "sorted-set"},
                              {"@pubsub", "pubsub"},
                              {"@transaction", "transactions"},
                              {"@connection", "connection"},
                              {"@keyspace", "generic"}}) {
            if (cats.find(cat) != std::string_view::npos) {
                group = g;
                break;
            }
        }
        ctx.reply.bulk(group);
    }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: every command and
// subcommand name ("client|kill") that passes the filter.
void cmd_command_list(CommandContext& ctx) {
    std::string kind;
    std::string_view value;
    if (ctx.args.size() == 5 && iequals(ctx.args[2], "filterby")) {
        kind = to_lower(ctx.args[3]);
        value = ctx.args[4];
        if (kind != "module" && kind != "aclcat" && kind != "pattern") {
            ctx.reply.error(err::kSyntax);
            return;
        }
    } else if (ctx.args.size() != 2) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    auto passes = [&](const CommandSpec& s) {
        if (kind.empty()) {
            return true;
        }
        if (kind == "module") {
            return false;  // no modules
        }
        if (kind == "pattern") {
            return common::glob_match(value, s.name, true);
        }
        std::string cat = "@" + to_lower(value);
        std::string_view cats = s.acl_categories;
        for (std::size_t pos = cats.find(cat); pos != std::string_view::npos;
             pos = cats.find(cat, pos + 1)) {
            std::size_t end = pos + cat.size();
            if (end == cats.size() || cats[end] == ' ') {
                return true;
            }
        }
        return false;
    };
    std::vector<std::string_view> names;
    for (const auto* s : ctx.server.commands.all()) {
        if (passes(*s)) {
            names.push_back(s->name);
        }
        for (const auto& sub : s->subcommands) {
            if (passes(sub)) {
                names.push_back(sub.name);
            }
        }
    }
    ctx.reply.array_header(names.size());
    for (auto n : names) {
        ctx.reply.bulk(n);
    }
}

void cmd_command_getkeys(CommandContext& ctx) {
    if (ctx.args.size() < 3) {
        ctx.reply.error("ERR wrong number of arguments for 'command|getkeys' command");
        return;
    }
    const CommandSpec* s = ctx.server.commands.find(ctx.args[2]);
    if (s == nullptr) {
        ctx.reply.error("ERR Invalid command specified");
        return;
    }
    auto sub = ctx.args.subspan(2);
    if (!arity_ok(s->arity, sub.size())) {
        ctx.reply.error("ERR Invalid number of arguments specified for command");
        return;
    }
    if (s->first_key == 0) {
        ctx.reply.error("ERR The command has no key arguments");
        return;
    }
    std::vector<std::string_view> keys;
    int last = s->last_key < 0 ? static_cast<int>(sub.size()) + s->last_key : s->last_key;
    for (int i = s->first_key; i <= last && i < static_cast<int>(sub.size()); i += s->key_step) {
        keys.push_back(sub[static_cast<std::size_t>(i)]);
    }
    ctx.reply.array_header(keys.size());
    for (auto k : keys) {
        ctx.reply.bulk(k);
    }
}

void cmd_command_help(CommandContext& ctx) {
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
        "HELP",
        "    Prints this help.",
    };
    ctx.reply.array_header(std::size(kLines));
    for (auto l : kLines) {
        ctx.reply.simple(l);
    }
}

// ---- DEBUG ----

bool debug_allowed(CommandContext& ctx) {
    const std::string& mode = ctx.server.config.enable_debug_command;
    bool local = ctx.client.conn != nullptr && (ctx.client.conn->peer().rfind("127.", 0) == 0 ||
                                                ctx.client.conn->peer().rfind("::1", 0) == 0);
    if (mode == "yes" || (mode == "local" && local)) {
        return true;
    }
    ctx.reply.error(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
        "you can run it from a local connection, otherwise you need to set this option in the "
        "configuration file, and then restart the server.");
    return false;
}

void cmd_debug(CommandContext& ctx) {
    if (!debug_allowed(ctx)) {
        return;
    }
    std::string sub = to_lower(ctx.args[1]);
    if (sub == "sleep" && ctx.args.size() >= 3) {
        auto secs = parse_double(ctx.args[2]);
        if (!secs) {
            ctx.reply.error(err::kNotFloat);
            return;
        }
        // Like Redis, DEBUG SLEEP blocks the whole server.
        std::this_thread::sleep_for(
            std::chrono::microseconds(static_cast<std::int64_t>(*secs * 1e6)));
        ctx.reply.ok();
    } else if (sub == "populate" && ctx.args.size() >= 3 && ctx.args.size() <= 5) {
        auto count = parse_int(ctx.args[2]);
        if (!count || *count < 0) {
            ctx.reply.error(err::kNotPositive);
            return;
        }
        std::string prefix = ctx.args.size() >= 4 ? std::string(ctx.args[3]) : "key";
        std::optional<std::int64_t> size;
        if (ctx.args.size() == 5) {
            size = parse_int(ctx.args[4]);
            if (!size || *size < 0) {
                ctx.reply.error(err::kNotPositive);
                return;
            }
        }
        Db& db = ctx.db();
        std::string key;
        for (std::int64_t i = 0; i < *count; ++i) {
            key = prefix + ":" + std::to_string(i);
            if (db.find_raw(key) != nullptr) {
                continue;
            }
            std::string value = "value:" + std::to_string(i);
            if (size) {
                value.resize(static_cast<std::size_t>(*size), '\0');
            }
            Object o;
            o.value = std::move(value);
            db.create(key, std::move(o));
        }
        ctx.reply.ok();
    } else if (sub == "reload") {
        if (!ctx.server.debug_reload || !ctx.server.debug_reload()) {
            ctx.reply.error("ERR Error trying to save the DB");
            return;
        }
        ctx.reply.ok();
    } else if (sub == "set-active-expire" && ctx.args.size() == 3) {
        ctx.server.active_expire_enabled = ctx.args[2] != "0";
        ctx.reply.ok();
    } else if (sub == "help") {
        ctx.reply.array_header(4);
        ctx.reply.simple("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        ctx.reply.simple("POPULATE <count> [<prefix>] [<size>]");
        ctx.reply.simple("RELOAD");
        ctx.reply.simple("SLEEP <seconds>");
    } else {
        ctx.reply.error("ERR unknown subcommand '" + std::string(ctx.args[1]) +
                        "'. Try DEBUG HELP.");
    }
}

// ---- SHUTDOWN ----

void cmd_shutdown(CommandContext& ctx) {
    std::optional<bool> save;
    bool nosave = false, with_save = false, other = false, abort = false;
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        std::string opt = to_lower(ctx.args[i]);
        if (opt == "nosave") {
            nosave = true;
            save = false;
        } else if (opt == "save") {
            with_save = true;
            save = true;
        } else if (opt == "now" || opt == "force") {
            other = true;
        } else if (opt == "abort") {
            abort = true;
        } else {
            ctx.reply.error(err::kSyntax);
            return;
        }
    }
    // As Redis: ABORT takes no other option, and SAVE and NOSAVE exclude each other.
    if ((abort && (nosave || with_save || other)) || (nosave && with_save)) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    if (abort) {
        ctx.reply.error("ERR No shutdown in progress.");
        return;
    }
    bool do_save = save.value_or(!ctx.server.config.save_params.empty());
    if (ctx.server.request_shutdown && !ctx.server.request_shutdown(do_save, other)) {
        ctx.reply.error("ERR Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    // Redis replies nothing: the connection closes when the process exits.
    ctx.client.close_requested = true;
}

// ---- SCRIPT ----

void cmd_script_kill(CommandContext& ctx) {
    ctx.reply.error("NOTBUSY No scripts in execution right now.");
}

void cmd_script_flush(CommandContext& ctx) {
    if (ctx.args.size() > 3 ||
        (ctx.args.size() == 3 && !iequals(ctx.args[2], "sync") && !iequals(ctx.args[2], "async"))) {
        ctx.reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    ctx.reply.ok();
}

void cmd_script_exists(CommandContext& ctx) {
    ctx.reply.array_header(ctx.args.size() - 2);
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        ctx.reply.integer(0);
    }
}

// ---- MEMORY ----

void cmd_memory_usage(CommandContext& ctx) {
    for (std::size_t i = 3; i < ctx.args.size(); i += 2) {
        if (!iequals(ctx.args[i], "samples") || i + 1 >= ctx.args.size()) {
            ctx.reply.error(err::kSyntax);
            return;
        }
        auto samples = parse_int(ctx.args[i + 1]);
        if (!samples) {
            ctx.reply.error(err::kNotInteger);
            return;
        }
        if (*samples < 0) {
            ctx.reply.error(err::kSyntax);
            return;
        }
    }
    Db::Node* n = ctx.lookup_write(ctx.args[2]);
    if (n == nullptr) {
        ctx.reply.null();
        return;
    }
    ctx.reply.integer(
        static_cast<std::int64_t>(sizeof(Db::Node) + 16 + n->key.size() + n->value.memory_bytes()));
}

constexpr CommandSpec kCommandSub[] = {
    {"command|count", 2, kLoading | kStale, 0, 0, 0, &cmd_command_count, "@slow @connection"},
    {"command|info", -2, kLoading | kStale, 0, 0, 0, &cmd_command_info, "@slow @connection"},
    {"command|docs", -2, kLoading | kStale, 0, 0, 0, &cmd_command_docs, "@slow @connection"},
    {"command|list", -2, kLoading | kStale, 0, 0, 0, &cmd_command_list, "@slow @connection"},
    {"command|help", 2, kLoading | kStale, 0, 0, 0, &cmd_command_help, "@slow @connection"},
    {"command|getkeys", -4, kLoading | kStale, 0, 0, 0, &cmd_command_getkeys, "@slow @connection"},
};

constexpr CommandSpec kScriptSub[] = {
    {"script|kill", 2, kNoScript | kAllowBusy, 0, 0, 0, &cmd_script_kill, "@slow @scripting"},
    {"script|flush", -2, kNoScript, 0, 0, 0, &cmd_script_flush, "@slow @scripting"},
    {"script|exists", -3, kNoScript, 0, 0, 0, &cmd_script_exists, "@slow @scripting"},
};

constexpr CommandSpec kMemorySub[] = {
    {"memory|usage", -3, kReadOnly, 2, 2, 1, &cmd_memory_usage, "@read @slow"},
};

constexpr CommandSpec kSpecs[] = {
    {"time", 1, kLoading | kStale | kFast, 0, 0, 0, &cmd_time, "@fast"},
    {"info", -1, kLoading | kStale, 0, 0, 0, &cmd_info, "@slow @dangerous"},
    {"lastsave", 1, kLoading | kStale | kFast, 0, 0, 0, &cmd_lastsave, "@fast @dangerous"},
    {"role", 1, kNoScript | kLoading | kStale | kFast, 0, 0, 0, &cmd_role, "@fast @dangerous"},
    {"command", -1, kLoading | kStale, 0, 0, 0, &cmd_command, "@slow @connection", kCommandSub},
    {"debug", -2, kAdmin | kNoScript | kLoading | kStale, 0, 0, 0, &cmd_debug,
     "@admin @slow @dangerous"},
    {"shutdown", -1, kAdmin | kNoScript | kLoading | kStale | kNoMulti | kAllowBusy, 0, 0, 0,
     &cmd_shutdown, "@admin @slow @dangerous"},
    {"script", -2, 0, 0, 0, 0, nullptr, "@slow", kScriptSub},
    {"memory", -2, 0, 0, 0, 0, nullptr, "@slow", kMemorySub},
};

}  // namespace

std::span<const CommandSpec> server_commands() {
    return kSpecs;
}

}  // namespace vigil::server
