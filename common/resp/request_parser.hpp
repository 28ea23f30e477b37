#pragma once
// Resumable, zero-copy parser for client requests: RESP multibulk arrays and inline commands.
//
// Contract: parse() is given the readable bytes of the connection's input buffer, which must start
// at a request boundary. It either returns a complete request (args view the buffer, or the
// parser's own storage for inline commands) and how many bytes it used, or need_more. After
// need_more the caller may move the buffer (grow, compact) as long as the unconsumed bytes keep
// their order: the parser remembers offsets from the request start, never pointers. After
// complete, the args stay valid until the caller consumes the request or calls parse() again.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::common {

enum class ParseStatus {
    complete,        // one request parsed; args hold it (may be empty for "*0" or a blank line)
    need_more,       // the request is incomplete; call again with more bytes
    protocol_error,  // malformed input; error_message holds Redis's reply text
};

struct ParseResult {
    ParseStatus status = ParseStatus::need_more;
    std::size_t consumed = 0;   // bytes of the request, valid when complete
    std::string error_message;  // e.g. "ERR Protocol error: invalid bulk length"
};

struct ParserLimits {
    std::size_t max_bulk_len = 512ULL * 1024 * 1024;  // proto-max-bulk-len
    std::size_t max_inline_len = 64 * 1024;           // PROTO_INLINE_MAX_SIZE
    std::size_t max_multibulk_len = 2147483647;       // elements per request (INT_MAX)
};

class RequestParser {
public:
    explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

    ParseResult parse(std::string_view input);

    // The arguments of the last complete request.
    const std::vector<std::string_view>& args() const { return args_; }
    // True when the last complete request was an inline command.
    bool last_was_inline() const { return last_inline_; }

    void set_limits(ParserLimits limits) { limits_ = limits; }
    const ParserLimits& limits() const { return limits_; }

    // Forget any partial request (e.g. when the connection is reused for a new stream).
    void reset();

private:
    ParseResult parse_inline(std::string_view input);
    ParseResult parse_multibulk(std::string_view input);
    ParseResult error(std::string message);

    ParserLimits limits_;
    // State of the request in progress, as offsets from its first byte.
    bool in_multibulk_ = false;
    std::size_t pos_ = 0;              // next byte to look at
    std::int64_t expected_args_ = -1;  // from "*N"; -1 before the header is read
    std::int64_t bulk_len_ = -1;       // from "$N" of the current argument; -1 before it is read
    std::vector<std::pair<std::size_t, std::size_t>> offsets_;  // (offset, length) per argument

    std::vector<std::string_view> args_;
    std::vector<std::string> inline_storage_;
    bool last_inline_ = false;
};

// Splits a line into arguments the way redis-cli and redis.conf do: whitespace separated, with
// "double quotes" (escapes \n \r \t \b \a \\ \" \xHH) and 'single quotes' (only \' escaped).
// Returns false on unbalanced quotes or a closing quote not followed by a space.
bool split_args(std::string_view line, std::vector<std::string>& out);

}  // namespace vigil::common
