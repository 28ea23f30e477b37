// Connection: PING, ECHO, QUIT, HELLO, AUTH, RESET, CLIENT.
#include <algorithm>
#include <climits>

#include "server/commands/args.hpp"
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/server.hpp"
#include "server/version.hpp"

namespace vigil::server {
namespace {

void cmd_ping(CommandContext& ctx) {
    if (ctx.args.size() > 2) {
        ctx.reply.error("ERR wrong number of arguments for 'ping' command");
        return;
    }
    if (ctx.client.in_pubsub_mode() && ctx.client.protocol < 3) {
        ctx.reply.array_header(2);
        ctx.reply.bulk("pong");
        ctx.reply.bulk(ctx.args.size() == 2 ? ctx.args[1] : "");
        return;
    }
    if (ctx.args.size() == 2) {
        ctx.reply.bulk(ctx.args[1]);
    } else {
        ctx.reply.simple("PONG");
    }
}

void cmd_echo(CommandContext& ctx) {
    ctx.reply.bulk(ctx.args[1]);
}

void cmd_quit(CommandContext& ctx) {
    ctx.reply.ok();
    ctx.client.close_requested = true;
}

// Checks a username/password pair against the ACL; true when it may log in.
bool check_credentials(Server& server, std::string_view user, std::string_view pass) {
    server.sync_requirepass();
    return server.acl.authenticate(user, pass);
}

void cmd_auth(CommandContext& ctx) {
    if (ctx.args.size() > 3) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    std::string_view user = ctx.args.size() == 3 ? ctx.args[1] : "default";
    std::string_view pass = ctx.args.back();
    ctx.server.sync_requirepass();
    const common::AclUser* def = ctx.server.acl.find("default");
    if (ctx.args.size() == 2 && def != nullptr && def->nopass) {
        ctx.reply.error(
            "ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
        return;
    }
    if (!check_credentials(ctx.server, user, pass)) {
        ctx.reply.error(err::kWrongPass);
        return;
    }
    ctx.client.authenticated = true;
    ctx.client.user = std::string(user);
    ctx.reply.ok();
}

void cmd_hello(CommandContext& ctx) {
    int proto = ctx.client.protocol;
    std::size_t i = 1;
    if (ctx.args.size() >= 2) {
        auto v = parse_int(ctx.args[1]);
        if (!v) {
            ctx.reply.error("ERR Protocol version is not an integer or out of range");
            return;
        }
        if (*v < 2 || *v > 3) {
            ctx.reply.error("NOPROTO unsupported protocol version");
            return;
        }
        proto = static_cast<int>(*v);
        i = 2;
    }
    std::string setname;
    bool has_setname = false;
    for (; i < ctx.args.size(); ++i) {
        std::string opt = to_lower(ctx.args[i]);
        std::size_t left = ctx.args.size() - i - 1;
        if (opt == "auth" && left >= 2) {
            if (!check_credentials(ctx.server, ctx.args[i + 1], ctx.args[i + 2])) {
                ctx.reply.error(err::kWrongPass);
                return;
            }
            ctx.client.authenticated = true;
            ctx.client.user = std::string(ctx.args[i + 1]);
            i += 2;
        } else if (opt == "setname" && left >= 1) {
            setname = std::string(ctx.args[i + 1]);
            has_setname = true;
            ++i;
        } else {
            ctx.reply.error("ERR Syntax error in HELLO option '" + std::string(ctx.args[i]) + "'");
            return;
        }
    }
    if (!ctx.client.authenticated) {
        ctx.reply.error(
            "NOAUTH HELLO must be called with the client already authenticated, "
            "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
            "authenticate the client and select the RESP protocol version at the "
            "same time");
        return;
    }
    if (has_setname) {
        if (setname.find_first_of(" \n") != std::string::npos) {
            ctx.reply.error(
                "ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
        ctx.client.name = setname;
    }
    ctx.client.protocol = proto;
    ctx.reply.set_protocol(proto);
    ctx.reply.map_header(7);
    ctx.reply.bulk("server");
    ctx.reply.bulk("redis");
    ctx.reply.bulk("version");
    ctx.reply.bulk(kRedisCompatVersion);
    ctx.reply.bulk("proto");
    ctx.reply.integer(proto);
    ctx.reply.bulk("id");
    ctx.reply.integer(static_cast<std::int64_t>(ctx.client.id));
    ctx.reply.bulk("mode");
    ctx.reply.bulk("standalone");
    ctx.reply.bulk("role");
    ctx.reply.bulk(ctx.server.is_replica() ? "replica" : "master");
    ctx.reply.bulk("modules");
    ctx.reply.array_header(0);
}

void cmd_reset(CommandContext& ctx) {
    ClientState& c = ctx.client;
    c.in_multi = false;
    c.multi_dirty = false;
    c.queued.clear();
    unwatch_all(ctx.server, c);
    ctx.server.pubsub.remove(c);
    c.db = 0;
    c.protocol = 2;
    c.name.clear();
    c.user = "default";
    c.authenticated = ctx.server.default_user_needs_no_auth();
    ctx.reply.set_protocol(2);
    ctx.reply.simple("RESET");
}

// ---- CLIENT ----

std::string client_flags(const ClientState& c) {
    std::string f;
    if (c.is_replica)
        f += 'S';
    if (c.is_master)
        f += 'M';
    if (c.in_pubsub_mode())
        f += 'P';
    if (c.in_multi)
        f += 'x';
    if (c.exec_watch_dirty)
        f += 'd';
    if (c.close_requested)
        f += 'c';
    if (f.empty())
        f = "N";
    return f;
}

std::string client_info_line(const Server& server, const ClientState& c, std::int64_t now_ms) {
    std::string peer = c.conn ? c.conn->peer() : "";
    std::string local = c.conn ? c.conn->local() : "";
    std::size_t obl = c.conn ? c.conn->pending_output() : 0;
    std::string s;
    s += "id=" + std::to_string(c.id);
    s += " addr=" + peer;
    s += " laddr=" + local;
    s += " fd=" + std::to_string(c.conn ? c.conn->fd() : -1);
    s += " name=" + c.name;
    s += " age=" + std::to_string((now_ms - c.created_ms) / 1000);
    s += " idle=" + std::to_string((now_ms - c.last_interaction_ms) / 1000);
    s += " flags=" + client_flags(c);
    s += " db=" + std::to_string(c.db);
    s += " sub=" + std::to_string(c.channels.size());
    s += " psub=" + std::to_string(c.patterns.size());
    s += " ssub=0";
    s += " multi=" + (c.in_multi ? std::to_string(c.queued.size()) : std::string("-1"));
    s += " qbuf=" + std::to_string(c.query_buffer);
    s += " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=16384";
    s += " obl=" + std::to_string(obl);
    s += " oll=0 omem=" + std::to_string(obl);
    s += " tot-mem=" + std::to_string(16384 + obl + c.query_buffer);
    s += " events=r cmd=" + c.last_command;
    s += " user=" + c.user;
    s += " redir=-1 resp=" + std::to_string(c.protocol);
    (void)server;
    return s;
}

void cmd_client_list(CommandContext& ctx) {
    std::string type_filter;
    std::vector<std::uint64_t> ids;
    if (ctx.args.size() >= 4 && iequals(ctx.args[2], "type") && ctx.args.size() == 4) {
        type_filter = to_lower(ctx.args[3]);
        if (type_filter != "normal" && type_filter != "master" && type_filter != "replica" &&
            type_filter != "slave" && type_filter != "pubsub") {
            ctx.reply.error("ERR Unknown client type '" + std::string(ctx.args[3]) + "'");
            return;
        }
    } else if (ctx.args.size() >= 4 && iequals(ctx.args[2], "id")) {
        for (std::size_t i = 3; i < ctx.args.size(); ++i) {
            auto v = parse_int(ctx.args[i]);
            if (!v || *v <= 0) {
                ctx.reply.error("ERR Invalid client ID");
                return;
            }
            ids.push_back(static_cast<std::uint64_t>(*v));
        }
    } else if (ctx.args.size() != 2) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    std::string out;
    for (const auto& [id, c] : ctx.server.clients) {
        if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) {
            continue;
        }
        if (!type_filter.empty()) {
            std::string t = c->is_master          ? "master"
                            : c->is_replica       ? "replica"
                            : c->in_pubsub_mode() ? "pubsub"
                                                  : "normal";
            std::string want = type_filter == "slave" ? "replica" : type_filter;
            if (t != want) {
                continue;
            }
        }
        out += client_info_line(ctx.server, *c, ctx.now_ms);
        out += '\n';
    }
    ctx.reply.verbatim(out);
}

void cmd_client_info(CommandContext& ctx) {
    ctx.reply.verbatim(client_info_line(ctx.server, ctx.client, ctx.now_ms) + "\n");
}

void cmd_client_id(CommandContext& ctx) {
    ctx.reply.integer(static_cast<std::int64_t>(ctx.client.id));
}

void cmd_client_setname(CommandContext& ctx) {
    std::string_view name = ctx.args[2];
    for (char c : name) {
        if (c < '!' || c > '~') {
            ctx.reply.error(
                "ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
    }
    ctx.client.name = std::string(name);
    ctx.reply.ok();
}

void cmd_client_getname(CommandContext& ctx) {
    if (ctx.client.name.empty()) {
        ctx.reply.null();
    } else {
        ctx.reply.bulk(ctx.client.name);
    }
}

void cmd_client_kill(CommandContext& ctx) {
    std::vector<ClientState*> victims;
    bool old_style = ctx.args.size() == 3;
    if (old_style) {
        for (const auto& [id, c] : ctx.server.clients) {
            if (c->conn && c->conn->peer() == ctx.args[2]) {
                victims.push_back(c);
            }
        }
        if (victims.empty()) {
            ctx.reply.error("ERR No such client");
            return;
        }
    } else {
        if (ctx.args.size() % 2 != 0) {
            ctx.reply.error(err::kSyntax);
            return;
        }
        std::optional<std::uint64_t> id;
        std::optional<std::string> type, addr, laddr, user;
        bool skipme = true;
        for (std::size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
            std::string opt = to_lower(ctx.args[i]);
            std::string_view val = ctx.args[i + 1];
            if (opt == "id") {
                auto v = parse_int(val);
                if (!v || *v <= 0) {
                    ctx.reply.error("ERR client-id should be greater than 0");
                    return;
                }
                id = static_cast<std::uint64_t>(*v);
            } else if (opt == "type") {
                std::string t = to_lower(val);
                if (t == "slave") {
                    t = "replica";
                }
                if (t != "normal" && t != "master" && t != "replica" && t != "pubsub") {
                    ctx.reply.error("ERR Unknown client type '" + std::string(val) + "'");
                    return;
                }
                type = t;
            } else if (opt == "addr") {
                addr = std::string(val);
            } else if (opt == "laddr") {
                laddr = std::string(val);
            } else if (opt == "user") {
                user = std::string(val);
            } else if (opt == "skipme") {
                std::string v = to_lower(val);
                if (v == "yes") {
                    skipme = true;
                } else if (v == "no") {
                    skipme = false;
                } else {
                    ctx.reply.error(err::kSyntax);
                    return;
                }
            } else {
                ctx.reply.error(err::kSyntax);
                return;
            }
        }
        for (const auto& [cid, c] : ctx.server.clients) {
            if (id && cid != *id)
                continue;
            if (addr && (!c->conn || c->conn->peer() != *addr))
                continue;
            if (laddr && (!c->conn || c->conn->local() != *laddr))
                continue;
            if (user && c->user != *user)
                continue;
            if (type) {
                std::string t = c->is_master          ? "master"
                                : c->is_replica       ? "replica"
                                : c->in_pubsub_mode() ? "pubsub"
                                                      : "normal";
                if (t != *type)
                    continue;
            }
            if (skipme && c == &ctx.client)
                continue;
            victims.push_back(c);
        }
    }
    for (ClientState* c : victims) {
        if (c == &ctx.client) {
            c->close_requested = true;  // reply first, then close
        } else if (c->conn) {
            c->conn->close_now();
        }
    }
    if (old_style) {
        ctx.reply.ok();
    } else {
        ctx.reply.integer(static_cast<std::int64_t>(victims.size()));
    }
}

void cmd_client_pause(CommandContext& ctx) {
    auto ms = parse_timeout_ms(ctx.args[2], ctx.reply);
    if (!ms) {
        return;
    }
    bool all = true;
    if (ctx.args.size() == 4) {
        std::string mode = to_lower(ctx.args[3]);
        if (mode == "write") {
            all = false;
        } else if (mode != "all") {
            ctx.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    } else if (ctx.args.size() > 4) {
        ctx.reply.error(err::kSyntax);
        return;
    }
    // Redis 7.0 accepts any positive timeout: a huge one pauses until CLIENT UNPAUSE.
    std::int64_t end = *ms > LLONG_MAX - ctx.now_ms ? LLONG_MAX : ctx.now_ms + *ms;
    // A stricter pause (ALL over WRITE) or a longer one wins, like Redis.
    if (ctx.server.pause_end_ms <= ctx.now_ms) {
        ctx.server.pause_all = all;
        ctx.server.pause_end_ms = end;
    } else {
        ctx.server.pause_all = ctx.server.pause_all || all;
        ctx.server.pause_end_ms = std::max(ctx.server.pause_end_ms, end);
    }
    ctx.reply.ok();
}

void cmd_client_unpause(CommandContext& ctx) {
    ctx.server.pause_end_ms = 0;
    for (const auto& [id, c] : ctx.server.clients) {
        if (c->conn) {
            c->conn->resume();
        }
    }
    ctx.reply.ok();
}

void cmd_client_noevict(CommandContext& ctx) {
    std::string v = to_lower(ctx.args[2]);
    if (v != "on" && v != "off") {
        ctx.reply.error(err::kSyntax);
        return;
    }
    ctx.reply.ok();
}

void cmd_client_help(CommandContext& ctx) {
    static constexpr std::string_view kLines[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "HELP",
        "    Prints this help.",
    };
    ctx.reply.array_header(std::size(kLines));
    for (auto l : kLines) {
        ctx.reply.simple(l);
    }
}

constexpr std::uint32_t kClientFlags = kAdmin | kNoScript | kLoading | kStale;

constexpr CommandSpec kClientSub[] = {
    {"client|list", -2, kClientFlags, 0, 0, 0, &cmd_client_list,
     "@admin @slow @dangerous @connection"},
    {"client|info", 2, kNoScript | kLoading | kStale, 0, 0, 0, &cmd_client_info,
     "@slow @connection"},
    {"client|id", 2, kNoScript | kLoading | kStale, 0, 0, 0, &cmd_client_id, "@slow @connection"},
    {"client|setname", 3, kNoScript | kLoading | kStale, 0, 0, 0, &cmd_client_setname,
     "@slow @connection"},
    {"client|getname", 2, kNoScript | kLoading | kStale, 0, 0, 0, &cmd_client_getname,
     "@slow @connection"},
    {"client|kill", -3, kClientFlags, 0, 0, 0, &cmd_client_kill,
     "@admin @slow @dangerous @connection"},
    {"client|pause", -3, kClientFlags, 0, 0, 0, &cmd_client_pause,
     "@admin @slow @dangerous @connection"},
    {"client|unpause", 2, kClientFlags, 0, 0, 0, &cmd_client_unpause,
     "@admin @slow @dangerous @connection"},
    {"client|no-evict", 3, kClientFlags, 0, 0, 0, &cmd_client_noevict,
     "@admin @slow @dangerous @connection"},
    {"client|help", 2, kLoading | kStale, 0, 0, 0, &cmd_client_help, "@slow @connection"},
};

constexpr CommandSpec kSpecs[] = {
    {"ping", -1, kFast, 0, 0, 0, &cmd_ping, "@fast @connection"},
    {"echo", 2, kLoading | kStale | kFast, 0, 0, 0, &cmd_echo, "@fast @connection"},
    {"quit", -1, kAllowBusy | kNoAuth | kLoading | kStale | kFast, 0, 0, 0, &cmd_quit,
     "@fast @connection"},
    {"auth", -2, kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy, 0, 0, 0, &cmd_auth,
     "@fast @connection"},
    {"hello", -1, kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy, 0, 0, 0, &cmd_hello,
     "@fast @connection"},
    {"reset", 1, kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy, 0, 0, 0, &cmd_reset,
     "@fast @connection"},
    {"client", -2, 0, 0, 0, 0, nullptr, "@slow", kClientSub},
};

}  // namespace

std::span<const CommandSpec> connection_commands() {
    return kSpecs;
}

}  // namespace vigil::server
