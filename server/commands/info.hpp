#pragma once
#include <string>
#include <vector>

namespace vigil::server {
class Server;
// Renders INFO for the given (lower-case) section names; empty means "default".
std::string render_info(Server& server,
                        const std::vector<std::string>& sections,
                        std::int64_t now_ms);
}  // namespace vigil::server
