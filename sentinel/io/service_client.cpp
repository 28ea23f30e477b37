// SentinelService: CLIENT, as redis-sentinel 7.0.15 answers it. A sentinel's clients are all
// "normal" or "pubsub"; tracking is accepted and reported but there are no keys to track.
#include <algorithm>
#include <limits>

#include "sentinel/io/service.hpp"

namespace vigil::sentinel {

namespace {

constexpr std::string_view kSyntaxError = "ERR syntax error";
constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";

// CLIENT TRACKING options.
constexpr std::uint32_t kTrackBcast = 1U << 0;
constexpr std::uint32_t kTrackOptin = 1U << 1;
constexpr std::uint32_t kTrackOptout = 1U << 2;
constexpr std::uint32_t kTrackNoloop = 1U << 3;

}  // namespace

struct SentinelService::ClientFamily {
    static std::string flags(const Client& c) {
        std::string f;
        if (c.in_pubsub_mode()) {
            f += 'P';
        }
        if (c.tracking) {
            f += 't';
        }
        if (c.close_requested) {
            f += 'c';
        }
        if (c.no_evict) {
            f += 'e';
        }
        return f.empty() ? "N" : f;
    }

    static std::string info_line(const Client& c, Ms now) {
        const std::size_t obl = c.conn != nullptr ? c.conn->pending_output() : 0;
        std::string s;
        s += "id=" + std::to_string(c.id);
        s += " addr=" + (c.conn != nullptr ? c.conn->peer() : std::string());
        s += " laddr=" + (c.conn != nullptr ? c.conn->local() : std::string());
        s += " fd=" + std::to_string(c.conn != nullptr ? c.conn->fd() : -1);
        s += " name=" + c.name;
        s += " age=" + std::to_string((now - c.created) / 1000);
        s += " idle=" + std::to_string((now - c.last_interaction) / 1000);
        s += " flags=" + flags(c);
        s += " db=0";
        s += " sub=" + std::to_string(c.channels.size());
        s += " psub=" + std::to_string(c.patterns.size());
        s += " ssub=0 multi=-1";
        s += " qbuf=" + std::to_string(c.query_buffer);
        s += " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0";
        s += " obl=" + std::to_string(obl);
        s += " oll=0 omem=" + std::to_string(obl);
        s += " tot-mem=" + std::to_string(1024 + obl + c.query_buffer);
        s += " events=r cmd=" + c.last_command;
        s += " user=" + c.user;
        s += " redir=" + std::to_string(c.tracking ? c.tracking_redirect : -1);
        s += " resp=" + std::to_string(c.protocol);
        return s;
    }

    static std::string type_of(const Client& c) { return c.in_pubsub_mode() ? "pubsub" : "normal"; }

    static bool valid_type(std::string_view t) {
        return iequals(t, "normal") || iequals(t, "master") || iequals(t, "replica") ||
               iequals(t, "slave") || iequals(t, "pubsub");
    }

    static void client_id(Call& call) {
        call.reply.integer(static_cast<std::int64_t>(call.client.id));
    }

