// acl commands.
#include "server/commands/command_table.hpp"

namespace vigil::server {

std::span<const CommandSpec> acl_commands() {
    return {};
}

}  // namespace vigil::server
