#include "sentinel/core/election.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace vigil::sentinel {

VoteOutcome vote_leader(SentinelState& self,
                        Master& master,
                        std::uint64_t req_epoch,
                        const std::string& req_runid,
                        Ms now,
                        Ms jitter_ms,
                        std::vector<Event>& events) {
    VoteOutcome out;
    if (req_epoch > self.current_epoch) {
        self.current_epoch = req_epoch;
        out.flush_config = true;
        events.push_back({"+new-epoch", std::to_string(self.current_epoch)});
    }
    if (master.leader_epoch < req_epoch && self.current_epoch <= req_epoch) {
        master.leader = req_runid;
        master.leader_epoch = self.current_epoch;
        out.flush_config = true;
        events.push_back(
            {"+vote-for-leader", master.leader + " " + std::to_string(master.leader_epoch)});
        if (master.leader != self.myid) {
            // Voted for someone else: do not start our own failover for a while.
            master.failover_start_time = now + jitter_ms;
        }
    }
    out.leader = master.leader;
    out.leader_epoch = master.leader_epoch;
    return out;
}

std::string elect_leader(SentinelState& self,
                         Master& master,
                         std::uint64_t failover_epoch,
                         Ms now,
                         std::vector<Event>& events,
                         bool& flush_config) {
    std::map<std::string, int> counters;
    const int voters = static_cast<int>(master.sentinels.size()) + 1;
    for (const auto& [runid, peer] : master.sentinels) {
        if (!peer.leader.empty() && peer.leader_epoch == self.current_epoch) {
            ++counters[peer.leader];
        }
    }
    // Our own vote goes to the most voted candidate, or to ourselves.
    std::string winner;
    int max_votes = 0;
    for (const auto& [runid, votes] : counters) {
        if (votes > max_votes) {
            max_votes = votes;
            winner = runid;
        }
    }
    const std::string candidate = winner.empty() ? self.myid : winner;
    VoteOutcome mine = vote_leader(self, master, failover_epoch, candidate, now, 0, events);
    flush_config = flush_config || mine.flush_config;
    if (!mine.leader.empty() && mine.leader_epoch == failover_epoch) {
        const int votes = ++counters[mine.leader];
        if (votes > max_votes) {
            max_votes = votes;
            winner = mine.leader;
        }
    }
    const int majority = voters / 2 + 1;
    if (winner.empty() || max_votes < majority || max_votes < master.quorum) {
        return {};
    }
    return winner;
}

namespace {

bool runid_less(const std::string& a, const std::string& b) {
    // Case-insensitive; an unknown run id sorts last.
    if (a.empty() || b.empty()) {
        return !a.empty() && b.empty();
    }
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) <
               std::tolower(static_cast<unsigned char>(y));
    });
}

}  // namespace

const Instance* select_replica(const Master& master, const Timers& t, Ms now) {
    Ms max_master_down_time = 0;
    if (master.sdown) {
        max_master_down_time += now - master.sdown_since;
    }
    max_master_down_time += master.down_after * 10;
    const Ms info_validity = master.sdown ? 5 * t.ping_period : 3 * t.info_period;

    std::vector<const Instance*> candidates;
    for (const auto& [key, r] : master.replicas) {
        if (r.sdown || !r.link.connected) {
            continue;
        }
        if (now - r.link.last_avail_time > 5 * t.ping_period) {
            continue;
        }
        if (r.replica_priority == 0) {
            continue;
        }
        if (r.info_refresh == 0 || now - r.info_refresh > info_validity) {
            continue;
        }
        if (r.master_link_down_time > max_master_down_time) {
            continue;
        }
        candidates.push_back(&r);
    }
    if (candidates.empty()) {
        return nullptr;
    }
    std::sort(candidates.begin(), candidates.end(), [](const Instance* a, const Instance* b) {
        if (a->replica_priority != b->replica_priority) {
            return a->replica_priority < b->replica_priority;
        }
        if (a->repl_offset != b->repl_offset) {
            return a->repl_offset > b->repl_offset;
        }
        return runid_less(a->runid, b->runid);
    });
    return candidates.front();
}

}  // namespace vigil::sentinel
