#pragma once
// SREM, ZREM and HDEL share one shape: remove args[2..] from the collection at args[1], reply
// how many went, delete the key when it empties and record the change once.
#include <cstdint>

#include "server/commands/command.hpp"

namespace vigil::server {

// `access` maps the key's Object to its container (which has erase(member) and size()).
template <class Access>
void remove_members(CommandContext& ctx, ValueType type, Access access) {
    Db::Node* n = nullptr;
    if (!ctx.lookup_typed(ctx.args[1], type, n, true)) {
        return;
    }
    if (n == nullptr) {
        ctx.reply.integer(0);
        return;
    }
    auto& container = access(n->value);
    std::int64_t removed = 0;
    for (std::size_t i = 2; i < ctx.args.size() && container.size() > 0; ++i) {
        if (container.erase(ctx.args[i])) {
            ++removed;
        }
    }
    if (removed > 0) {
        ctx.delete_if_empty(n);
        ctx.modified(ctx.args[1], static_cast<std::uint64_t>(removed));
    }
    ctx.reply.integer(removed);
}

}  // namespace vigil::server
