#pragma once
// Appends RESP replies to one output string. Handlers use this and never format RESP by hand.
// The protocol version (2 or 3, from HELLO) decides how nulls, maps, sets, doubles and pushes
// are written, so handlers write the same calls for both.

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::common {

class ReplyWriter {
public:
    explicit ReplyWriter(std::string& out, int protocol = 2) : out_(&out), protocol_(protocol) {}

    int protocol() const { return protocol_; }
    void set_protocol(int protocol) { protocol_ = protocol; }
    std::string& buffer() { return *out_; }
    void set_buffer(std::string& out) { out_ = &out; }

    void simple(std::string_view s);  // +s
    void ok() { out_->append("+OK\r\n"); }
    // -message; message starts with the error code ("ERR ...", "WRONGTYPE ...").
    void error(std::string_view message);
    void integer(std::int64_t v);
    void bulk(std::string_view s);
    void null();        // RESP2 "$-1", RESP3 "_"
    void null_array();  // RESP2 "*-1", RESP3 "_"
    void array_header(std::size_t n);
    void map_header(std::size_t pairs);  // RESP3 "%", RESP2 an array of 2n
    void set_header(std::size_t n);      // RESP3 "~", RESP2 an array
    void push_header(std::size_t n);     // RESP3 ">", RESP2 an array
    void double_value(double v);         // RESP3 ",", RESP2 a bulk string (Redis %.17g style)
    void boolean(bool v);                // RESP3 "#t", RESP2 integer 1/0
    void verbatim(std::string_view s, std::string_view format = "txt");  // RESP3 "=", else bulk
    void bulk_int(std::int64_t v);  // an integer written as a bulk string
    void raw(std::string_view bytes) { out_->append(bytes); }

    // Error replies written so far, and the code (first word) of the last one, for the
    // errorstats and failed_calls statistics.
    std::uint32_t error_count() const { return error_count_; }
    std::string_view last_error_code() const { return last_error_code_; }

    template <class Range>
    void bulk_array(const Range& items) {
        array_header(std::size(items));
        for (const auto& s : items) {
            bulk(s);
        }
    }

private:
    void header(char type, std::size_t n);
    std::string* out_;
    int protocol_;
    std::uint32_t error_count_ = 0;
    std::string last_error_code_;
};

// Formats a double the way Redis 7.0 replies with one ("%.17g"; inf, -inf and nan spelled out).
std::string format_double(double v);

}  // namespace vigil::common
