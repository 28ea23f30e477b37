#pragma once
// TILT mode of redis-sentinel 7.0 (sentinelCheckTiltCondition): when the time between two ticks
// jumps backwards or by more than tilt-trigger (a clock change, a paused or starved process), what
// the sentinel knows about timing is unreliable, so for tilt-period it keeps watching but does not
// act (no SDOWN/ODOWN checks, no failover, no INFO-driven actions, is-master-down answered 0).
#include <vector>

#include "sentinel/core/model.hpp"

namespace vigil::sentinel {

struct TiltState {
    bool active = false;
    Ms since = 0;               // when TILT was last (re)entered
    Ms previous_time = kNever;  // the previous tick
};

// Called once per tick before anything else: a jump of the time since the previous tick that is
// negative or > t.tilt_trigger enters TILT (active, since = now, +tilt "#tilt mode entered").
// Every trigger publishes +tilt and restarts the period, even while already in TILT.
void check_tilt(TiltState& tilt, const Timers& t, Ms now, std::vector<Event>& events);

// Exit once tilt_period has passed since `since`: active = false, event -tilt "#tilt mode exited".
// Returns whether TILT is (still) active.
bool tilt_active(TiltState& tilt, const Timers& t, Ms now, std::vector<Event>& events);

}  // namespace vigil::sentinel
