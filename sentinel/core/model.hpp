#pragma once
// The sentinel's model of the world: monitored masters, their replicas and the peer sentinels
// that watch them, with what the failure detector knows of each. Plain data: no Asio, no clock.
// Every time value is Unix milliseconds handed in by the caller (sentinel/io reads the clock).
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vigil::sentinel {

using Ms = std::int64_t;
constexpr Ms kNever = -1;  // a time that has not happened (a time value may be 0 in tests)

// The timers of redis-sentinel 7.0 (sentinel.c), all changeable with SENTINEL DEBUG.
struct Timers {
    Ms ping_period = 1000;
    Ms info_period = 10000;
    Ms ask_period = 1000;
    Ms publish_period = 2000;
    Ms default_down_after = 30000;
    Ms default_failover_timeout = 180000;
    Ms tilt_trigger = 2000;
    Ms tilt_period = 30000;
    Ms slave_reconf_timeout = 10000;
    Ms min_link_reconnect_period = 15000;
    Ms election_timeout = 10000;
    Ms script_max_runtime = 60000;
    Ms script_retry_delay = 30000;
};

struct Address {
    std::string host;
    int port = 0;
    bool operator==(const Address&) const = default;
    std::string str() const { return host + ":" + std::to_string(port); }
};

enum class Kind { master, replica, sentinel };

// Where a replica stands in the reconfiguration after a promotion.
enum class ReconfState { none, sent, inprog, done };

// The command link as the failure detector sees it (redis-sentinel's instanceLink fields).
struct LinkState {
    bool connected = false;
    Ms connected_since = 0;
    Ms act_ping_time = kNever;  // the oldest PING still without a reply
    Ms last_ping_time = 0;      // the last PING sent
    Ms last_pong_time = 0;      // the last reply of any kind to a PING
    Ms last_avail_time = 0;     // the last +PONG, -LOADING or -MASTERDOWN
    int pending_commands = 0;   // sent and not answered yet
    bool info_pending = false;  // an INFO is on its way
    Ms last_info_time = 0;      // the last INFO sent
    std::string local_ip;       // our address on the link (announced in hellos)
};

// One monitored server or peer sentinel.
struct Instance {
    Kind kind = Kind::master;
    std::string name;  // the master's name; "ip:port" for a replica; the runid for a sentinel
    Address addr;
    std::string runid;
    LinkState link;
    bool sdown = false;
    Ms sdown_since = 0;
    // From INFO (masters and replicas).
    Ms info_refresh = 0;  // when the last INFO reply arrived; 0: never
    bool reported_as_replica = false;
    Ms role_reported_time = 0;  // when the reported role last changed
    // Replicas, from their INFO.
    int replica_priority = 100;
    std::int64_t repl_offset = 0;
    Ms master_link_down_time = 0;  // master_link_down_since_seconds, in ms
    bool replica_announced = true;
    Address reported_master;             // master_host / master_port it reports
    Ms reported_master_change_time = 0;  // when that address last changed
    bool reported_master_link_up = false;
    // Peer sentinels: their last answer to IS-MASTER-DOWN-BY-ADDR about our master. On a
    // Master, leader / leader_epoch are this sentinel's own vote for that master.
    bool says_master_down = false;
    Ms master_down_reply_time = 0;
    Ms master_down_ask_time = 0;  // the last IS-MASTER-DOWN-BY-ADDR sent to it
    std::string leader;           // the sentinel it voted for ("" when none)
    Ms last_hello_time = 0;       // sentinels: the last hello received from it
    std::uint64_t leader_epoch = 0;
    // Replicas during RECONF_SLAVES (SRI_RECONF_SENT / _INPROG / _DONE).
    ReconfState reconf = ReconfState::none;
    Ms reconf_sent_time = 0;
    bool script_kill_sent = false;  // SRI_SCRIPT_KILL_SENT
    Ms last_pub_time = 0;           // the last hello we sent to it that was answered
    std::string info_text;          // the last INFO reply (SENTINEL INFO-CACHE)
};

// The failover state machine of a master (sentinelFailoverStateMachine).
enum class FailoverState {
    none,
    wait_start,
    select_slave,
    send_slaveof_noone,
    wait_promotion,
    reconf_slaves,
    update_config,
};

struct Master : Instance {
    int quorum = 1;
    Ms down_after = 30000;
    Ms failover_timeout = 180000;
    int parallel_syncs = 1;
    Ms master_reboot_down_after_period = 0;
    bool rebooted = false;  // SRI_MASTER_REBOOT: its run_id changed
    Ms reboot_time = 0;
    bool odown = false;
    Ms odown_since = 0;
    // A random moment after ODOWN before this sentinel may start a failover (kNever: not drawn
    // yet): sentinels that reach ODOWN in the same millisecond do not all ask for votes at once.
    Ms failover_start_after = kNever;
    std::uint64_t config_epoch = 0;
    std::uint64_t failover_epoch = 0;
    Ms failover_start_time = 0;  // also set when voting for another sentinel (delays our own)
    FailoverState failover_state = FailoverState::none;
    Ms failover_state_change_time = 0;
    bool failover_in_progress = false;
    bool force_failover = false;  // SENTINEL FAILOVER: no election needed
    bool failover_delay_logged = false;
    std::string promoted;  // the replica chosen for promotion ("ip:port"), "" when none
    std::map<std::string, Instance> replicas;   // by "ip:port"
    std::map<std::string, Instance> sentinels;  // by runid
    // Configuration of the master (and, for auth and renames, of its replicas).
    std::string auth_pass;
    std::string auth_user;
    std::string notification_script;
    std::string client_reconfig_script;
    // `sentinel rename-command`: command name (as written; compared case-insensitively) -> the
    // name to send, in the order given.
    std::vector<std::pair<std::string, std::string>> renamed_commands;
};

// The sentinel's own identity and epoch (shared by all masters).
struct SentinelState {
    std::string myid;
    std::uint64_t current_epoch = 0;
};

// The `sentinel ...` directives that are not about one master.
struct SentinelGlobals {
    SentinelState self;
    std::string announce_ip;
    int announce_port = 0;
    bool resolve_hostnames = false;
    bool announce_hostnames = false;
    bool deny_scripts_reconfig = true;
    std::string sentinel_user;
    std::string sentinel_pass;
};

// Something the sentinel announces: logged as "<type> <text>", published on channel <type>.
struct Event {
    std::string type;  // "+sdown", "+odown", ...
    std::string text;  // the payload
};

// "<master|slave|sentinel> <name> <ip> <port>[ @ <master> <ip> <port>]" (sentinelEvent's %@).
std::string describe(const Instance& inst, const Master* master);

}  // namespace vigil::sentinel
