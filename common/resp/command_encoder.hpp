#pragma once
// Encodes a command as RESP (an array of bulk strings), as clients and replication streams send
// it: "*<n>\r\n" then "$<len>\r\n<arg>\r\n" per argument.
#include <charconv>
#include <span>
#include <string>
#include <string_view>

namespace vigil::common {

inline void append_length(std::string& out, char prefix, std::size_t n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
    (void)ec;
    out.push_back(prefix);
    out.append(buf, end);
    out.append("\r\n");
}

inline void append_command(std::string& out, std::span<const std::string_view> args) {
    append_length(out, '*', args.size());
    for (std::string_view a : args) {
        append_length(out, '$', a.size());
        out.append(a);
        out.append("\r\n");
    }
}

inline std::string encode_command(std::initializer_list<std::string_view> args) {
    std::string out;
    append_command(out, std::span<const std::string_view>(args.begin(), args.size()));
    return out;
}

}  // namespace vigil::common
