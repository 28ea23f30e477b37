// persistence commands.
#include "server/commands/command_table.hpp"

namespace vigil::server {

std::span<const CommandSpec> persistence_commands() {
    return {};
}

}  // namespace vigil::server
