#include "sentinel/core/steady.hpp"

namespace vigil::sentinel {

bool master_looks_sane(const Master& master, const Timers& t, Ms now) {
    return master.info_refresh != 0 && !master.reported_as_replica && !master.sdown &&
           !master.odown && now - master.info_refresh < 2 * t.info_period;
}

bool no_down_for(const Instance& inst, const Master& master, Ms ms, Ms now) {
    Ms most_recent = inst.sdown_since;
    if (master.odown_since > most_recent) {
        most_recent = master.odown_since;
    }
    return most_recent == 0 || now - most_recent > ms;
}

bool should_convert_to_replica(
    const Instance& replica, const Master& master, bool promoted, const Timers& t, Ms now) {
    const Ms wait = 4 * t.publish_period;
    return replica.info_refresh != 0 && !replica.reported_as_replica && !promoted &&
           master_looks_sane(master, t, now) && no_down_for(replica, master, wait, now) &&
           now - replica.role_reported_time > wait;
}

bool should_fix_replica_config(const Instance& replica,
                               const Master& master,
                               const Timers& t,
                               Ms now) {
    return replica.info_refresh != 0 && replica.reported_as_replica &&
           !(replica.reported_master == master.addr) && master_looks_sane(master, t, now) &&
           no_down_for(replica, master, master.failover_timeout, now) &&
           now - replica.reported_master_change_time > master.failover_timeout;
}

}  // namespace vigil::sentinel
