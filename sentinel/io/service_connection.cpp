// SentinelService: the connection commands — PING, AUTH, HELLO, (P)(UN)SUBSCRIBE, PUBLISH, ROLE,
// SHUTDOWN — and the command table.
#include <algorithm>
#include <set>

#include "sentinel/io/service.hpp"

namespace vigil::sentinel {

namespace {

constexpr std::string_view kHelloChannel = "__sentinel__:hello";
constexpr std::string_view kRedisVersion = "7.0.15";

bool valid_client_name(std::string_view name) {
    return std::all_of(name.begin(), name.end(), [](char c) { return c >= '!' && c <= '~'; });
}

}  // namespace

// ---- connection commands ----

struct SentinelService::ConnectionFamily {
    static void ping(Call& call) {
        if (call.args.size() > 2) {
            call.reply.error("ERR wrong number of arguments for 'ping' command");
            return;
        }
        if (call.client.in_pubsub_mode() && call.client.protocol < 3) {
            call.reply.array_header(2);
            call.reply.bulk("pong");
            call.reply.bulk(call.args.size() == 2 ? call.args[1] : "");
            return;
        }
        if (call.args.size() == 2) {
            call.reply.bulk(call.args[1]);
        } else {
            call.reply.simple("PONG");
        }
    }

    // Logs the client in as `user` when the password is right.
    static bool authenticate(Call& call, std::string_view user, std::string_view pass) {
        if (!call.service.acl_.authenticate(user, pass)) {
            return false;
        }
        call.client.authenticated = true;
        call.client.user = std::string(user);
        return true;
    }

