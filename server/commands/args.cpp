#include "server/commands/args.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace vigil::server {

std::optional<std::int64_t> parse_int(std::string_view s) {
    if (s.empty() || s.size() > 20) {
        return std::nullopt;
    }
    if (s.size() == 1 && s[0] == '0') {
        return 0;
    }
    std::size_t i = s[0] == '-' ? 1 : 0;
    if (i >= s.size() || s[i] < '1' || s[i] > '9') {
        return std::nullopt;
    }
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

std::optional<double> parse_double(std::string_view s) {
    if (s.empty() || s.size() > 5000 || std::isspace(static_cast<unsigned char>(s.front())) ||
        std::isspace(static_cast<unsigned char>(s.back()))) {
        return std::nullopt;
    }
    std::string buf(s);
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(buf.c_str(), &end);
    if (end != buf.c_str() + buf.size() || std::isnan(v) ||
        (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO))) {
        return std::nullopt;
    }
    return v;
}

std::optional<long double> parse_long_double(std::string_view s) {
    if (s.empty() || s.size() > 5000 || std::isspace(static_cast<unsigned char>(s.front())) ||
        std::isspace(static_cast<unsigned char>(s.back()))) {
        return std::nullopt;
    }
    std::string buf(s);
    char* end = nullptr;
    errno = 0;
    long double v = std::strtold(buf.c_str(), &end);
    if (end != buf.c_str() + buf.size() || errno == ERANGE || std::isnan(v)) {
        return std::nullopt;
    }
    return v;
}

std::string format_long_double(long double v) {
    if (std::isinf(v)) {
        return v > 0 ? "inf" : "-inf";
    }
    char buf[5 * 1024];
    int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
    std::string out(buf, static_cast<std::size_t>(n));
    if (out.find('.') != std::string::npos) {
        while (!out.empty() && out.back() == '0') {
            out.pop_back();
        }
        if (!out.empty() && out.back() == '.') {
            out.pop_back();
        }
    }
    if (out == "-0") {
        out = "0";
    }
    return out;
}

bool clamp_index_range(std::int64_t& start, std::int64_t& end, std::size_t size) {
    auto len = static_cast<std::int64_t>(size);
    if (start < 0) {
        start += len;
    }
    if (end < 0) {
        end += len;
    }
    if (start < 0) {
        start = 0;
    }
    if (start > end || start >= len) {
        return false;
    }
    if (end >= len) {
        end = len - 1;
    }
    return true;
}

std::string int_to_string(std::int64_t v) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, p);
}

std::optional<std::int64_t> parse_timeout_ms(std::string_view s, common::ReplyWriter& reply) {
    auto v = parse_int(s);
    if (!v) {
        reply.error("ERR timeout is not an integer or out of range");
        return std::nullopt;
    }
    if (*v < 0) {
        reply.error("ERR timeout is negative");
        return std::nullopt;
    }
    return v;
}

}  // namespace vigil::server
