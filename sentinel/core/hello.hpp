#pragma once
// Hello messages (`__sentinel__:hello`): how sentinels find each other and spread the latest
// configuration of a master, as redis-sentinel 7.0 does it. Pure code over the model.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/election.hpp"
#include "sentinel/core/model.hpp"

namespace vigil::sentinel {

// "<ip>,<port>,<runid>,<current_epoch>,<master_name>,<master_ip>,<master_port>,<config_epoch>"
struct Hello {
    Address sentinel;
    std::string runid;
    std::uint64_t current_epoch = 0;
    std::string master_name;
    Address master;
    std::uint64_t master_config_epoch = 0;
};

// Exactly 8 comma-separated fields with valid numbers, else nullopt (the message is dropped).
std::optional<Hello> parse_hello(std::string_view payload);
std::string format_hello(const Hello& hello);

struct HelloOutcome {
    bool flush_config = false;
    bool new_sentinel = false;  // a sentinel was added: the io layer may share its link
    // The sender knows a newer configuration with another address for the master: the caller
    // resets the master to `new_master` (sentinelResetMasterAndChangeAddress) and runs the
    // client-reconfig-script as an observer.
    bool switch_master = false;
    Address old_master;
    Address new_master;
};

// Applies a hello received from another sentinel (sentinelProcessHelloMessage).
HelloOutcome process_hello(SentinelState& self,
                           std::map<std::string, Master>& masters,
                           const Hello& hello,
                           Ms now,
                           std::vector<Event>& events);

}  // namespace vigil::sentinel
