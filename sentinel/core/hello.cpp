#include "sentinel/core/hello.hpp"

#include <charconv>

#include "sentinel/core/detector.hpp"

namespace vigil::sentinel {
namespace {

template <typename T>
bool parse_number(std::string_view s, T& out) {
    if (s.empty()) {
        return false;
    }
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<Hello> parse_hello(std::string_view payload) {
    std::vector<std::string_view> t;
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = payload.find(',', start);
        t.push_back(
            payload.substr(start, comma == std::string_view::npos ? payload.npos : comma - start));
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    if (t.size() != 8) {
        return std::nullopt;
    }
    Hello h;
    h.sentinel.host = std::string(t[0]);
    h.runid = std::string(t[2]);
    h.master_name = std::string(t[4]);
    h.master.host = std::string(t[5]);
    if (!parse_number(t[1], h.sentinel.port) || !parse_number(t[3], h.current_epoch) ||
        !parse_number(t[6], h.master.port) || !parse_number(t[7], h.master_config_epoch)) {
        return std::nullopt;
    }
    return h;
}

std::string format_hello(const Hello& h) {
    return h.sentinel.host + "," + std::to_string(h.sentinel.port) + "," + h.runid + "," +
           std::to_string(h.current_epoch) + "," + h.master_name + "," + h.master.host + "," +
           std::to_string(h.master.port) + "," + std::to_string(h.master_config_epoch);
}

HelloOutcome process_hello(SentinelState& self,
                           std::map<std::string, Master>& masters,
                           const Hello& h,
                           Ms now,
                           std::vector<Event>& events) {
    HelloOutcome out;
    if (h.runid == self.myid) {
        return out;  // our own hello, echoed back
    }
    auto mit = masters.find(h.master_name);
    if (mit == masters.end()) {
        return out;
    }
    Master& master = mit->second;

    auto known = master.sentinels.find(h.runid);
    const bool same = known != master.sentinels.end() && known->second.addr == h.sentinel;
    if (!same) {
        // A known run id at a new address: forget it everywhere (it is re-added below).
        int removed = 0;
        for (auto& [name, m] : masters) {
            removed += static_cast<int>(m.sentinels.erase(h.runid));
        }
        if (removed > 0) {
            events.push_back({"+sentinel-address-switch",
                              describe(master, nullptr) + " ip " + h.sentinel.host + " port " +
                                  std::to_string(h.sentinel.port) + " for " + h.runid});
        }
        // Another run id at that address is stale: mark its address invalid (port 0) in every
        // master until a hello of its own says where it is.
        for (auto& [name, m] : masters) {
            for (auto& [runid, other] : m.sentinels) {
                if (other.addr == h.sentinel) {
                    if (&m == &master) {
                        events.push_back({"+sentinel-invalid-addr", describe(other, &m)});
                    }
                    other.addr.port = 0;
                }
            }
        }
        Instance s;
        s.kind = Kind::sentinel;
        s.name = h.runid;
        s.runid = h.runid;
        s.addr = h.sentinel;
        on_instance_created(s, now);
        master.sentinels[h.runid] = s;
        if (removed == 0) {
            events.push_back({"+sentinel", describe(s, &master)});
        }
        out.new_sentinel = true;
        out.flush_config = true;
    }

    if (h.current_epoch > self.current_epoch) {
        self.current_epoch = h.current_epoch;
        out.flush_config = true;
        events.push_back({"+new-epoch", std::to_string(self.current_epoch)});
    }

    if (h.master_config_epoch > master.config_epoch) {
        master.config_epoch = h.master_config_epoch;
        if (!(h.master == master.addr)) {
            const Instance& sender = master.sentinels[h.runid];
            events.push_back({"+config-update-from", describe(sender, &master)});
            events.push_back({"+switch-master", master.name + " " + master.addr.host + " " +
                                                    std::to_string(master.addr.port) + " " +
                                                    h.master.host + " " +
                                                    std::to_string(h.master.port)});
            out.switch_master = true;
            out.old_master = master.addr;
            out.new_master = h.master;
        }
    }
    master.sentinels[h.runid].last_hello_time = now;
    return out;
}

}  // namespace vigil::sentinel
