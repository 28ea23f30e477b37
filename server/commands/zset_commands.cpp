// zset commands: filled in by the zset family work.
#include "server/commands/command_table.hpp"

namespace vigil::server {

std::span<const CommandSpec> zset_commands() {
    return {};
}

}  // namespace vigil::server
