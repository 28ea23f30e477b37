#pragma once
// The `sentinel ...` lines of sentinel.conf: loading them into the model, and the lines the
// state rewrite writes back, both as redis-sentinel 7.0.15 does (checked against the binary).
// Pure code: the file system (script paths) and the resolver come in as callbacks.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/config/config_lexer.hpp"
#include "sentinel/core/model.hpp"

namespace vigil::sentinel {

// access(path, X_OK) == 0, for notification-script and client-reconfig-script.
using IsExecutable = std::function<bool(const std::string& path)>;

// Applies the `sentinel ...` lines (args[0] == "sentinel") in redis-sentinel's order: first the
// pre-monitor options (announce-ip, announce-port, deny-scripts-reconfig, sentinel-user,
// sentinel-pass, current-epoch, myid, resolve-hostnames, announce-hostnames), then every
// `monitor`, then the rest, each group in file order; so line order does not matter.
// Throws common::config::ConfigError (the line's source, number and text) with redis-sentinel's
// reason, e.g. "No such master with specified name.".
// Hosts: an IP address is stored normalised ("127.1" -> "127.0.0.1"); a hostname is an error
// ("Can't resolve instance hostname.") unless resolve-hostnames is yes, then it is kept as is.
// Renamed commands keep the case they were written in (the rewrite writes them back so).
void apply_sentinel_directives(const std::vector<common::config::ConfigLine>& sentinel_lines,
                               SentinelGlobals& g,
                               std::map<std::string, Master>& masters,
                               const Timers& timers,
                               const IsExecutable& is_executable);

// createSentinelAddr's checks for an address a peer reports (a replica line of INFO, a hello):
// a port in 0..65535 and a numeric IP address (returned normalised), or any non-empty host name
// with resolve-hostnames yes. nullopt where redis-sentinel would not create the instance; stored,
// such an address would end up in a line the next start refuses.
std::optional<Address> checked_instance_address(const SentinelGlobals& g,
                                                const std::string& host,
                                                long long port);

// One `sentinel` line of the rewrite.
struct SentinelConfigLine {
    std::vector<std::string> args;  // {"sentinel", option, ...}, quoted where needed
    // false: only rewrites an existing line of the same option (a default value is not added).
    bool force = true;

    std::string key() const;   // "sentinel <option>"
    std::string text() const;  // the args joined by spaces
};

struct RewriteHooks {
    // The master address to write: redis-sentinel's sentinelGetCurrentMasterAddress (the
    // promoted replica's during RECONF_SLAVES / UPDATE_CONFIG). Default: local equivalent.
    std::function<Address(const Master&)> master_address;
    // The host text for an address (announceSentinelAddr: the hostname with announce-hostnames
    // yes, else the resolved IP). Default: the stored host.
    std::function<std::string(const Address&)> announce_host;
};

// The lines redis-sentinel's rewriteConfigSentinelOption writes, in its order:
//   myid; deny-scripts-reconfig, resolve-hostnames, announce-hostnames (not forced at default);
//   per master: monitor (current address), down-after-milliseconds / failover-timeout (when not
//   the timers' defaults), parallel-syncs (when not 1), notification-script,
//   client-reconfig-script, auth-pass, auth-user (when set), master-reboot-down-after-period
//   (when not 0), config-epoch, leader-epoch, known-replica per replica (the promoted one under
//   the old master address mid-failover), known-sentinel per sentinel with a runid,
//   rename-command per rename;
//   current-epoch; announce-ip (quoted), announce-port (when not 0), sentinel-user, sentinel-pass.
// Strings are written as redis-sentinel writes them (unquoted), except that a value the config
// parser could not read back unquoted (empty, spaces, quotes, control characters) is quoted.
std::vector<SentinelConfigLine> sentinel_rewrite_lines(const SentinelGlobals& g,
                                                       const std::map<std::string, Master>& masters,
                                                       const Timers& timers,
                                                       const RewriteHooks& hooks = {});

// Every option the rewrite owns: old lines of these options that were not reused are removed.
const std::vector<std::string>& sentinel_rewrite_options();

// The rewrite key of an old `sentinel` line ("sentinel monitor"; known-slave counts as
// known-replica, so an old known-slave line is reused rather than left as a duplicate).
std::string sentinel_line_key(const std::vector<std::string>& args);

}  // namespace vigil::sentinel
