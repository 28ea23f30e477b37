#pragma once
// Client-side RESP2 reply reader: hiredis's redisReader behind RAII, for links that send commands
// to servers and peer sentinels and read what comes back (command replies, pub/sub messages).
//
// Contract: feed() copies the bytes into the reader's own buffer, so the caller's read buffer can
// be reused at once. next() hands out one complete reply at a time, in order; call it until
// need_more to drain pipelined replies. After protocol_error the reader is finished: every later
// next() returns protocol_error again, and the connection should be closed.
//
// hiredis 0.14 (Debian 12) reads RESP2 only: RESP3 type bytes are protocol errors, "*-1" and
// "$-1" both read as nil, and a scalar may sit under at most 8 nested arrays.
//
// Memory: the reader buffers each reply whole and sets no size limit on bytes. hiredis accepts
// a bulk length up to LLONG_MAX and would accept an array count up to INT_MAX, whose element
// table it callocs as soon as the header arrives and walks slot by slot when the reply is freed
// (`*2147483647` alone: 16 GiB of address space and ~15 s of CPU). So an array header with more
// than kMaxArrayElements elements is a protocol error at once. A link that must bound memory
// also limits how many bytes it feeds without getting a reply back, and drops the connection
// past that.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;  // hiredis, kept out of this header

namespace vigil::common {

enum class ReplyType {
    status,   // +text (simple string)
    error,    // -text
    integer,  // :n
    bulk,     // $len text (binary safe)
    nil,      // $-1 or *-1
    array,    // *n elements
};

struct Reply {
    ReplyType type = ReplyType::nil;
    std::string str;              // status, error and bulk text
    long long integer = 0;        // integer value
    std::vector<Reply> elements;  // array elements

    bool is_status() const { return type == ReplyType::status; }
    bool is_error() const { return type == ReplyType::error; }
    bool is_integer() const { return type == ReplyType::integer; }
    bool is_bulk() const { return type == ReplyType::bulk; }
    bool is_nil() const { return type == ReplyType::nil; }
    bool is_array() const { return type == ReplyType::array; }
    // Status or bulk: the two ways a server sends text that is not an error.
    bool is_string() const { return is_status() || is_bulk(); }

    friend bool operator==(const Reply&, const Reply&) = default;
};

class ReplyReader {
public:
    // Larger array headers are refused (protocol_error) when they arrive.
    static constexpr int kMaxArrayElements = 1 << 20;

    enum class Status {
        reply,           // one complete reply was stored in `out`
        need_more,       // no complete reply buffered; feed more bytes
        protocol_error,  // malformed input (or out of memory); error() says what
    };

    ReplyReader();  // throws std::bad_alloc if hiredis cannot allocate the reader
    ~ReplyReader();
    ReplyReader(ReplyReader&& other) noexcept;
    ReplyReader& operator=(ReplyReader&& other) noexcept;
    ReplyReader(const ReplyReader&) = delete;
    ReplyReader& operator=(const ReplyReader&) = delete;

    // Appends bytes read from the connection. A failure (out of memory, or an earlier protocol
    // error) is reported by the next call to next().
    void feed(std::string_view bytes);

    // Takes the next complete reply, if any. `out` is only written when this returns reply.
    Status next(Reply& out);

    // The reader's error text after protocol_error (e.g. "Protocol error, got \"?\" as reply
    // type byte"); empty while there is no error.
    std::string error() const;

    // A moved-from reader holds no hiredis reader: it may only be assigned to or destroyed (next()
    // on it returns protocol_error).
    bool valid() const { return reader_ != nullptr; }

private:
    struct ReaderDeleter {
        void operator()(redisReader* reader) const noexcept;
    };
    std::unique_ptr<redisReader, ReaderDeleter> reader_;
};

}  // namespace vigil::common
