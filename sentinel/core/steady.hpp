#pragma once
// Steady-state enforcement (redis-sentinel 7.0, sentinelRefreshInstanceInfo's acting part): a
// replica of ours that reports itself master (the old master coming back) is turned back into a
// replica (+convert-to-slave); a replica following the wrong master is pointed at the right one
// (+fix-slave-config). Both only while the master looks sane. Pure predicates.
#include "sentinel/core/model.hpp"

namespace vigil::sentinel {

// In our configuration, reports role master, not S/ODOWN, INFO younger than 2 info periods.
bool master_looks_sane(const Master& master, const Timers& t, Ms now);

// Neither the instance nor its master has been down in the last `ms` (never counts as not).
bool no_down_for(const Instance& inst, const Master& master, Ms ms, Ms now);

// A replica of ours reporting role master, not the one being promoted: after 4 hello periods of
// reporting master (and no recent down), send it SLAVEOF the current master.
bool should_convert_to_replica(
    const Instance& replica, const Master& master, bool promoted, const Timers& t, Ms now);

// A replica following another master than ours for longer than failover-timeout.
bool should_fix_replica_config(const Instance& replica,
                               const Master& master,
                               const Timers& t,
                               Ms now);

}  // namespace vigil::sentinel
