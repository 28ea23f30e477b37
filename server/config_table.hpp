#pragma once
// The directives vigil-server accepts: every directive redis-server 7.0 accepts, bound to the
// fields of a ServerConfig. Used by the config loader (file and command line), CONFIG GET/SET and
// CONFIG REWRITE (server/commands/config_commands.cpp).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/directive_table.hpp"
#include "server/server_config.hpp"

namespace vigil::server {

struct ConfigTableOptions {
    // rename-command checks that the command exists; nullptr accepts any name.
    std::function<bool(std::string_view name)> command_exists;
};

// Builds the table over `cfg`: the directives keep references into it, so `cfg` must outlive the
// table and stay in place. Defaults (for CONFIG REWRITE) are those of a fresh ServerConfig.
common::config::DirectiveTable make_config_table(ServerConfig& cfg,
                                                 const ConfigTableOptions& options = {});

// Directives whose values Vigil refuses because it cannot honour them (cluster-enabled yes, a TLS
// port, a unix socket, modules): checked by the table's setters, listed here for documentation.
inline constexpr std::string_view kClusterUnsupported =
    "cluster mode is not supported by vigil-server";

}  // namespace vigil::server
