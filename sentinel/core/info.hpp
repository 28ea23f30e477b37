#pragma once
// INFO replies of monitored servers, as redis-sentinel 7.0 reads them
// (sentinelRefreshInstanceInfo): the parsed fields, and what a master's INFO teaches about its
// replicas. Pure code.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/model.hpp"

namespace vigil::sentinel {

struct InfoReport {
    std::string run_id;
    bool is_replica = false;  // role:slave
    bool has_role = false;
    // role:slave
    std::string master_host;
    int master_port = 0;
    bool master_link_up = false;
    Ms master_link_down_ms = 0;  // master_link_down_since_seconds x 1000
    int replica_priority = 100;
    std::int64_t repl_offset = 0;
    bool replica_announced = true;
    // role:master: the replicas it lists (slaveN:ip=...,port=... or the old ip,port,state form)
    std::vector<Address> replicas;
};

InfoReport parse_info(std::string_view info);

// Applies a master's INFO: its run id (+reboot), its role, and replicas not known yet (+slave).
// Returns true when the configuration must be flushed (a replica was added).
bool apply_master_info(Master& master,
                       const InfoReport& report,
                       Ms now,
                       std::vector<Event>& events);

// Applies a replica's INFO to it (role, its master's address, link, priority, offset).
void apply_replica_info(Instance& replica,
                        const Master& master,
                        const InfoReport& report,
                        Ms now,
                        std::vector<Event>& events);

}  // namespace vigil::sentinel
