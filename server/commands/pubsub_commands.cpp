// SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB.
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

void subscription_reply(CommandContext& ctx,
                        std::string_view kind,
                        std::string_view name,
                        bool null_name = false) {
    ctx.reply.push_header(3);
    ctx.reply.bulk(kind);
    if (null_name) {
        ctx.reply.null();
    } else {
        ctx.reply.bulk(name);
    }
    ctx.reply.integer(static_cast<std::int64_t>(ctx.client.subscription_count()));
}

void cmd_subscribe(CommandContext& ctx) {
    if (ctx.client.in_multi) {
        // Allowed in Redis 7.0 inside MULTI only for RESP3; keep the common case simple.
    }
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        ctx.server.pubsub.subscribe(ctx.client, ctx.args[i]);
        subscription_reply(ctx, "subscribe", ctx.args[i]);
    }
}

void cmd_psubscribe(CommandContext& ctx) {
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        ctx.server.pubsub.psubscribe(ctx.client, ctx.args[i]);
        subscription_reply(ctx, "psubscribe", ctx.args[i]);
    }
}

void cmd_unsubscribe(CommandContext& ctx) {
    if (ctx.args.size() == 1) {
        std::set<std::string> all = ctx.client.channels;
        if (all.empty()) {
            subscription_reply(ctx, "unsubscribe", "", true);
        }
        for (const auto& ch : all) {
            ctx.server.pubsub.unsubscribe(ctx.client, ch);
            subscription_reply(ctx, "unsubscribe", ch);
        }
        return;
    }
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        ctx.server.pubsub.unsubscribe(ctx.client, ctx.args[i]);
        subscription_reply(ctx, "unsubscribe", ctx.args[i]);
    }
}

void cmd_punsubscribe(CommandContext& ctx) {
    if (ctx.args.size() == 1) {
        std::set<std::string> all = ctx.client.patterns;
        if (all.empty()) {
            subscription_reply(ctx, "punsubscribe", "", true);
        }
        for (const auto& p : all) {
            ctx.server.pubsub.punsubscribe(ctx.client, p);
            subscription_reply(ctx, "punsubscribe", p);
        }
        return;
    }
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        ctx.server.pubsub.punsubscribe(ctx.client, ctx.args[i]);
        subscription_reply(ctx, "punsubscribe", ctx.args[i]);
    }
}

void cmd_publish(CommandContext& ctx) {
    ctx.reply.integer(
        static_cast<std::int64_t>(ctx.server.pubsub.publish(ctx.args[1], ctx.args[2])));
}

void cmd_pubsub_channels(CommandContext& ctx) {
    if (ctx.args.size() > 3) {
        ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" +
                        std::string(ctx.args[1].substr(0, 128)) + "'. Try PUBSUB HELP.");
        return;
    }
    auto channels = ctx.server.pubsub.channels(ctx.args.size() > 2 ? ctx.args[2] : "");
    ctx.reply.array_header(channels.size());
    for (const auto& c : channels) {
        ctx.reply.bulk(c);
    }
}

void cmd_pubsub_numsub(CommandContext& ctx) {
    // A flat array of channel, count pairs, in RESP3 too (as Redis 7.0).
    ctx.reply.array_header((ctx.args.size() - 2) * 2);
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        ctx.reply.bulk(ctx.args[i]);
        ctx.reply.integer(static_cast<std::int64_t>(ctx.server.pubsub.numsub(ctx.args[i])));
    }
}

void cmd_pubsub_numpat(CommandContext& ctx) {
    ctx.reply.integer(static_cast<std::int64_t>(ctx.server.pubsub.numpat()));
}

void cmd_pubsub_help(CommandContext& ctx) {
    static constexpr std::string_view kLines[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    };
    ctx.reply.array_header(std::size(kLines));
    for (auto l : kLines) {
        ctx.reply.simple(l);
    }
}

constexpr CommandSpec kPubsubSub[] = {
    {"pubsub|channels", -2, kPubSub | kLoading | kStale, 0, 0, 0, &cmd_pubsub_channels,
     "@pubsub @slow"},
    {"pubsub|numsub", -2, kPubSub | kLoading | kStale, 0, 0, 0, &cmd_pubsub_numsub,
     "@pubsub @slow"},
    {"pubsub|numpat", 2, kPubSub | kLoading | kStale, 0, 0, 0, &cmd_pubsub_numpat, "@pubsub @slow"},
    {"pubsub|help", 2, kLoading | kStale, 0, 0, 0, &cmd_pubsub_help, "@slow"},
};

constexpr std::uint32_t kSubFlags = kPubSub | kNoScript | kLoading | kStale;

constexpr CommandSpec kSpecs[] = {
    {"subscribe", -2, kSubFlags, 0, 0, 0, &cmd_subscribe, "@pubsub @slow"},
    {"psubscribe", -2, kSubFlags, 0, 0, 0, &cmd_psubscribe, "@pubsub @slow"},
    {"unsubscribe", -1, kSubFlags, 0, 0, 0, &cmd_unsubscribe, "@pubsub @slow"},
    {"punsubscribe", -1, kSubFlags, 0, 0, 0, &cmd_punsubscribe, "@pubsub @slow"},
    {"publish", 3, kPubSub | kLoading | kStale | kFast | kMayReplicate, 0, 0, 0, &cmd_publish,
     "@pubsub @fast"},
    {"pubsub", -2, 0, 0, 0, 0, nullptr, "@slow", kPubsubSub},
};

}  // namespace

std::span<const CommandSpec> pubsub_commands() {
    return kSpecs;
}

}  // namespace vigil::server
