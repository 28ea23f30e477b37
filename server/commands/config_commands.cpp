// CONFIG GET / SET / REWRITE / RESETSTAT / HELP over the server's directive table.
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/config/config_rewrite.hpp"
#include "common/log/log.hpp"
#include "server/commands/command_table.hpp"
#include "server/config_table.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

// The table is cheap to build and only binds references into server.config, so each command
// builds its own: no state to keep in sync with the config.
common::config::DirectiveTable table_for(Server& server) {
    ConfigTableOptions options;
    options.command_exists = [&server](std::string_view name) {
        return server.commands.find(name) != nullptr;
    };
    return make_config_table(server.config, options);
}

bool is_local_client(const ClientState& client) {
    if (client.conn == nullptr) {
        return true;
    }
    const std::string& peer = client.conn->peer();
    return peer.rfind("127.", 0) == 0 || peer.rfind("::1", 0) == 0 || peer.rfind("[::1]", 0) == 0;
}

void cmd_config_get(CommandContext& ctx) {
    auto table = table_for(ctx.server);
    std::vector<std::string_view> patterns(ctx.args.begin() + 2, ctx.args.end());
    auto values = table.get(patterns);
    ctx.reply.map_header(values.size());
    for (const auto& [name, value] : values) {
        ctx.reply.bulk(name);
        ctx.reply.bulk(value);
    }
}

void cmd_config_set(CommandContext& ctx) {
    if ((ctx.args.size() - 2) % 2 != 0) {
        ctx.reply.error("ERR wrong number of arguments for 'config|set' command");
        return;
    }
    Server& server = ctx.server;
    auto table = table_for(server);
    const std::string& protect = server.config.enable_protected_configs;
    table.protected_allowed =
        protect == "yes" || (protect == "local" && is_local_client(ctx.client));
    std::span<const std::string_view> pairs = ctx.args.subspan(2);
    // Old values, to put back if an action fails after the values were set.
    std::vector<std::pair<const common::config::Directive*, std::string>> old;
    for (std::size_t i = 0; i < pairs.size(); i += 2) {
        if (const auto* d = table.find(pairs[i])) {
            if (d->get) {
                old.emplace_back(d, d->get());
            }
        }
    }
    if (auto err = table.set(pairs)) {
        ctx.reply.error(*err);
        return;
    }
    for (std::size_t i = 0; i < old.size(); ++i) {
        auto hook = server.config_apply.find(old[i].first->name);
        if (hook == server.config_apply.end() || !hook->second) {
            continue;
        }
        std::string error;
        if (!hook->second(error)) {
            for (std::size_t j = old.size(); j-- > 0;) {
                table.set_value(*old[j].first, old[j].second);
            }
            for (std::size_t j = 0; j < i; ++j) {
                auto undo = server.config_apply.find(old[j].first->name);
                std::string ignored;
                if (undo != server.config_apply.end() && undo->second) {
                    undo->second(ignored);
                }
            }
            ctx.reply.error("ERR CONFIG SET failed (possibly related to argument '" +
                            std::string(pairs[2 * i]) + "') - " + error);
            return;
        }
    }
    common::log::set_level(server.config.loglevel);
    server.sync_requirepass();
    if (server.on_config_changed) {
        server.on_config_changed();
    }
    ctx.reply.ok();
}

void cmd_config_rewrite(CommandContext& ctx) {
    if (ctx.server.config_file.empty()) {
        ctx.reply.error("ERR The server is running without a config file");
        return;
    }
    auto table = table_for(ctx.server);
    std::string err = common::config::rewrite_config_file(ctx.server.config_file, table);
    if (!err.empty()) {
        spdlog::warn("CONFIG REWRITE failed: {}", err);
        ctx.reply.error("ERR Rewriting config file: " + err);
        return;
    }
    spdlog::info("CONFIG REWRITE executed with success.");
    ctx.reply.ok();
}

void cmd_config_resetstat(CommandContext& ctx) {
    ServerStats& s = ctx.server.stats;
    s.total_connections_received = 0;
    s.total_commands_processed = 0;
    s.rejected_connections = 0;
    s.total_net_input_bytes = 0;
    s.total_net_output_bytes = 0;
    s.total_error_replies = 0;
    ctx.server.keyspace.stats = KeyspaceStats{};
    ctx.reply.ok();
}

void cmd_config_help(CommandContext& ctx) {
    static constexpr std::string_view kLines[] = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    };
    ctx.reply.array_header(std::size(kLines));
    for (auto l : kLines) {
        ctx.reply.simple(l);
    }
}

constexpr std::uint32_t kConfigFlags = kAdmin | kNoScript | kLoading | kStale;

constexpr CommandSpec kConfigSub[] = {
    {"config|get", -3, kConfigFlags, 0, 0, 0, &cmd_config_get, "@admin @slow @dangerous"},
    {"config|set", -4, kConfigFlags, 0, 0, 0, &cmd_config_set, "@admin @slow @dangerous"},
    {"config|rewrite", 2, kConfigFlags, 0, 0, 0, &cmd_config_rewrite, "@admin @slow @dangerous"},
    {"config|resetstat", 2, kConfigFlags, 0, 0, 0, &cmd_config_resetstat,
     "@admin @slow @dangerous"},
    {"config|help", 2, kLoading | kStale, 0, 0, 0, &cmd_config_help, "@slow"},
};

constexpr CommandSpec kSpecs[] = {
    {"config", -2, 0, 0, 0, 0, nullptr, "@slow", kConfigSub},
};

}  // namespace

std::span<const CommandSpec> config_commands() {
    return kSpecs;
}

}  // namespace vigil::server
