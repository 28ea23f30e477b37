#pragma once
// Leader election and replica selection as redis-sentinel 7.0 does them: one vote per epoch per
// master, first come first served; a leader needs a majority of all known sentinels and the
// quorum; the replica to promote is the healthy one with the lowest priority, then the highest
// offset, then the smallest run id. Pure functions: time and randomness are handed in.
#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/core/model.hpp"

namespace vigil::sentinel {

struct VoteOutcome {
    std::string leader;  // the vote this sentinel now holds for the master
    std::uint64_t leader_epoch = 0;
    bool flush_config = false;  // the epoch or the vote changed: persist the state
};

// SENTINEL IS-MASTER-DOWN-BY-ADDR with a run id (a vote request), or our own vote.
// `jitter_ms` is the random 0..999 ms redis-sentinel adds to failover_start_time when it votes
// for another sentinel (so this sentinel waits 2 x failover-timeout before trying itself).
VoteOutcome vote_leader(SentinelState& self,
                        Master& master,
                        std::uint64_t req_epoch,
                        const std::string& req_runid,
                        Ms now,
                        Ms jitter_ms,
                        std::vector<Event>& events);

// Counts the votes for the master's failover in `failover_epoch` (sentinelGetLeader): the peers'
// votes of the current epoch, then our own for the most voted candidate (or ourselves). Returns
// the winner, or "" when nobody has both a majority of the known sentinels and the quorum.
std::string elect_leader(SentinelState& self,
                         Master& master,
                         std::uint64_t failover_epoch,
                         Ms now,
                         std::vector<Event>& events,
                         bool& flush_config);

// The replica to promote, or nullptr (sentinelSelectSlave).
const Instance* select_replica(const Master& master, const Timers& t, Ms now);

}  // namespace vigil::sentinel
