#pragma once
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/commands/command.hpp"

namespace vigil::server {

// Every command family contributes one span of rows.
std::span<const CommandSpec> string_commands();
std::span<const CommandSpec> key_commands();
std::span<const CommandSpec> hash_commands();
std::span<const CommandSpec> list_commands();
std::span<const CommandSpec> set_commands();
std::span<const CommandSpec> zset_commands();
std::span<const CommandSpec> server_commands();
std::span<const CommandSpec> pubsub_commands();
std::span<const CommandSpec> transaction_commands();
std::span<const CommandSpec> connection_commands();
std::span<const CommandSpec> config_commands();
std::span<const CommandSpec> persistence_commands();
std::span<const CommandSpec> acl_commands();
std::span<const CommandSpec> replication_commands();

class CommandTable {
public:
    CommandTable();
    // Case-insensitive lookup; nullptr when unknown.
    const CommandSpec* find(std::string_view name) const;
    // Subcommand lookup; nullptr when unknown.
    static const CommandSpec* find_sub(const CommandSpec& parent, std::string_view name);
    const std::vector<const CommandSpec*>& all() const { return all_; }
    // rename-command: the command `from` answers to `to` instead ("" disables it).
    // Returns false when `from` is not a command.
    bool rename(std::string_view from, std::string_view to);

private:
    std::unordered_map<std::string, const CommandSpec*> by_name_;
    std::vector<const CommandSpec*> all_;
};

// "get" for "GET": Redis matches command names case-insensitively.
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// Checks arity: N means exactly N arguments (name included), -N at least N.
inline bool arity_ok(int arity, std::size_t argc) {
    return arity >= 0 ? argc == static_cast<std::size_t>(arity)
                      : argc >= static_cast<std::size_t>(-arity);
}

}  // namespace vigil::server
