// config commands.
#include "server/commands/command_table.hpp"

namespace vigil::server {

std::span<const CommandSpec> config_commands() {
    return {};
}

}  // namespace vigil::server
