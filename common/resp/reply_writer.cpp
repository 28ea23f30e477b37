#include "common/resp/reply_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace vigil::common {

void ReplyWriter::header(char type, std::size_t n) {
    char buf[24];
    buf[0] = type;
    auto [ptr, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
    *ptr++ = '\r';
    *ptr++ = '\n';
    out_->append(buf, static_cast<std::size_t>(ptr - buf));
}

void ReplyWriter::simple(std::string_view s) {
    out_->push_back('+');
    out_->append(s);
    out_->append("\r\n");
}

void ReplyWriter::error(std::string_view message) {
    ++error_count_;
    last_error_code_.assign(message.substr(0, std::min<std::size_t>(message.find(' '), 64)));
    out_->push_back('-');
    // Errors must not contain newlines: Redis replaces them with spaces.
    for (char c : message) {
        out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
    }
    out_->append("\r\n");
}

void ReplyWriter::integer(std::int64_t v) {
    char buf[24];
    buf[0] = ':';
    auto [ptr, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, v);
    *ptr++ = '\r';
    *ptr++ = '\n';
    out_->append(buf, static_cast<std::size_t>(ptr - buf));
}

void ReplyWriter::bulk(std::string_view s) {
    header('$', s.size());
    out_->append(s);
    out_->append("\r\n");
}

void ReplyWriter::bulk_int(std::int64_t v) {
    char buf[24];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    bulk(std::string_view(buf, static_cast<std::size_t>(ptr - buf)));
}

void ReplyWriter::null() {
    out_->append(protocol_ >= 3 ? "_\r\n" : "$-1\r\n");
}

void ReplyWriter::null_array() {
    out_->append(protocol_ >= 3 ? "_\r\n" : "*-1\r\n");
}

void ReplyWriter::array_header(std::size_t n) {
    header('*', n);
}

void ReplyWriter::map_header(std::size_t pairs) {
    if (protocol_ >= 3) {
        header('%', pairs);
    } else {
        header('*', pairs * 2);
    }
}

void ReplyWriter::set_header(std::size_t n) {
    header(protocol_ >= 3 ? '~' : '*', n);
}

void ReplyWriter::push_header(std::size_t n) {
    header(protocol_ >= 3 ? '>' : '*', n);
}

void ReplyWriter::double_value(double v) {
    std::string s = format_double(v);
    if (protocol_ >= 3) {
        out_->push_back(',');
        out_->append(s);
        out_->append("\r\n");
    } else {
        bulk(s);
    }
}

void ReplyWriter::boolean(bool v) {
    if (protocol_ >= 3) {
        out_->append(v ? "#t\r\n" : "#f\r\n");
    } else {
        integer(v ? 1 : 0);
    }
}

void ReplyWriter::verbatim(std::string_view s, std::string_view format) {
    if (protocol_ >= 3) {
        header('=', s.size() + 4);
        out_->append(format);
        out_->push_back(':');
        out_->append(s);
        out_->append("\r\n");
    } else {
        bulk(s);
    }
}

std::string format_double(double v) {
    if (std::isinf(v)) {
        return v > 0 ? "inf" : "-inf";
    }
    if (std::isnan(v)) {
        return "nan";
    }
    // Redis 7.0 replies with "%.17g" (so 1.1 reads back as 1.1000000000000001).
    char buf[64];
    int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
    return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace vigil::common
