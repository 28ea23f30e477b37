#include "server/persistence/compact_formats.hpp"

#include <charconv>
#include <cstring>
#include <limits>

namespace vigil::server {
namespace {

void put_le(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}

std::uint64_t get_le(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) {
        v = (v << 8) | p[i];
    }
    return v;
}

// Sign-extends the low `bits` bits of v.
std::int64_t sign_extend(std::uint64_t v, int bits) {
    const std::uint64_t sign = std::uint64_t{1} << (bits - 1);
    if (bits < 64) {
        v &= (std::uint64_t{1} << bits) - 1;
    }
    if ((v & sign) != 0 && bits < 64) {
        return static_cast<std::int64_t>(v) - static_cast<std::int64_t>(std::uint64_t{1} << bits);
    }
    return static_cast<std::int64_t>(v);
}

std::size_t backlen_size(std::size_t entry_len) {
    if (entry_len <= 127) {
        return 1;
    }
    if (entry_len < 16383) {
        return 2;
    }
    if (entry_len < 2097151) {
        return 3;
    }
    if (entry_len < 268435455) {
        return 4;
    }
    return 5;
}

}  // namespace

bool strict_int64(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 20) {
        return false;
    }
    if (s[0] == '-') {
        if (s.size() == 1 || s[1] == '0') {
            return false;
        }
    } else if (s[0] == '0' && s.size() > 1) {
        return false;
    } else if (s[0] < '0' || s[0] > '9') {
        return false;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

// ---- listpack ----

void ListpackBuilder::append_backlen(std::size_t l) {
    // The byte nearest the entry holds the highest bits and no continuation flag; each later
    // byte holds 7 lower bits with the flag set, so the length reads back from the end.
    const std::size_t n = backlen_size(l);
    for (std::size_t i = n; i-- > 0;) {
        auto bits = static_cast<unsigned>((l >> (7 * i)) & 127);
        if (i + 1 != n) {
            bits |= 128;
        }
        body_.push_back(static_cast<char>(bits));
    }
}

void ListpackBuilder::append_int(std::int64_t v) {
    std::size_t start = body_.size();
    auto u = static_cast<std::uint64_t>(v);
    if (v >= 0 && v <= 127) {
        body_.push_back(static_cast<char>(v));
    } else if (v >= -4096 && v <= 4095) {
        std::uint64_t w = u & 0x1fff;
        body_.push_back(static_cast<char>(0xC0 | (w >> 8)));
        body_.push_back(static_cast<char>(w & 0xff));
    } else if (v >= std::numeric_limits<std::int16_t>::min() &&
               v <= std::numeric_limits<std::int16_t>::max()) {
        body_.push_back(static_cast<char>(0xF1));
        put_le(body_, u, 2);
    } else if (v >= -(1 << 23) && v < (1 << 23)) {
        body_.push_back(static_cast<char>(0xF2));
        put_le(body_, u, 3);
    } else if (v >= std::numeric_limits<std::int32_t>::min() &&
               v <= std::numeric_limits<std::int32_t>::max()) {
        body_.push_back(static_cast<char>(0xF3));
        put_le(body_, u, 4);
    } else {
        body_.push_back(static_cast<char>(0xF4));
        put_le(body_, u, 8);
    }
    append_backlen(body_.size() - start);
    ++count_;
}

void ListpackBuilder::append(std::string_view s) {
    std::int64_t v = 0;
    if (strict_int64(s, v)) {
        append_int(v);
        return;
    }
    std::size_t start = body_.size();
    std::size_t len = s.size();
    if (len < 64) {
        body_.push_back(static_cast<char>(0x80 | len));
    } else if (len < 4096) {
        body_.push_back(static_cast<char>(0xE0 | (len >> 8)));
        body_.push_back(static_cast<char>(len & 0xff));
    } else {
        body_.push_back(static_cast<char>(0xF0));
        put_le(body_, len, 4);
    }
    body_.append(s);
    append_backlen(body_.size() - start);
    ++count_;
}

std::string ListpackBuilder::finish() const {
    std::string out;
    out.reserve(bytes());
    put_le(out, bytes(), 4);
    put_le(out, count_ < 65535 ? count_ : 65535, 2);
    out.append(body_);
    out.push_back(static_cast<char>(0xFF));
    return out;
}

bool listpack_decode(std::string_view blob, std::vector<std::string>& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
    const std::size_t size = blob.size();
    if (size < 7 || get_le(p, 4) != size || p[size - 1] != 0xFF) {
        return false;
    }
    const std::uint64_t declared = get_le(p + 4, 2);
    std::size_t pos = 6;
    std::uint64_t count = 0;
    while (pos < size - 1) {
        const unsigned b = p[pos];
        std::size_t header = 1;
        std::size_t str_len = 0;
        bool is_str = false;
        std::int64_t v = 0;
        auto need = [&](std::size_t n) {
            return size - 1 - pos >= n;
        };
        if ((b & 0x80) == 0) {
            v = b;
        } else if ((b & 0xC0) == 0x80) {
            is_str = true;
            str_len = b & 0x3f;
        } else if ((b & 0xE0) == 0xC0) {
            header = 2;
            if (!need(2)) {
                return false;
            }
            v = sign_extend(((b & 0x1fU) << 8) | p[pos + 1], 13);
        } else if ((b & 0xF0) == 0xE0) {
            header = 2;
            if (!need(2)) {
                return false;
            }
            is_str = true;
            str_len = ((b & 0x0fU) << 8) | p[pos + 1];
        } else if (b == 0xF0) {
            header = 5;
            if (!need(5)) {
                return false;
            }
            is_str = true;
            str_len = get_le(p + pos + 1, 4);
        } else if (b >= 0xF1 && b <= 0xF4) {
            static constexpr int kWidths[] = {2, 3, 4, 8};
            int w = kWidths[b - 0xF1];
            header = 1 + static_cast<std::size_t>(w);
            if (!need(header)) {
                return false;
            }
            v = sign_extend(get_le(p + pos + 1, w), w * 8);
        } else {
            return false;  // 0xF5..0xFE unused; 0xFF cannot start an entry here
        }
        std::size_t entry_len = header + (is_str ? str_len : 0);
        if (!need(entry_len)) {
            return false;
        }
        std::size_t total = entry_len + backlen_size(entry_len);
        if (!need(total)) {
            return false;
        }
        if (is_str) {
            out.emplace_back(blob.substr(pos + header, str_len));
        } else {
            out.push_back(std::to_string(v));
        }
        pos += total;
        ++count;
    }
    return pos == size - 1 && (declared == 65535 || declared == count);
}

// ---- ziplist (Redis <= 6) ----

bool ziplist_decode(std::string_view blob, std::vector<std::string>& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
    const std::size_t size = blob.size();
    if (size < 11 || get_le(p, 4) != size || p[size - 1] != 0xFF) {
        return false;
    }
    std::size_t pos = 10;
    while (pos < size - 1) {
        auto need = [&](std::size_t n) {
            return size - 1 - pos >= n;
        };
        // prevlen
        if (p[pos] < 254) {
            pos += 1;
        } else {
            if (!need(5)) {
                return false;
            }
            pos += 5;
        }
        if (!need(1)) {
            return false;
        }
        const unsigned b = p[pos];
        std::size_t str_len = 0;
        std::size_t header = 1;
        bool is_str = true;
        std::int64_t v = 0;
        switch (b >> 6) {
            case 0:
                str_len = b & 0x3f;
                break;
            case 1:
                header = 2;
                if (!need(2)) {
                    return false;
                }
                str_len = ((b & 0x3fU) << 8) | p[pos + 1];
                break;
            case 2:
                header = 5;
                if (!need(5)) {
                    return false;
                }
                str_len = (std::size_t{p[pos + 1]} << 24) | (std::size_t{p[pos + 2]} << 16) |
                          (std::size_t{p[pos + 3]} << 8) | p[pos + 4];
                break;
            default: {
                is_str = false;
                int w = 0;
                if (b == 0xC0) {
                    w = 2;
                } else if (b == 0xD0) {
                    w = 4;
                } else if (b == 0xE0) {
                    w = 8;
                } else if (b == 0xF0) {
                    w = 3;
                } else if (b == 0xFE) {
                    w = 1;
                } else if (b >= 0xF1 && b <= 0xFD) {
                    v = static_cast<std::int64_t>(b & 0x0f) - 1;
                } else {
                    return false;
                }
                header = 1 + static_cast<std::size_t>(w);
                if (!need(header)) {
                    return false;
                }
                if (w > 0) {
                    v = sign_extend(get_le(p + pos + 1, w), w * 8);
                }
            }
        }
        std::size_t entry = header + str_len;
        if (!need(entry)) {
            return false;
        }
        if (is_str) {
            out.emplace_back(blob.substr(pos + header, str_len));
        } else {
            out.push_back(std::to_string(v));
        }
        pos += entry;
    }
    return pos == size - 1;
}

// ---- zipmap (Redis <= 2.6 hashes) ----

bool zipmap_decode(std::string_view blob, std::vector<std::string>& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
    const std::size_t size = blob.size();
    std::size_t pos = 1;  // zmlen
    auto read_len = [&](std::size_t& len) {
        if (pos >= size) {
            return false;
        }
        if (p[pos] < 254) {
            len = p[pos++];
            return true;
        }
        if (p[pos] == 254 && size - pos >= 5) {
            len = get_le(p + pos + 1, 4);
            pos += 5;
            return true;
        }
        return false;
    };
    while (pos < size && p[pos] != 0xFF) {
        std::size_t klen = 0;
        std::size_t vlen = 0;
        if (!read_len(klen) || size - pos < klen) {
            return false;
        }
        out.emplace_back(blob.substr(pos, klen));
        pos += klen;
        if (!read_len(vlen) || size - pos < 1) {
            return false;
        }
        std::size_t free_bytes = p[pos++];
        if (size - pos < vlen + free_bytes) {
            return false;
        }
        out.emplace_back(blob.substr(pos, vlen));
        pos += vlen + free_bytes;
    }
    return pos == size - 1;
}

// ---- intset ----

std::string intset_encode(const std::vector<std::int64_t>& sorted) {
    int width = 2;
    for (std::int64_t v : sorted) {
        if (v < std::numeric_limits<std::int32_t>::min() ||
            v > std::numeric_limits<std::int32_t>::max()) {
            width = 8;
            break;
        }
        if (v < std::numeric_limits<std::int16_t>::min() ||
            v > std::numeric_limits<std::int16_t>::max()) {
            width = 4;
        }
    }
    std::string out;
    out.reserve(8 + sorted.size() * static_cast<std::size_t>(width));
    put_le(out, static_cast<std::uint64_t>(width), 4);
    put_le(out, sorted.size(), 4);
    for (std::int64_t v : sorted) {
        put_le(out, static_cast<std::uint64_t>(v), width);
    }
    return out;
}

bool intset_decode(std::string_view blob, std::vector<std::int64_t>& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
    if (blob.size() < 8) {
        return false;
    }
    std::uint64_t width = get_le(p, 4);
    std::uint64_t count = get_le(p + 4, 4);
    if ((width != 2 && width != 4 && width != 8) || blob.size() != 8 + width * count) {
        return false;
    }
    const int w = static_cast<int>(width);
    for (std::uint64_t i = 0; i < count; ++i) {
        out.push_back(sign_extend(get_le(p + 8 + i * width, w), w * 8));
    }
    return true;
}

}  // namespace vigil::server
