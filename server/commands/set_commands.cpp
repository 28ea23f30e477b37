// set commands: filled in by the set family work.
#include "server/commands/command_table.hpp"

namespace vigil::server {

std::span<const CommandSpec> set_commands() {
    return {};
}

}  // namespace vigil::server
