#include "server/persistence/persistence.hpp"

#include "server/server.hpp"

namespace vigil::server {

bool Persistence::load(std::string&) {
    return true;
}

void Persistence::cron(std::int64_t) {}

}  // namespace vigil::server
