#include "sentinel/core/tilt.hpp"

namespace vigil::sentinel {

void check_tilt(TiltState& tilt, const Timers& t, Ms now, std::vector<Event>& events) {
    if (tilt.previous_time != kNever) {
        const Ms delta = now - tilt.previous_time;
        if (delta < 0 || delta > t.tilt_trigger) {
            tilt.active = true;
            tilt.since = now;
            events.push_back({"+tilt", "#tilt mode entered"});
        }
    }
    tilt.previous_time = now;
}

bool tilt_active(TiltState& tilt, const Timers& t, Ms now, std::vector<Event>& events) {
    if (!tilt.active || now - tilt.since < t.tilt_period) {
        return tilt.active;
    }
    tilt.active = false;
    events.push_back({"-tilt", "#tilt mode exited"});
    return false;
}

}  // namespace vigil::sentinel