    static void auth(Call& call) {
        if (call.args.size() > 3) {
            call.reply.error("ERR syntax error");
            return;
        }
        std::string_view user = "default";
        if (call.args.size() == 2) {
            const common::AclUser* def = call.service.acl_.find("default");
            if (def != nullptr && def->nopass) {
                call.reply.error(
                    "ERR AUTH <password> called without any password configured for the default "
                    "user. Are you sure your configuration is correct?");
                return;
            }
        } else {
            user = call.args[1];
        }
        if (!authenticate(call, user, call.args.back())) {
            call.reply.error("WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
        call.reply.ok();
    }

    static void hello(Call& call) {
        long long version = 0;
        std::size_t i = 1;
        if (call.args.size() >= 2) {
            if (!parse_ll(call.args[1], version)) {
                call.reply.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (version < 2 || version > 3) {
                call.reply.error("NOPROTO unsupported protocol version");
                return;
            }
            i = 2;
        }
        for (; i < call.args.size(); ++i) {
            const std::size_t more = call.args.size() - 1 - i;
            if (iequals(call.args[i], "auth") && more >= 2) {
                if (!authenticate(call, call.args[i + 1], call.args[i + 2])) {
                    call.reply.error(
                        "WRONGPASS invalid username-password pair or user is disabled.");
                    return;
                }
                i += 2;
            } else if (iequals(call.args[i], "setname") && more >= 1) {
                if (!valid_client_name(call.args[i + 1])) {
                    call.reply.error(
                        "ERR Client names cannot contain spaces, newlines or special "
                        "characters.");
                    return;
                }
                call.client.name = std::string(call.args[i + 1]);
                ++i;
            } else {
                call.reply.error("ERR Syntax error in HELLO option '" + std::string(call.args[i]) +
                                 "'");
                return;
            }
        }
        if (call.service.needs_auth(call.client)) {
            call.reply.error(
                "NOAUTH HELLO must be called with the client already authenticated, otherwise "
                "the HELLO AUTH <user> <pass> option can be used to authenticate the client and "
                "select the RESP protocol version at the same time");
            return;
        }
        if (version != 0) {
            call.client.protocol = static_cast<int>(version);
            call.reply.set_protocol(call.client.protocol);
        }
        call.reply.map_header(6);
        call.reply.bulk("server");
        call.reply.bulk("redis");
        call.reply.bulk("version");
        call.reply.bulk(kRedisVersion);
        call.reply.bulk("proto");
        call.reply.integer(call.client.protocol);
        call.reply.bulk("id");
        call.reply.integer(static_cast<std::int64_t>(call.client.id));
        call.reply.bulk("mode");
        call.reply.bulk("sentinel");
        call.reply.bulk("modules");
        call.reply.array_header(0);
    }

    static void subscription_reply(Call& call,
                                   std::string_view kind,
                                   std::string_view name,
                                   bool null_name = false) {
        call.reply.push_header(3);
        call.reply.bulk(kind);
        if (null_name) {
            call.reply.null();
        } else {
            call.reply.bulk(name);
        }
        call.reply.integer(static_cast<std::int64_t>(call.client.subscription_count()));
    }

    static void subscribe(Call& call) {
        for (std::size_t i = 1; i < call.args.size(); ++i) {
            call.service.pubsub_.subscribe(call.client, call.args[i]);
            subscription_reply(call, "subscribe", call.args[i]);
        }
    }

    static void psubscribe(Call& call) {
        for (std::size_t i = 1; i < call.args.size(); ++i) {
            call.service.pubsub_.psubscribe(call.client, call.args[i]);
            subscription_reply(call, "psubscribe", call.args[i]);
        }
    }

    static void unsubscribe(Call& call) {
        if (call.args.size() == 1) {
            // Redis walks its dict: the most recent subscription first is as good an order.
            const std::set<std::string> all = call.client.channels;
            if (all.empty()) {
                subscription_reply(call, "unsubscribe", "", true);
            }
            for (auto it = all.rbegin(); it != all.rend(); ++it) {
                call.service.pubsub_.unsubscribe(call.client, *it);
                subscription_reply(call, "unsubscribe", *it);
            }
            return;
        }
        for (std::size_t i = 1; i < call.args.size(); ++i) {
            call.service.pubsub_.unsubscribe(call.client, call.args[i]);
            subscription_reply(call, "unsubscribe", call.args[i]);
        }
    }

    static void punsubscribe(Call& call) {
        if (call.args.size() == 1) {
            const std::set<std::string> all = call.client.patterns;
            if (all.empty()) {
                subscription_reply(call, "punsubscribe", "", true);
            }
            for (auto it = all.rbegin(); it != all.rend(); ++it) {
                call.service.pubsub_.punsubscribe(call.client, *it);
                subscription_reply(call, "punsubscribe", *it);
            }
            return;
        }
        for (std::size_t i = 1; i < call.args.size(); ++i) {
            call.service.pubsub_.punsubscribe(call.client, call.args[i]);
            subscription_reply(call, "punsubscribe", call.args[i]);
        }
    }

    // Only hellos, which go to the core as if received on a pub/sub link (sentinels send them
    // straight to each other this way); nothing is delivered to subscribers.
    static void publish(Call& call) {
        if (call.args[1] != kHelloChannel) {
            call.reply.error("ERR Only HELLO messages are accepted by Sentinel instances.");
            return;
        }
        Actions actions;
        call.core().hello_received(call.args[2], call.now, actions);
        call.service.perform(actions);
        call.reply.integer(1);
    }

    static void role(Call& call) {
        const auto& masters = call.core().masters;
        call.reply.array_header(2);
        call.reply.bulk("sentinel");
        call.reply.array_header(masters.size());
        for (const auto& [name, m] : masters) {
            call.reply.bulk(name);
        }
    }

    // A sentinel never saves on shutdown (redis-sentinel forces NOSAVE) and sends no reply: the
    // connection closes when the process exits.
    static void shutdown(Call& call) {
        bool nosave = false;
        bool save = false;
        bool other = false;
        bool abort = false;
        for (std::size_t i = 1; i < call.args.size(); ++i) {
            const std::string opt = lower(call.args[i]);
            if (opt == "nosave") {
                nosave = true;
            } else if (opt == "save") {
                save = true;
            } else if (opt == "now" || opt == "force") {
                other = true;
            } else if (opt == "abort") {
                abort = true;
            } else {
                call.reply.error("ERR syntax error");
                return;
            }
        }
        if ((abort && (nosave || save || other)) || (nosave && save)) {
            call.reply.error("ERR syntax error");
            return;
        }
        if (abort) {
            call.reply.error("ERR No shutdown in progress.");
            return;
        }
        call.client.close_requested = true;
        if (call.service.hooks_.shutdown) {
            call.service.hooks_.shutdown();
        }
    }
};

// ---- the command table ----
// In the order of redis-sentinel 7.0.15's COMMAND LIST; flags, categories and tips as its COMMAND
// INFO reports them.

std::span<const SentinelService::CommandDef> SentinelService::command_table() {
    using F = ConnectionFamily;
    static constexpr std::uint32_t kSub = kPubSub | kNoScript | kLoading | kStale;
    static constexpr std::uint32_t kConn =
        kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy;
    static constexpr CommandDef kTable[] = {
        {"publish", 3, kPubSub | kLoading | kStale | kFast, "@pubsub @fast", "", &F::publish},
        {"info", -1, kLoading | kStale, "@slow @dangerous",
         "nondeterministic_output request_policy:all_shards response_policy:special",
         &info_command},
        {"client", -2, 0, "@slow", "", nullptr, &client_subcommands},
        {"unsubscribe", -1, kSub, "@pubsub @slow", "", &F::unsubscribe},
        {"ping", -1, kFast, "@fast @connection",
         "request_policy:all_shards response_policy:all_succeeded", &F::ping},
        {"command", -1, kLoading | kStale, "@slow @connection", "nondeterministic_output_order",
         &command_command, &command_subcommands},
        {"role", 1, kNoScript | kLoading | kStale | kFast, "@admin @fast @dangerous", "", &F::role},
        {"punsubscribe", -1, kSub, "@pubsub @slow", "", &F::punsubscribe},
        {"acl", -2, 0, "@slow", "", nullptr, &acl_subcommands},
        {"psubscribe", -2, kSub, "@pubsub @slow", "", &F::psubscribe},
        {"auth", -2, kConn, "@fast @connection", "", &F::auth},
        {"subscribe", -2, kSub, "@pubsub @slow", "", &F::subscribe},
        {"sentinel", -2, kAdmin, "@admin @slow @dangerous", "", nullptr, &sentinel_subcommands},
        {"shutdown", -1, kAdmin | kNoScript | kLoading | kStale | kNoMulti | kAllowBusy,
         "@admin @slow @dangerous", "", &F::shutdown},
        {"hello", -1, kConn, "@fast @connection", "", &F::hello},
    };
    return kTable;
}

}  // namespace vigil::sentinel
