#pragma once
// The sentinel as one pure state machine: the inputs (a tick with the current time, links going
// up and down, replies, hello messages, client commands) change the model and return Actions
// (commands to send, events to publish, scripts to run, whether to save the config). The io
// layer owns the sockets, the clock and the files and only performs what comes out of here.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/reply_reader.hpp"
#include "sentinel/core/model.hpp"
#include "sentinel/core/tilt.hpp"

namespace vigil::sentinel {

// One monitored instance, as the io layer names its links.
struct InstanceId {
    std::string master;  // the master's name
    Kind kind = Kind::master;
    std::string key;  // "" for the master, "ip:port" for a replica, the runid for a sentinel
    auto operator<=>(const InstanceId&) const = default;
};

// Why a command was sent: its replies come back to reply() with the same purpose.
enum class Purpose { setup, ping, info, hello, ask_master_down, reconfigure, script_kill };

struct OutCommand {
    InstanceId target;
    Purpose purpose = Purpose::ping;
    // Sent in one write, in order; one reply each. Names are already renamed for the target.
    std::vector<std::vector<std::string>> commands;
};

struct ScriptRequest {
    std::string path;
    std::vector<std::string> args;
};

enum class LogLevel { debug, verbose, notice, warning };

struct Actions {
    std::vector<Event> events;  // published on their channel and logged
    std::vector<OutCommand> commands;
    std::vector<ScriptRequest> scripts;
    std::vector<std::pair<LogLevel, std::string>> logs;  // other log lines
    bool flush_config = false;
    bool links_changed = false;  // instances were added or removed: reconcile the links
};

// The level of an event (sentinelEvent): warnings run the notification script, debug events are
// not published.
LogLevel event_level(std::string_view type);

// A link the io layer should keep: whom to connect to, and whether it also needs a pub/sub link.
struct LinkTarget {
    InstanceId id;
    Address addr;
    bool pubsub = false;
};

class SentinelCore {
public:
    explicit SentinelCore(std::uint64_t seed = 1);

    SentinelGlobals globals;
    Timers timers;
    std::map<std::string, Master> masters;
    TiltState tilt;
    int port = 26379;  // our own port, announced in hellos unless announce-port is set
    // Sentinels here run event-driven, not on redis-sentinel's randomised 50-100 ms timer, so
    // they can reach ODOWN in the same few milliseconds, each vote for itself and split the vote
    // (then nobody retries for 2 x failover-timeout). After ODOWN a sentinel therefore waits for
    // its turn before starting a failover: turns of this length in the order of the run ids of
    // itself and the peers it does not consider down, plus a random quarter turn; the first to
    // ask gets the votes, and the others have voted before their turn comes. 0: no wait.
    Ms max_start_delay = 200;
    // SENTINEL SIMULATE-FAILURE flags.
    static constexpr int kCrashAfterElection = 1;
    static constexpr int kCrashAfterPromotion = 2;
    int simulate_failure = 0;
    bool crash_requested = false;  // a simulated failure fired: the io layer exits with 99

    // ---- inputs ----
    // The periodic timer (and after any reply): sends what is due, runs detection and failover.
    void tick(Ms now, Actions& out);
    // The command link of an instance connected (setup commands follow in `out`) or failed.
    void link_up(const InstanceId& id, const std::string& local_ip, Ms now, Actions& out);
    void link_down(const InstanceId& id, Ms now);
    // A reply on the command link.
    void reply(const InstanceId& id, Purpose purpose, const common::Reply& r, Ms now, Actions& out);
    // A message on `__sentinel__:hello` (from a pub/sub link or a PUBLISH to us).
    void hello_received(std::string_view payload, Ms now, Actions& out);

    // ---- what the io layer asks ----
    std::vector<LinkTarget> link_targets() const;
    // What a new link sends first: AUTH when configured, then CLIENT SETNAME.
    std::vector<std::vector<std::string>> link_handshake(const InstanceId& id, bool pubsub) const;
    // Our own password, sent to peer sentinels when sentinel-pass is not set.
    std::string requirepass;
    Instance* find(const InstanceId& id);
    Master* find_master(std::string_view name);
    // The first master at this address (IS-MASTER-DOWN-BY-ADDR).
    Master* master_by_address(std::string_view host, int addr_port);
    // A command name as this instance's master renames it.
    std::string command_name(const Master& master, std::string_view name) const;
    // The address a hello and SENTINEL get-master-addr-by-name give for the master.
    static Address current_address(const Master& master);

    // ---- client commands (SENTINEL ...), the parts that change state ----
    // IS-MASTER-DOWN-BY-ADDR: {down, leader, leader_epoch}.
    struct MasterDownAnswer {
        bool down = false;
        std::string leader = "*";
        std::uint64_t leader_epoch = 0;
    };
    MasterDownAnswer is_master_down_by_addr(std::string_view host,
                                            int addr_port,
                                            std::uint64_t req_epoch,
                                            const std::string& runid,
                                            Ms now,
                                            Actions& out);
    // MONITOR: a new master; the caller has validated the arguments.
    Master& monitor(const std::string& name, const Address& addr, int quorum, Ms now, Actions& out);
    void remove(const std::string& name, Actions& out);
    // RESET <pattern>: the number of masters reset.
    int reset(std::string_view pattern, Ms now, Actions& out);
    // FAILOVER: "" when started, else the error reply text.
    std::string force_failover(const std::string& name, Ms now, Actions& out);
    // CKQUORUM: usable sentinels (ourselves included), and whether quorum / majority are reachable.
    struct QuorumCheck {
        int usable = 0;
        bool quorum_ok = false;
        bool majority_ok = false;
    };
    QuorumCheck check_quorum(const Master& master) const;
    // Links to drop now (auth or renames changed); read and cleared by the io layer.
    std::vector<InstanceId> links_to_drop;

private:
    void handle_instance(Master& master, Instance& inst, InstanceId id, Ms now, Actions& out);
    void send_periodic(Master& master, Instance& inst, const InstanceId& id, Ms now, Actions& out);
    void ask_master_state(Master& master, bool forced, Ms now, Actions& out);
    void failover_state_machine(Master& master, Ms now, Actions& out);
    void on_info(Master& master,
                 Instance& inst,
                 const InstanceId& id,
                 const std::string& text,
                 Ms now,
                 Actions& out);
    void send_slaveof(Master& master,
                      const InstanceId& id,
                      const std::optional<Address>& to,
                      bool then_info,
                      Actions& out);
    void force_hello_update(Master& master);
    void emit(Actions& out, const Master* master, Event e);
    void emit_all(Actions& out, const Master* master, std::vector<Event>& events);
    void switch_master(Master& master, const Address& to, Ms now, Actions& out);
    void drop_links_of(const Master& master, bool sentinels_too);
    void reconfig_script(const Master& master,
                         const char* role,
                         const Address& from,
                         const Address& to,
                         Actions& out);
    Ms jitter();
    // How long to wait after ODOWN before starting a failover (see max_start_delay).
    Ms start_delay(const Master& master);
    std::string hello_payload(const Master& master, const Instance& via) const;

    std::uint64_t rng_;
};

}  // namespace vigil::sentinel
