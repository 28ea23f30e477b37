#pragma once
// Shared parsing for SCAN, HSCAN, SSCAN and ZSCAN.
#include <cstdint>
#include <optional>
#include <string>

#include "server/commands/command.hpp"

namespace vigil::server {

struct ScanOptions {
    std::uint64_t cursor = 0;
    std::optional<std::string> match;
    std::int64_t count = 10;
    std::optional<std::string> type;  // SCAN only
};

// Parses args[cursor_index] and the options after it; replies an error and returns false when
// they are invalid. `allow_type` is true for SCAN.
bool parse_scan_options(CommandContext& ctx,
                        std::size_t cursor_index,
                        bool allow_type,
                        ScanOptions& out);

// True when key passes the MATCH filter.
bool scan_match(const ScanOptions& opts, std::string_view key);

}  // namespace vigil::server
