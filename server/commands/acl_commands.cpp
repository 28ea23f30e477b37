// ACL: SETUSER, DELUSER, GETUSER, LIST, USERS, WHOAMI, CAT, HELP.
#include <algorithm>
#include <set>

#include "server/commands/command_table.hpp"
#include "server/commands/errors.hpp"
#include "server/server.hpp"

namespace vigil::server {
namespace {

// Every category named in the command table (without '@').
std::set<std::string> categories(const CommandTable& table) {
    std::set<std::string> out;
    auto add = [&](std::string_view cats) {
        std::size_t pos = 0;
        while (pos < cats.size()) {
            std::size_t end = cats.find(' ', pos);
            if (end == std::string_view::npos) {
                end = cats.size();
            }
            if (end > pos + 1 && cats[pos] == '@') {
                out.emplace(cats.substr(pos + 1, end - pos - 1));
            }
            pos = end + 1;
        }
    };
    for (const auto* spec : table.all()) {
        add(spec->acl_categories);
        for (const auto& sub : spec->subcommands) {
            add(sub.acl_categories);
        }
    }
    out.insert("all");
    return out;
}

void cmd_acl_setuser(CommandContext& ctx) {
    std::vector<std::string> rules(ctx.args.begin() + 3, ctx.args.end());
    if (auto error = ctx.server.set_acl_user(ctx.args[2], rules)) {
        ctx.reply.error(*error);
        return;
    }
    ctx.reply.ok();
}

void cmd_acl_deluser(CommandContext& ctx) {
    std::int64_t deleted = 0;
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        if (ctx.args[i] == "default") {
            ctx.reply.error("ERR The 'default' user cannot be removed");
            return;
        }
    }
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
        std::string name(ctx.args[i]);
        if (!ctx.server.acl.delete_user(name)) {
            continue;
        }
        ++deleted;
        // Clients logged in as a deleted user are disconnected, as in Redis.
        for (const auto& [id, c] : ctx.server.clients) {
            if (c->user != name) {
                continue;
            }
            if (c == &ctx.client) {
                c->close_requested = true;
            } else if (c->conn != nullptr) {
                c->conn->close_now();
            }
        }
    }
    ctx.reply.integer(deleted);
}

void cmd_acl_getuser(CommandContext& ctx) {
    const common::AclUser* u = ctx.server.acl.find(ctx.args[2]);
    if (u == nullptr) {
        ctx.reply.null();
        return;
    }
    ctx.reply.map_header(6);
    ctx.reply.bulk("flags");
    std::vector<std::string_view> flags{u->enabled ? "on" : "off"};
    if (u->nopass) {
        flags.push_back("nopass");
    }
    ctx.reply.array_header(flags.size());
    for (auto f : flags) {
        ctx.reply.bulk(f);
    }
    ctx.reply.bulk("passwords");
    ctx.reply.array_header(u->password_hashes.size());
    for (const auto& h : u->password_hashes) {
        ctx.reply.bulk(h);
    }
    ctx.reply.bulk("commands");
    ctx.reply.bulk(u->commands_description());
    ctx.reply.bulk("keys");
    ctx.reply.bulk(u->keys_description());
    ctx.reply.bulk("channels");
    std::string channels = u->channels_description();
    ctx.reply.bulk(channels == "resetchannels" ? "" : channels);
    ctx.reply.bulk("selectors");
    ctx.reply.array_header(0);
}

void cmd_acl_list(CommandContext& ctx) {
    const auto& users = ctx.server.acl.users();
    ctx.reply.array_header(users.size());
    for (const auto& [name, u] : users) {
        ctx.reply.bulk(u.describe());
    }
}

void cmd_acl_users(CommandContext& ctx) {
    const auto& users = ctx.server.acl.users();
    ctx.reply.array_header(users.size());
    for (const auto& [name, u] : users) {
        ctx.reply.bulk(name);
    }
}

void cmd_acl_whoami(CommandContext& ctx) {
    ctx.reply.bulk(ctx.client.user);
}

void cmd_acl_cat(CommandContext& ctx) {
    const CommandTable& table = ctx.server.commands;
    if (ctx.args.size() == 2) {
        auto cats = categories(table);
        cats.erase("all");
        ctx.reply.array_header(cats.size());
        for (const auto& c : cats) {
            ctx.reply.bulk(c);
        }
        return;
    }
    std::string cat = "@" + to_lower(ctx.args[2]);
    auto cats = categories(table);
    if (cats.count(cat.substr(1)) == 0) {
        ctx.reply.error("ERR Unknown category '" + std::string(ctx.args[2]) + "'");
        return;
    }
    std::vector<std::string_view> names;
    for (const auto* spec : table.all()) {
        if (std::string_view(spec->acl_categories).find(cat) != std::string_view::npos) {
            names.push_back(spec->name);
        }
    }
    ctx.reply.array_header(names.size());
    for (auto n : names) {
        ctx.reply.bulk(n);
    }
}

void cmd_acl_help(CommandContext& ctx) {
    static constexpr std::string_view kLines[] = {
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "GETUSER <username>",
        "    Get the user's details.",
        "LIST",
        "    Show users details in config file format.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    };
    ctx.reply.array_header(std::size(kLines));
    for (auto l : kLines) {
        ctx.reply.simple(l);
    }
}

constexpr std::uint32_t kAclFlags = kAdmin | kNoScript | kLoading | kStale;

constexpr CommandSpec kAclSub[] = {
    {"acl|setuser", -3, kAclFlags, 0, 0, 0, &cmd_acl_setuser, "@admin @slow @dangerous"},
    {"acl|deluser", -3, kAclFlags, 0, 0, 0, &cmd_acl_deluser, "@admin @slow @dangerous"},
    {"acl|getuser", 3, kAclFlags, 0, 0, 0, &cmd_acl_getuser, "@admin @slow @dangerous"},
    {"acl|list", 2, kAclFlags, 0, 0, 0, &cmd_acl_list, "@admin @slow @dangerous"},
    {"acl|users", 2, kAclFlags, 0, 0, 0, &cmd_acl_users, "@admin @slow @dangerous"},
    {"acl|whoami", 2, kNoScript | kLoading | kStale, 0, 0, 0, &cmd_acl_whoami, "@slow"},
    {"acl|cat", -2, kNoScript | kLoading | kStale, 0, 0, 0, &cmd_acl_cat, "@slow"},
    {"acl|help", 2, kLoading | kStale, 0, 0, 0, &cmd_acl_help, "@slow"},
};

constexpr CommandSpec kSpecs[] = {
    {"acl", -2, 0, 0, 0, 0, nullptr, "@slow", kAclSub},
};

}  // namespace

std::span<const CommandSpec> acl_commands() {
    return kSpecs;
}

std::optional<std::string> Server::set_acl_user(std::string_view name,
                                                const std::vector<std::string>& rules) {
    auto cats = categories(commands);
    auto valid = [&](std::string_view target, bool is_category) {
        if (is_category) {
            return cats.count(std::string(target)) > 0;
        }
        auto bar = target.find('|');
        const CommandSpec* spec = commands.find(target.substr(0, bar));
        if (spec == nullptr) {
            return false;
        }
        return bar == std::string_view::npos ||
               CommandTable::find_sub(*spec, target.substr(bar + 1)) != nullptr;
    };
    return acl.set_user(name, rules, valid);
}

}  // namespace vigil::server
