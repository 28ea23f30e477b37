// Replication commands: REPLICAOF / SLAVEOF, PSYNC / SYNC, REPLCONF, WAIT, FAILOVER. The logic is
// in server/replication/.
#include "server/commands/command_table.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

void cmd_replicaof(CommandContext& ctx) {
    ctx.server.replication->replicaof(ctx);
    ctx.suppress_propagation = true;
}
void cmd_psync(CommandContext& ctx) {
    ctx.server.replication->psync(ctx);
}
void cmd_replconf(CommandContext& ctx) {
    ctx.server.replication->replconf(ctx);
}
void cmd_wait(CommandContext& ctx) {
    ctx.server.replication->wait(ctx);
}
void cmd_failover(CommandContext& ctx) {
    ctx.server.replication->failover(ctx);
}

constexpr CommandSpec kSpecs[] = {
    {"replicaof", 3, kAdmin | kNoScript | kStale, 0, 0, 0, &cmd_replicaof,
     "@admin @slow @dangerous"},
    {"slaveof", 3, kAdmin | kNoScript | kStale, 0, 0, 0, &cmd_replicaof, "@admin @slow @dangerous"},
    {"psync", -3, kAdmin | kNoScript | kNoMulti, 0, 0, 0, &cmd_psync, "@admin @slow @dangerous"},
    {"sync", 1, kAdmin | kNoScript | kNoMulti, 0, 0, 0, &cmd_psync, "@admin @slow @dangerous"},
    {"replconf", -1, kAdmin | kNoScript | kLoading | kStale | kAllowBusy, 0, 0, 0, &cmd_replconf,
     "@admin @slow @dangerous"},
    {"wait", 3, kNoScript, 0, 0, 0, &cmd_wait, "@slow @connection"},
    {"failover", -1, kAdmin | kNoScript | kStale, 0, 0, 0, &cmd_failover,
     "@admin @slow @dangerous"},
};

}  // namespace

std::span<const CommandSpec> replication_commands() {
    return kSpecs;
}

}  // namespace vigil::server
