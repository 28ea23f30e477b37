#pragma once
// Persistence of one Server: RDB snapshots (SAVE, BGSAVE, the save schedule, load at start)
// and the append-only file. Owned by Server; the runtime calls load() once before listening.
#include <cstdint>
#include <string>

namespace vigil::server {

class Server;

class Persistence {
public:
    explicit Persistence(Server& server) : server_(server) {}
    // Loads the dataset at start-up (AOF when appendonly is on, else the RDB file).
    // Returns false with `error` set when the server must not start.
    bool load(std::string& error);
    // Periodic work: the save schedule, finished background saves, AOF fsync.
    void cron(std::int64_t now_ms);

private:
    Server& server_;
};

}  // namespace vigil::server
