#pragma once
// SentinelService: vigil-sentinel's command handlers behind the shared RESP front door
// (common::Service). It answers the 15 commands a redis-sentinel 7.0 answers — PING, INFO, ROLE,
// SENTINEL, PUBLISH, (P)SUBSCRIBE, (P)UNSUBSCRIBE, AUTH, HELLO, ACL, CLIENT, COMMAND, SHUTDOWN —
// with redis-sentinel 7.0.15's reply bytes and error texts.
//
// Socket-free like the core: every SENTINEL subcommand reads or changes the SentinelCore it is
// given; what the core returns (Actions) goes to the `perform` hook, which publishes and logs the
// events, saves the config file and reconciles the links. Time comes from the `now` hook.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/auth/acl.hpp"
#include "common/net/service.hpp"
#include "common/pubsub/pubsub.hpp"
#include "common/resp/reply_writer.hpp"
#include "sentinel/core/model.hpp"
#include "sentinel/core/sentinel.hpp"

namespace vigil::sentinel {

// One job of the script queue (SENTINEL PENDING-SCRIPTS).
struct PendingScript {
    std::vector<std::string> argv;  // the path, then the arguments
    bool running = false;
    long pid = 0;              // 0 while scheduled
    Ms run_time_or_delay = 0;  // running: ms since it started; scheduled: ms until it may run
    int retries = 0;           // retry-num
};

// What INFO server says about the process.
struct ProcessInfo {
    std::string run_id;  // 40 hex chars, new for every process (not the sentinel's myid)
    int tcp_port = 0;
    std::string executable;   // absolute path of the binary
    std::string config_file;  // absolute path of the config file
    long process_id = 0;
    std::int64_t uptime_seconds = 0;
};

struct ServiceHooks {
    std::function<Ms()> now;  // Unix time in ms
    // Performs what a command made the core decide: events (publish_event + log), scripts, log
    // lines, flush_config, links_changed and core.links_to_drop.
    std::function<void(Actions&)> perform;
    // Saves the config file now; false when that failed. Used where the reply depends on it
    // (FLUSHCONFIG, MONITOR, REMOVE, SET, CONFIG SET). Unset: those reply +OK and leave the save
    // to `perform` (flush_config).
    std::function<bool()> save_config;
    // SHUTDOWN (any option but ABORT): the process exits without saving anything.
    std::function<void()> shutdown;
    std::function<std::vector<PendingScript>()> pending_scripts;
    std::function<ProcessInfo()> process_info;
};

struct ServiceSettings {
    std::string requirepass;  // the default user's password ("" = nopass)
    // The `user <name> <rule> ...` lines of the config file, each as {name, rule, ...}, applied
    // in order after requirepass.
    std::vector<std::vector<std::string>> users;
    // Top-level `rename-command <from> <to>` lines; to = "" removes the command.
    std::vector<std::pair<std::string, std::string>> renamed_commands;
    std::size_t maxclients = 10000;
    // A sentinel always runs with protected mode off (as redis-sentinel forces it).
};

class SentinelService final : public common::Service {
public:
    // Connections still open when it is destroyed must not call it afterwards.
    // Throws std::invalid_argument with the reason when a `user` line or a rename is invalid.
    SentinelService(SentinelCore& core, ServiceHooks hooks, ServiceSettings settings);
    ~SentinelService() override;
    SentinelService(const SentinelService&) = delete;
    SentinelService& operator=(const SentinelService&) = delete;

    // common::Service
    std::unique_ptr<common::ClientContext> on_connect(common::Connection& conn,
                                                      std::string& out) override;
    common::ExecStatus execute(common::ClientContext& ctx,
                               std::span<const std::string_view> args,
                               std::string& out) override;
    void on_protocol_error(common::ClientContext& ctx) override;
    void on_input(common::ClientContext& ctx, std::size_t bytes, std::size_t buffered) override;
    void on_disconnect(common::ClientContext& ctx) override;
    std::chrono::milliseconds wait_timeout(const common::ClientContext& ctx) const override;

    // Publishes an event to the clients subscribed to its type (channel = type, message = text),
    // as redis-sentinel does for every event above the debug level.
    void publish_event(const Event& event);

    std::size_t connected_clients() const { return clients_.size(); }
    const common::Acl& acl() const { return acl_; }

    // The statistics INFO reports.
    struct Stats {
        std::uint64_t connections_received = 0;
        std::uint64_t commands_processed = 0;
        std::uint64_t rejected_connections = 0;
        std::uint64_t net_input_bytes = 0;
        std::uint64_t net_output_bytes = 0;
        std::uint64_t error_replies = 0;
        std::uint64_t reads_processed = 0;
    };
    const Stats& stats() const { return stats_; }

private:
    struct Call;
    using Handler = void (*)(Call&);

