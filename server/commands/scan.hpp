#pragma once
// Shared parsing for SCAN, HSCAN, SSCAN and ZSCAN.
#include <charconv>
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

// Checks args[cursor_index] alone, replying "invalid cursor" when it is not one. HSCAN, SSCAN and
// ZSCAN check the cursor before looking the key up, and the options only when the key exists.
inline bool scan_cursor_ok(CommandContext& ctx, std::size_t cursor_index) {
    std::string_view c = ctx.args[cursor_index];
    std::uint64_t cursor = 0;
    auto [p, ec] = std::from_chars(c.data(), c.data() + c.size(), cursor);
    if (c.empty() || ec != std::errc{} || p != c.data() + c.size()) {
        ctx.reply.error("ERR invalid cursor");
        return false;
    }
    return true;
}

// True when key passes the MATCH filter.
bool scan_match(const ScanOptions& opts, std::string_view key);

// The start of HSCAN, SSCAN and ZSCAN: checks the cursor, looks up args[1] (replying WRONGTYPE),
// answers an empty scan for a missing key and parses the options. Returns the node, or nullptr
// when the reply has been written already.
Db::Node* begin_collection_scan(CommandContext& ctx, ValueType type, ScanOptions& opts);

// One SCAN-style batch: calls step(cursor) -> next cursor until the iteration wraps, `gathered()`
// reaches COUNT, or COUNT * 10 buckets were visited (as Redis bounds the work of one call).
template <class Step, class Gathered>
std::uint64_t scan_batch(std::uint64_t cursor,
                         const ScanOptions& opts,
                         Step step,
                         Gathered gathered) {
    std::int64_t budget = opts.count * 10;
    do {
        cursor = step(cursor);
    } while (cursor != 0 && static_cast<std::int64_t>(gathered()) < opts.count && --budget > 0);
    return cursor;
}

}  // namespace vigil::server
