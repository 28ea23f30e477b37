// MULTI, EXEC, DISCARD, WATCH, UNWATCH.
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

void discard_transaction(Server& server, ClientState& c) {
    c.in_multi = false;
    c.multi_dirty = false;
    c.queued.clear();
    unwatch_all(server, c);
}

void cmd_multi(CommandContext& ctx) {
    if (ctx.client.in_multi) {
        ctx.reply.error("ERR MULTI calls can not be nested");
        return;
    }
    ctx.client.in_multi = true;
    ctx.client.multi_dirty = false;
    ctx.client.queued.clear();
    ctx.reply.ok();
}

void cmd_discard(CommandContext& ctx) {
    if (!ctx.client.in_multi) {
        ctx.reply.error("ERR DISCARD without MULTI");
        return;
    }
    discard_transaction(ctx.server, ctx.client);
    ctx.reply.ok();
}

void cmd_exec(CommandContext& ctx) {
    ClientState& c = ctx.client;
    if (!c.in_multi) {
        ctx.reply.error("ERR EXEC without MULTI");
        return;
    }
    if (c.multi_dirty) {
        discard_transaction(ctx.server, c);
        ctx.reply.error(err::kExecAbort);
        return;
    }
    if (c.exec_watch_dirty) {
        discard_transaction(ctx.server, c);
        ctx.reply.null_array();
        return;
    }
    std::vector<QueuedCommand> queued = std::move(c.queued);
    c.in_multi = false;
    c.queued.clear();
    unwatch_all(ctx.server, c);
    ctx.reply.array_header(queued.size());
    // The transaction reaches the AOF and replicas as MULTI ... EXEC around its writes, so they
    // apply it atomically too. MULTI is emitted before the first write only.
    bool multi_emitted = false;
    const int start_db = c.db;
    c.in_exec = true;
    for (const auto& q : queued) {
        std::vector<std::string_view> args(q.args.begin(), q.args.end());
        CommandContext sub{ctx.server, c, args, ctx.reply, ctx.now_ms, q.spec, {}, false};
        c.last_command = std::string(q.spec->name);
        if (!multi_emitted && (q.spec->flags & (kWrite | kMayReplicate)) != 0) {
            std::string_view multi[] = {"MULTI"};
            ctx.server.propagate(start_db, multi);
            multi_emitted = true;
        }
        ctx.server.run_handler(sub);
    }
    c.in_exec = false;
    if (multi_emitted) {
        std::string_view exec[] = {"EXEC"};
        ctx.server.propagate(c.db, exec);
    }
    // EXEC itself is not propagated again by the caller.
    ctx.suppress_propagation = true;
}

void cmd_watch(CommandContext& ctx) {
    if (ctx.client.in_multi) {
        ctx.reply.error("ERR WATCH inside MULTI is not allowed");
        return;
    }
    for (std::size_t i = 1; i < ctx.args.size(); ++i) {
        watch_key(ctx.server, ctx.client, ctx.args[i]);
    }
    ctx.reply.ok();
}

void cmd_unwatch(CommandContext& ctx) {
    unwatch_all(ctx.server, ctx.client);
    ctx.reply.ok();
}

constexpr CommandSpec kSpecs[] = {
    {"multi", 1, kNoScript | kLoading | kStale | kFast | kAllowBusy, 0, 0, 0, &cmd_multi,
     "@fast @transaction"},
    {"exec", 1, kNoScript | kLoading | kStale | kSkipSlowlog, 0, 0, 0, &cmd_exec,
     "@slow @transaction"},
    {"discard", 1, kNoScript | kLoading | kStale | kFast | kAllowBusy, 0, 0, 0, &cmd_discard,
     "@fast @transaction"},
    {"watch", -2, kNoScript | kLoading | kStale | kFast | kAllowBusy, 1, -1, 1, &cmd_watch,
     "@fast @transaction"},
    {"unwatch", 1, kNoScript | kLoading | kStale | kFast | kAllowBusy, 0, 0, 0, &cmd_unwatch,
     "@fast @transaction"},
};

}  // namespace

std::span<const CommandSpec> transaction_commands() {
    return kSpecs;
}

}  // namespace vigil::server
