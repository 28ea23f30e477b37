#pragma once
// Runs a Server on an io_context: the listener, the periodic cron, signals, shutdown.
#include <memory>

#include "server/server.hpp"

namespace vigil::server {

// Runs until shutdown; returns the process exit code.
int run_server(Server& server);

}  // namespace vigil::server