    // Command flags, as COMMAND INFO reports them.
    enum Flag : std::uint32_t {
        kAdmin = 1U << 0,
        kPubSub = 1U << 1,
        kNoScript = 1U << 2,
        kLoading = 1U << 3,
        kStale = 1U << 4,
        kFast = 1U << 5,
        kNoAuth = 1U << 6,
        kAllowBusy = 1U << 7,
        kNoMulti = 1U << 8,
    };

    // A row of the command table (redis-sentinel 7.0's flags, categories and tips).
    struct CommandDef {
        std::string_view name;        // lower case; "sentinel|set" for a subcommand
        int arity;                    // N: exactly N arguments with the name; -N: at least N
        std::uint32_t flags;          // Flag bits
        std::string_view categories;  // "@admin @slow @dangerous"
        std::string_view tips;        // space separated
        Handler handler;              // null for a container without a handler of its own
        std::span<const CommandDef> (*subcommands)() = nullptr;
    };

    // One client connection.
    struct Client : common::ClientContext, common::Subscriber {
        common::Connection* conn = nullptr;
        std::uint64_t id = 0;
        std::string name;
        std::string user = "default";
        bool authenticated = false;
        Ms created = 0;
        Ms last_interaction = 0;
        std::string last_command = "NULL";
        std::size_t query_buffer = 0;
        bool no_evict = false;
        bool reply_off = false;        // CLIENT REPLY OFF
        bool reply_skip_next = false;  // CLIENT REPLY SKIP: the next command's reply is dropped
        bool reply_skip = false;       // this command's reply is dropped
        bool tracking = false;         // CLIENT TRACKING (nothing to track on a sentinel)
        std::int64_t tracking_redirect = 0;
        std::uint32_t tracking_flags = 0;
        std::vector<std::string> tracking_prefixes;

        void deliver_push(std::string_view bytes) override;
        int push_protocol() const override { return protocol; }
        bool in_pubsub_mode() const { return subscription_count() > 0; }
    };

    // What a handler runs with.
    struct Call {
        SentinelService& service;
        Client& client;
        std::span<const std::string_view> args;
        common::ReplyWriter& reply;
        Ms now;
        const CommandDef& def;
        SentinelCore& core() { return service.core_; }
    };

    // The command families, each in its own file.
    struct ConnectionFamily;      // service_connection.cpp: PING, AUTH, HELLO, PUBLISH, ...
    struct ClientFamily;          // service_client.cpp: CLIENT
    struct AdminFamily;           // service_admin.cpp: COMMAND, ACL
    struct SentinelFamily;        // service_sentinel.cpp: SENTINEL's reading subcommands
    struct SentinelConfigFamily;  // service_sentinel_config.cpp: SENTINEL's changing ones
    static std::span<const CommandDef> command_table();  // service_connection.cpp
    static std::span<const CommandDef> client_subcommands();
    static std::span<const CommandDef> command_subcommands();
    static std::span<const CommandDef> acl_subcommands();
    static std::span<const CommandDef> sentinel_subcommands();
    static std::span<const CommandDef> sentinel_config_subcommands();
    static void info_command(Call& call);     // service_info.cpp
    static void command_command(Call& call);  // service_admin.cpp: COMMAND without subcommand

    // Helpers shared by the families (service.cpp).
    static std::string lower(std::string_view s);
    static bool iequals(std::string_view a, std::string_view b);
    // A whole integer the way Redis reads one (string2ll): no spaces, no '+', no leading zeros.
    static bool parse_ll(std::string_view s, long long& out);
    static std::span<const std::string_view> acl_categories();  // ACL CAT's 21 names
    static void reply_help(common::ReplyWriter& reply, std::span<const std::string_view> lines);
    // "ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP."
    static void subcommand_syntax_error(Call& call);

    void dispatch(Client& client,
                  std::span<const std::string_view> args,
                  common::ReplyWriter& reply,
                  Ms now);
    const CommandDef* lookup(std::string_view name) const;
    bool needs_auth(const Client& client) const;
    // The NOPERM error when the client's user may not run this command, else "".
    std::string acl_denial(const Client& client,
                           const CommandDef& def,
                           std::span<const std::string_view> args) const;
    // Every command and category name ACL rules may use.
    bool valid_acl_name(std::string_view name, bool is_category) const;
    // Runs `actions` through the perform hook.
    void perform(Actions& actions);
    // Saves the config file when a command changed it: false when the save failed.
    bool save_config(Actions& actions);
    Ms now() const;

    SentinelCore& core_;
    ServiceHooks hooks_;
    ServiceSettings settings_;
    common::Acl acl_;
    common::PubSub pubsub_;
    Stats stats_;
    std::map<std::uint64_t, Client*> clients_;
    std::uint64_t next_client_id_ = 1;
    // Command names (lower case) after rename-command -> their rows.
    std::map<std::string, const CommandDef*, std::less<>> names_;
    Ms pause_end_ = 0;  // CLIENT PAUSE ... ALL
};

}  // namespace vigil::sentinel
