#include "sentinel/core/info.hpp"

#include <charconv>

#include "sentinel/core/detector.hpp"

namespace vigil::sentinel {
namespace {

template <typename T>
T to_number(std::string_view s, T fallback) {
    T v{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() ? v : fallback;
}

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

// "slave0:ip=127.0.0.1,port=6380,state=online,offset=1,lag=0", or the pre-2.8 "ip,port,state".
std::optional<Address> parse_replica_line(std::string_view value) {
    Address a;
    if (value.find('=') != std::string_view::npos) {
        std::size_t start = 0;
        while (start <= value.size()) {
            std::size_t comma = value.find(',', start);
            std::string_view field =
                value.substr(start, comma == std::string_view::npos ? value.npos : comma - start);
            if (starts_with(field, "ip=")) {
                a.host = std::string(field.substr(3));
            } else if (starts_with(field, "port=")) {
                a.port = to_number<int>(field.substr(5), 0);
            }
            if (comma == std::string_view::npos) {
                break;
            }
            start = comma + 1;
        }
    } else {
        std::size_t c1 = value.find(',');
        if (c1 == std::string_view::npos) {
            return std::nullopt;
        }
        std::size_t c2 = value.find(',', c1 + 1);
        a.host = std::string(value.substr(0, c1));
        a.port =
            to_number<int>(value.substr(c1 + 1, c2 == value.npos ? value.npos : c2 - c1 - 1), 0);
    }
    if (a.host.empty() || a.port <= 0) {
        return std::nullopt;
    }
    return a;
}

}  // namespace

InfoReport parse_info(std::string_view info) {
    InfoReport r;
    std::size_t pos = 0;
    while (pos < info.size()) {
        std::size_t eol = info.find('\n', pos);
        std::string_view line =
            info.substr(pos, eol == std::string_view::npos ? info.npos : eol - pos);
        pos = eol == std::string_view::npos ? info.size() : eol + 1;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        std::size_t colon = line.find(':');
        if (line.empty() || line[0] == '#' || colon == std::string_view::npos) {
            continue;
        }
        std::string_view key = line.substr(0, colon);
        std::string_view value = line.substr(colon + 1);
        if (key == "run_id" && value.size() == 40) {
            r.run_id = std::string(value);
        } else if (key == "role") {
            r.has_role = value == "master" || value == "slave";
            r.is_replica = value == "slave";
        } else if (key == "master_host") {
            r.master_host = std::string(value);
        } else if (key == "master_port") {
            r.master_port = to_number<int>(value, 0);
        } else if (key == "master_link_status") {
            r.master_link_up = value == "up";
        } else if (key == "master_link_down_since_seconds") {
            r.master_link_down_ms = to_number<Ms>(value, 0) * 1000;
        } else if (key == "slave_priority") {
            r.replica_priority = to_number<int>(value, 100);
        } else if (key == "slave_repl_offset") {
            r.repl_offset = to_number<std::int64_t>(value, 0);
        } else if (key == "replica_announced") {
            r.replica_announced = value != "0";
        } else if (starts_with(key, "slave") && key.size() > 5 &&
                   key.find_first_not_of("0123456789", 5) == std::string_view::npos) {
            if (auto a = parse_replica_line(value)) {
                r.replicas.push_back(*a);
            }
        }
    }
    return r;
}

bool apply_master_info(Master& master,
                       const InfoReport& report,
                       Ms now,
                       std::vector<Event>& events) {
    if (!report.run_id.empty() && on_runid_reported(master, report.run_id, now)) {
        events.push_back({"+reboot", describe(master, nullptr)});
    }
    if (report.has_role) {
        on_role_reported(master, report.is_replica, now);
    }
    bool added = false;
    if (report.has_role && !report.is_replica) {
        for (const Address& a : report.replicas) {
            const std::string key = a.str();
            if (master.replicas.count(key) != 0) {
                continue;
            }
            Instance r;
            r.kind = Kind::replica;
            r.name = key;
            r.addr = a;
            on_instance_created(r, now);
            master.replicas[key] = r;
            events.push_back({"+slave", describe(master.replicas[key], &master)});
            added = true;
        }
    }
    return added;
}

void apply_replica_info(Instance& replica,
                        const Master& master,
                        const InfoReport& report,
                        Ms now,
                        std::vector<Event>& events) {
    if (!report.run_id.empty()) {
        if (!replica.runid.empty() && replica.runid != report.run_id) {
            events.push_back({"+reboot", describe(replica, &master)});
        }
        replica.runid = report.run_id;
    }
    if (report.has_role) {
        on_role_reported(replica, report.is_replica, now);
    }
    replica.master_link_down_time = report.master_link_down_ms;
    if (report.is_replica) {
        replica.replica_priority = report.replica_priority;
        replica.repl_offset = report.repl_offset;
        replica.replica_announced = report.replica_announced;
        const Address reported{report.master_host, report.master_port};
        if (!(reported == replica.reported_master) || replica.reported_master_change_time == 0) {
            replica.reported_master_change_time = now;
        }
        replica.reported_master = reported;
        replica.reported_master_link_up = report.master_link_up;
    }
}

}  // namespace vigil::sentinel
