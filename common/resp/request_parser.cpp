#include "common/resp/request_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace vigil::common {
namespace {

// Parses the decimal integer in [first, last). Redis accepts an optional '-' and no '+'.
bool parse_length(const char* first, const char* last, std::int64_t& out) {
    if (first == last) {
        return false;
    }
    auto [ptr, ec] = std::from_chars(first, last, out);
    return ec == std::errc{} && ptr == last;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

void RequestParser::reset() {
    in_multibulk_ = false;
    pos_ = 0;
    expected_args_ = -1;
    bulk_len_ = -1;
    offsets_.clear();
}

ParseResult RequestParser::error(std::string message) {
    reset();
    ParseResult r;
    r.status = ParseStatus::protocol_error;
    r.error_message = std::move(message);
    return r;
}

ParseResult RequestParser::parse(std::string_view input) {
    if (!in_multibulk_ && pos_ == 0) {
        if (input.empty()) {
            return {};
        }
        in_multibulk_ = input[0] == '*';
    }
    return in_multibulk_ ? parse_multibulk(input) : parse_inline(input);
}

ParseResult RequestParser::parse_inline(std::string_view input) {
    // pos_ remembers how far we already searched for the newline.
    const char* nl =
        static_cast<const char*>(std::memchr(input.data() + pos_, '\n', input.size() - pos_));
    if (nl == nullptr) {
        if (input.size() > limits_.max_inline_len) {
            return error("ERR Protocol error: too big inline request");
        }
        pos_ = input.size();
        return {};
    }
    std::size_t line_end = static_cast<std::size_t>(nl - input.data());
    std::size_t consumed = line_end + 1;
    if (line_end > 0 && input[line_end - 1] == '\r') {
        --line_end;
    }
    inline_storage_.clear();
    if (!split_args(input.substr(0, line_end), inline_storage_)) {
        return error("ERR Protocol error: unbalanced quotes in request");
    }
    args_.clear();
    for (const auto& a : inline_storage_) {
        args_.emplace_back(a);
    }
    reset();
    last_inline_ = true;
    ParseResult r;
    r.status = ParseStatus::complete;
    r.consumed = consumed;
    return r;
}

ParseResult RequestParser::parse_multibulk(std::string_view input) {
    const char* base = input.data();
    const std::size_t size = input.size();

    if (expected_args_ < 0) {
        const char* cr = static_cast<const char*>(std::memchr(base, '\r', size));
        if (cr == nullptr) {
            if (size > limits_.max_inline_len) {
                return error("ERR Protocol error: too big mbulk count string");
            }
            return {};
        }
        std::size_t cr_pos = static_cast<std::size_t>(cr - base);
        if (cr_pos + 1 >= size) {
            return {};  // need the '\n' too
        }
        std::int64_t n = 0;
        if (!parse_length(base + 1, cr, n) ||
            n > static_cast<std::int64_t>(limits_.max_multibulk_len)) {
            return error("ERR Protocol error: invalid multibulk length");
        }
        pos_ = cr_pos + 2;
        if (n <= 0) {
            // "*0\r\n" and "*-1\r\n" are requests with no command: skipped silently.
            std::size_t consumed = pos_;
            reset();
            args_.clear();
            last_inline_ = false;
            ParseResult r;
            r.status = ParseStatus::complete;
            r.consumed = consumed;
            return r;
        }
        expected_args_ = n;
        offsets_.clear();
        offsets_.reserve(static_cast<std::size_t>(std::min<std::int64_t>(n, 1024)));
    }

    while (static_cast<std::int64_t>(offsets_.size()) < expected_args_) {
        if (bulk_len_ < 0) {
            if (pos_ >= size) {
                return {};
            }
            const char* cr = static_cast<const char*>(std::memchr(base + pos_, '\r', size - pos_));
            if (cr == nullptr) {
                if (size - pos_ > limits_.max_inline_len) {
                    return error("ERR Protocol error: too big bulk count string");
                }
                return {};
            }
            if (base[pos_] != '$') {
                return error(std::string("ERR Protocol error: expected '$', got '") + base[pos_] +
                             "'");
            }
            std::size_t cr_pos = static_cast<std::size_t>(cr - base);
            if (cr_pos + 1 >= size) {
                return {};
            }
            std::int64_t n = 0;
            if (!parse_length(base + pos_ + 1, cr, n) || n < 0 ||
                static_cast<std::uint64_t>(n) > limits_.max_bulk_len) {
                return error("ERR Protocol error: invalid bulk length");
            }
            bulk_len_ = n;
            pos_ = cr_pos + 2;
        }
        std::size_t len = static_cast<std::size_t>(bulk_len_);
        if (size - pos_ < len + 2) {
            return {};
        }
        // Redis does not check the two bytes after a bulk payload; neither do we.
        offsets_.emplace_back(pos_, len);
        pos_ += len + 2;
        bulk_len_ = -1;
    }

    args_.clear();
    for (auto [off, len] : offsets_) {
        args_.emplace_back(base + off, len);
    }
    std::size_t consumed = pos_;
    reset();
    last_inline_ = false;
    ParseResult r;
    r.status = ParseStatus::complete;
    r.consumed = consumed;
    return r;
}

bool split_args(std::string_view line, std::vector<std::string>& out) {
    std::size_t i = 0;
    const std::size_t n = line.size();
    auto is_space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    };
    while (true) {
        while (i < n && is_space(line[i])) {
            ++i;
        }
        if (i >= n) {
            return true;
        }
        std::string current;
        bool in_dq = false;
        bool in_sq = false;
        bool done = false;
        while (!done) {
            if (in_dq) {
                if (i >= n) {
                    return false;  // unterminated quotes
                }
                char c = line[i];
                if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && hex_digit(line[i + 2]) >= 0 &&
                    hex_digit(line[i + 3]) >= 0) {
                    current.push_back(
                        static_cast<char>(hex_digit(line[i + 2]) * 16 + hex_digit(line[i + 3])));
                    i += 3;
                } else if (c == '\\' && i + 1 < n) {
                    ++i;
                    switch (line[i]) {
                        case 'n':
                            current.push_back('\n');
                            break;
                        case 'r':
                            current.push_back('\r');
                            break;
                        case 't':
                            current.push_back('\t');
                            break;
                        case 'b':
                            current.push_back('\b');
                            break;
                        case 'a':
                            current.push_back('\a');
                            break;
                        default:
                            current.push_back(line[i]);
                            break;
                    }
                } else if (c == '"') {
                    // The closing quote must be followed by a space or the end.
                    if (i + 1 < n && !is_space(line[i + 1])) {
                        return false;
                    }
                    done = true;
                } else {
                    current.push_back(c);
                }
            } else if (in_sq) {
                if (i >= n) {
                    return false;
                }
                char c = line[i];
                if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
                    ++i;
                    current.push_back('\'');
                } else if (c == '\'') {
                    if (i + 1 < n && !is_space(line[i + 1])) {
                        return false;
                    }
                    done = true;
                } else {
                    current.push_back(c);
                }
            } else {
                if (i >= n) {
                    done = true;
                    continue;
                }
                char c = line[i];
                if (is_space(c)) {
                    done = true;
                } else if (c == '"') {
                    in_dq = true;
                } else if (c == '\'') {
                    in_sq = true;
                } else {
                    current.push_back(c);
                }
            }
            if (i < n) {
                ++i;
            }
        }
        out.push_back(std::move(current));
    }
}

}  // namespace vigil::common
