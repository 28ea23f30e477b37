#pragma once
// Logging setup shared by both daemons: spdlog's default logger writes Redis's line format,
//   <pid>:<role> 21 Nov 2026 12:37:17.571 * Ready to accept connections tcp
// to stdout or to a file (appending). Redis's levels map onto spdlog's:
//   debug   -> trace  '.'        notice  -> info         '*'
//   verbose -> debug  '-'        warning -> warn (error, critical) '#'
// so spdlog::info is a notice and spdlog::warn a warning.

#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace vigil::common::log {

struct LogOptions {
    char role = 'M';   // M master, S replica, C child process, X sentinel
    std::string file;  // empty: stdout
    std::string level = "notice";
};

// The spdlog level for a Redis loglevel name; nullopt when unknown.
std::optional<spdlog::level::level_enum> level_from_name(std::string_view redis_level);

// Installs the default logger. Throws std::runtime_error when the file cannot be opened.
void setup(const LogOptions& options);
// Changes the level of every logger (CONFIG SET loglevel).
void set_level(std::string_view redis_level);
// Changes the role character printed on each line (a replica becomes a master, ...).
void set_role(char role);

}  // namespace vigil::common::log
