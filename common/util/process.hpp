#pragma once
// Process start-up pieces both daemons share, as Redis does them.
#include <string>

namespace vigil::common {

// `daemonize yes`: fork, the parent exits, the child starts a new session with stdio on
// /dev/null. Exits the process when fork fails.
void daemonize();

// Writes the process id to `path`; logs a warning and returns false when it cannot.
bool write_pidfile(const std::string& path);

}  // namespace vigil::common
