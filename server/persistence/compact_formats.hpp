#pragma once
// The compact blob encodings Redis stores inside RDB strings: listpack (Redis 7 hashes, sorted
// sets and list nodes), intset (integer sets), and the older ziplist and zipmap that RDB files
// from Redis 6 and earlier contain. Written from the published format descriptions.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::server {

// Strict integer parse, as Redis decides whether a string is stored as an integer: no spaces,
// no '+', no leading zeros, no "-0".
bool strict_int64(std::string_view s, std::int64_t& out);

// Builds a listpack. Strings that are canonical integers are stored as integers, like Redis.
class ListpackBuilder {
public:
    void append(std::string_view s);
    void append_int(std::int64_t v);
    std::size_t count() const { return count_; }
    // Size of the finished listpack if finished now.
    std::size_t bytes() const { return body_.size() + 7; }
    std::string finish() const;
    void clear() {
        body_.clear();
        count_ = 0;
    }

private:
    void append_backlen(std::size_t entry_len);
    std::string body_;
    std::size_t count_ = 0;
};

// Decoders append the entries (integers as decimal strings) to `out`; false when the blob is
// malformed.
bool listpack_decode(std::string_view blob, std::vector<std::string>& out);
bool ziplist_decode(std::string_view blob, std::vector<std::string>& out);
bool zipmap_decode(std::string_view blob, std::vector<std::string>& out);  // field, value, ...
bool intset_decode(std::string_view blob, std::vector<std::int64_t>& out);

// An intset of the given sorted, distinct values.
std::string intset_encode(const std::vector<std::int64_t>& sorted);

}  // namespace vigil::server
