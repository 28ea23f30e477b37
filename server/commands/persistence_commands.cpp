// Persistence: SAVE, BGSAVE, BGREWRITEAOF (LASTSAVE lives with the server commands).
#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/persistence/persistence.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

constexpr std::string_view kBgsaveInProgress = "ERR Background save already in progress";

void cmd_save(CommandContext& ctx) {
    Persistence& p = *ctx.server.persistence;
    if (p.rdb_child_running()) {
        ctx.reply.error(kBgsaveInProgress);
        return;
    }
    std::string error;
    if (p.save(error)) {
        ctx.reply.ok();
    } else {
        ctx.reply.error("ERR");
    }
}

void cmd_bgsave(CommandContext& ctx) {
    bool schedule = false;
    if (ctx.args.size() > 1) {
        if (ctx.args.size() == 2 && iequals(ctx.args[1], "schedule")) {
            schedule = true;
        } else {
            ctx.reply.error(err::kSyntax);
            return;
        }
    }
    switch (ctx.server.persistence->bgsave(schedule)) {
        case Persistence::Start::started:
            ctx.reply.simple("Background saving started");
            break;
        case Persistence::Start::scheduled:
            ctx.reply.simple("Background saving scheduled");
            break;
        case Persistence::Start::already_running:
            ctx.reply.error(kBgsaveInProgress);
            break;
        case Persistence::Start::other_child:
            ctx.reply.error(
                "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
                "SCHEDULE in order to schedule a BGSAVE whenever possible.");
            break;
        case Persistence::Start::failed:
            ctx.reply.error("ERR");
            break;
    }
}

void cmd_bgrewriteaof(CommandContext& ctx) {
    switch (ctx.server.persistence->bgrewriteaof()) {
        case Persistence::Start::started:
            ctx.reply.simple("Background append only file rewriting started");
            break;
        case Persistence::Start::scheduled:
            ctx.reply.simple("Background append only file rewriting scheduled");
            break;
        case Persistence::Start::already_running:
        case Persistence::Start::other_child:
            ctx.reply.error("ERR Background append only file rewriting already in progress");
            break;
        case Persistence::Start::failed:
            ctx.reply.error(
                "ERR Can't execute an AOF background rewriting. Please check the server logs for "
                "more information.");
            break;
    }
}

constexpr CommandSpec kSpecs[] = {
    // name          arity  flags                keys     handler
    {"save", 1, kAdmin | kNoScript, 0, 0, 0, &cmd_save, "@admin @slow @dangerous"},
    {"bgsave", -1, kAdmin | kNoScript, 0, 0, 0, &cmd_bgsave, "@admin @slow @dangerous"},
    {"bgrewriteaof", 1, kAdmin | kNoScript, 0, 0, 0, &cmd_bgrewriteaof, "@admin @slow @dangerous"},
};

}  // namespace

std::span<const CommandSpec> persistence_commands() {
    return kSpecs;
}

}  // namespace vigil::server