    static void client_setname(Call& call) {
        const std::string_view name = call.args[2];
        if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= '!' && c <= '~'; })) {
            call.reply.error(
                "ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
        call.client.name = std::string(name);
        call.reply.ok();
    }

    static void client_getname(Call& call) {
        if (call.client.name.empty()) {
            call.reply.null();
        } else {
            call.reply.bulk(call.client.name);
        }
    }

    static void client_list(Call& call) {
        std::string type;
        std::vector<std::uint64_t> ids;
        if (call.args.size() == 4 && iequals(call.args[2], "type")) {
            if (!valid_type(call.args[3])) {
                call.reply.error("ERR Unknown client type '" + std::string(call.args[3]) + "'");
                return;
            }
            type = lower(call.args[3]);
        } else if (call.args.size() >= 4 && iequals(call.args[2], "id")) {
            for (std::size_t i = 3; i < call.args.size(); ++i) {
                long long v = 0;
                if (!parse_ll(call.args[i], v)) {
                    call.reply.error("ERR Invalid client ID");
                    return;
                }
                ids.push_back(v > 0 ? static_cast<std::uint64_t>(v) : 0);  // 0 matches nobody
            }
        } else if (call.args.size() != 2) {
            call.reply.error(kSyntaxError);
            return;
        }
        std::string out;
        for (const auto& [id, c] : call.service.clients_) {
            if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) {
                continue;
            }
            if (!type.empty() && type_of(*c) != type) {
                continue;
            }
            out += info_line(*c, call.now);
            out += '\n';
        }
        call.reply.verbatim(out);
    }

    static void client_info(Call& call) {
        call.reply.verbatim(info_line(call.client, call.now) + "\n");
    }

    static void client_kill(Call& call) {
        auto& clients = call.service.clients_;
        std::vector<Client*> victims;
        const bool old_form = call.args.size() == 3;
        if (old_form) {
            for (const auto& [id, c] : clients) {
                if (c->conn != nullptr && c->conn->peer() == call.args[2]) {
                    victims.push_back(c);
                }
            }
            if (victims.empty()) {
                call.reply.error("ERR No such client");
                return;
            }
        } else {
            std::optional<std::uint64_t> id;
            std::optional<std::string> type;
            std::optional<std::string_view> addr;
            std::optional<std::string_view> laddr;
            std::optional<std::string_view> user;
            bool skipme = true;
            for (std::size_t i = 2; i < call.args.size(); i += 2) {
                if (i + 1 >= call.args.size()) {
                    call.reply.error(kSyntaxError);
                    return;
                }
                const std::string_view opt = call.args[i];
                const std::string_view val = call.args[i + 1];
                if (iequals(opt, "id")) {
                    long long v = 0;
                    if (!parse_ll(val, v) || v <= 0) {
                        call.reply.error("ERR client-id should be greater than 0");
                        return;
                    }
                    id = static_cast<std::uint64_t>(v);
                } else if (iequals(opt, "type")) {
                    if (!valid_type(val)) {
                        call.reply.error("ERR Unknown client type '" + std::string(val) + "'");
                        return;
                    }
                    type = lower(val);
                } else if (iequals(opt, "addr")) {
                    addr = val;
                } else if (iequals(opt, "laddr")) {
                    laddr = val;
                } else if (iequals(opt, "user")) {
                    user = val;
                } else if (iequals(opt, "skipme")) {
                    if (iequals(val, "yes")) {
                        skipme = true;
                    } else if (iequals(val, "no")) {
                        skipme = false;
                    } else {
                        call.reply.error(kSyntaxError);
                        return;
                    }
                } else {
                    call.reply.error(kSyntaxError);
                    return;
                }
            }
            for (const auto& [cid, c] : clients) {
                if ((id && cid != *id) ||
                    (addr && (c->conn == nullptr || c->conn->peer() != *addr)) ||
                    (laddr && (c->conn == nullptr || c->conn->local() != *laddr)) ||
                    (user && c->user != *user) || (type && type_of(*c) != *type) ||
                    (skipme && c == &call.client)) {
                    continue;
                }
                victims.push_back(c);
            }
        }
        for (Client* c : victims) {
            if (c == &call.client) {
                c->close_requested = true;  // after this reply
            } else if (c->conn != nullptr) {
                c->conn->close_now();
            }
        }
        if (old_form) {
            call.reply.ok();
        } else {
            call.reply.integer(static_cast<std::int64_t>(victims.size()));
        }
    }

    static void client_noevict(Call& call) {
        if (iequals(call.args[2], "on")) {
            call.client.no_evict = true;
        } else if (iequals(call.args[2], "off")) {
            call.client.no_evict = false;
        } else {
            call.reply.error(kSyntaxError);
            return;
        }
        call.reply.ok();
    }

    static void client_reply(Call& call) {
        if (iequals(call.args[2], "on")) {
            call.client.reply_off = false;
            call.client.reply_skip_next = false;
            call.reply.ok();
        } else if (iequals(call.args[2], "off")) {
            call.client.reply_off = true;
        } else if (iequals(call.args[2], "skip")) {
            if (!call.client.reply_off) {
                call.client.reply_skip_next = true;
            }
        } else {
            call.reply.error(kSyntaxError);
        }
    }

    static void client_pause(Call& call) {
        long long ms = 0;
        if (!parse_ll(call.args[2], ms)) {
            call.reply.error("ERR timeout is not an integer or out of range");
            return;
        }
        if (ms < 0) {
            call.reply.error("ERR timeout is negative");
            return;
        }
        bool all = true;
        if (call.args.size() == 4) {
            if (iequals(call.args[3], "write")) {
                all = false;
            } else if (!iequals(call.args[3], "all")) {
                call.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        } else if (call.args.size() > 4) {
            call.reply.error(kSyntaxError);
            return;
        }
        // PAUSE WRITE holds back commands that may replicate: a sentinel has none.
        if (all) {
            const Ms end = ms > std::numeric_limits<Ms>::max() - call.now
                               ? std::numeric_limits<Ms>::max()
                               : call.now + ms;
            call.service.pause_end_ = std::max(call.service.pause_end_, end);
        }
        call.reply.ok();
    }

    static void client_unpause(Call& call) {
        call.service.pause_end_ = 0;
        for (const auto& [id, c] : call.service.clients_) {
            if (c->conn != nullptr) {
                c->conn->resume();
            }
        }
        call.reply.ok();
    }

    static void client_unblock(Call& call) {
        long long id = 0;
        if (!parse_ll(call.args[2], id)) {
            call.reply.error(kNotInteger);
            return;
        }
        if (call.args.size() > 4) {
            subcommand_syntax_error(call);
            return;
        }
        if (call.args.size() == 4 && !iequals(call.args[3], "timeout") &&
            !iequals(call.args[3], "error")) {
            call.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
        if (call.args.size() > 4) {
            subcommand_syntax_error(call);
            return;
        }
        call.reply.integer(0);  // nothing blocks on a sentinel
    }

    static void client_getredir(Call& call) {
        call.reply.integer(call.client.tracking ? call.client.tracking_redirect : -1);
    }

    // CLIENT TRACKING is accepted and reported; a sentinel has no keys to invalidate.
    static void client_tracking(Call& call) {
        Client& c = call.client;
        bool on = false;
        if (iequals(call.args[2], "on")) {
            on = true;
        } else if (!iequals(call.args[2], "off")) {
            call.reply.error(kSyntaxError);
            return;
        }
        std::uint32_t options = 0;
        std::int64_t redirect = 0;
        std::vector<std::string> prefixes;
        for (std::size_t i = 3; i < call.args.size(); ++i) {
            const std::size_t more = call.args.size() - 1 - i;
            if (iequals(call.args[i], "redirect") && more >= 1) {
                long long v = 0;
                if (!parse_ll(call.args[++i], v)) {
                    call.reply.error(kNotInteger);
                    return;
                }
                if (v != static_cast<long long>(c.id) &&
                    call.service.clients_.count(static_cast<std::uint64_t>(v)) == 0) {
                    call.reply.error("ERR The client ID you want redirect to does not exist");
                    return;
                }
                redirect = v;
            } else if (iequals(call.args[i], "bcast")) {
                options |= kTrackBcast;
            } else if (iequals(call.args[i], "optin")) {
                options |= kTrackOptin;
            } else if (iequals(call.args[i], "optout")) {
                options |= kTrackOptout;
            } else if (iequals(call.args[i], "noloop")) {
                options |= kTrackNoloop;
            } else if (iequals(call.args[i], "prefix") && more >= 1) {
                prefixes.emplace_back(call.args[++i]);
            } else {
                call.reply.error(kSyntaxError);
                return;
            }
        }
        const std::uint32_t modes = kTrackOptin | kTrackOptout;
        if (on) {
            if ((options & modes) == modes) {
                call.reply.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
                return;
            }
            if ((options & kTrackBcast) != 0 && (options & modes) != 0) {
                call.reply.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
                return;
            }
            if (!prefixes.empty() && (options & kTrackBcast) == 0) {
                call.reply.error("ERR PREFIX option requires BCAST mode to be enabled");
                return;
            }
            if (c.tracking && (c.tracking_flags & modes) != (options & modes)) {
                call.reply.error(
                    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
                    "client, and then re-enabling it with a different mode.");
                return;
            }
        }
        c.tracking = on;
        c.tracking_redirect = on ? redirect : 0;
        c.tracking_flags = on ? options : 0;
        c.tracking_prefixes = on ? std::move(prefixes) : std::vector<std::string>{};
        call.reply.ok();
    }

    static void client_caching(Call& call) {
        const Client& c = call.client;
        if (!c.tracking) {
            call.reply.error(
                "ERR CLIENT CACHING can be called only when the client is in tracking mode "
                "with OPTIN or OPTOUT mode enabled");
            return;
        }
        if (iequals(call.args[2], "yes")) {
            if ((c.tracking_flags & kTrackOptin) == 0) {
                call.reply.error(
                    "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN "
                    "mode.");
                return;
            }
        } else if (iequals(call.args[2], "no")) {
            if ((c.tracking_flags & kTrackOptout) == 0) {
                call.reply.error(
                    "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT "
                    "mode.");
                return;
            }
        } else {
            call.reply.error(kSyntaxError);
            return;
        }
        call.reply.ok();
    }

    static void client_trackinginfo(Call& call) {
        const Client& c = call.client;
        std::vector<std::string_view> flags;
        if (!c.tracking) {
            flags.push_back("off");
        } else {
            flags.push_back("on");
            if ((c.tracking_flags & kTrackBcast) != 0) {
                flags.push_back("bcast");
            }
            if ((c.tracking_flags & kTrackOptin) != 0) {
                flags.push_back("optin");
            }
            if ((c.tracking_flags & kTrackOptout) != 0) {
                flags.push_back("optout");
            }
            if ((c.tracking_flags & kTrackNoloop) != 0) {
                flags.push_back("noloop");
            }
        }
        call.reply.map_header(3);
        call.reply.bulk("flags");
        call.reply.set_header(flags.size());
        for (std::string_view f : flags) {
            call.reply.bulk(f);
        }
        call.reply.bulk("redirect");
        call.reply.integer(c.tracking ? c.tracking_redirect : -1);
        call.reply.bulk("prefixes");
        call.reply.array_header(c.tracking_prefixes.size());
        for (const auto& p : c.tracking_prefixes) {
            call.reply.bulk(p);
        }
    }

    static void client_help(Call& call) {
        static constexpr std::string_view kLines[] = {
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
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
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
            "HELP",
            "    Prints this help.",
        };
        reply_help(call.reply, kLines);
    }
};

// ---- the table (redis-sentinel 7.0.15's flags and categories) ----

std::span<const SentinelService::CommandDef> SentinelService::client_subcommands() {
    using F = ClientFamily;
    static constexpr std::uint32_t kB = kNoScript | kLoading | kStale;
    static constexpr std::uint32_t kA = kAdmin | kB;
    static constexpr std::string_view kConn = "@slow @connection";
    static constexpr std::string_view kAdm = "@admin @slow @dangerous @connection";
    static constexpr CommandDef kTable[] = {
        {"client|unpause", 2, kA, kAdm, "", &F::client_unpause},
        {"client|trackinginfo", 2, kB, kConn, "", &F::client_trackinginfo},
        {"client|id", 2, kB, kConn, "", &F::client_id},
        {"client|getredir", 2, kB, kConn, "", &F::client_getredir},
        {"client|caching", 3, kB, kConn, "", &F::client_caching},
        {"client|list", -2, kA, kAdm, "nondeterministic_output", &F::client_list},
        {"client|no-evict", 3, kA, kAdm, "", &F::client_noevict},
        {"client|getname", 2, kB, kConn, "", &F::client_getname},
        {"client|info", 2, kB, kConn, "nondeterministic_output", &F::client_info},
        {"client|pause", -3, kA, kAdm, "", &F::client_pause},
        {"client|unblock", -3, kA, kAdm, "", &F::client_unblock},
        {"client|tracking", -3, kB, kConn, "", &F::client_tracking},
        {"client|help", 2, kLoading | kStale, kConn, "", &F::client_help},
        {"client|setname", 3, kB, kConn, "", &F::client_setname},
        {"client|kill", -3, kA, kAdm, "", &F::client_kill},
        {"client|reply", 3, kB, kConn, "", &F::client_reply},
    };
    return kTable;
}

}  // namespace vigil::sentinel
