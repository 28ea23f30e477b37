#include "server/persistence/lzf.hpp"

#include <cstdint>
#include <cstring>
#include <vector>

namespace vigil::server {
namespace {

constexpr std::size_t kMaxLiteral = 32;
constexpr std::size_t kMaxOffset = 8192;        // 13 bits of offset, plus one
constexpr std::size_t kMaxMatch = 7 + 255 + 2;  // length code 7 + extra byte, plus two
constexpr unsigned kHashBits = 14;

std::uint32_t hash3(const unsigned char* p) {
    std::uint32_t v =
        (static_cast<std::uint32_t>(p[0]) << 16) | (static_cast<std::uint32_t>(p[1]) << 8) | p[2];
    return (v * 2654435761U) >> (32 - kHashBits);
}

}  // namespace

std::optional<std::string> lzf_compress(std::string_view in, std::size_t min_saving) {
    const std::size_t n = in.size();
    if (n < 4 || n <= min_saving) {
        return std::nullopt;
    }
    const std::size_t limit = n - min_saving;  // output must stay within this many bytes
    const auto* src = reinterpret_cast<const unsigned char*>(in.data());
    std::string out;
    out.reserve(limit + 1);
    std::vector<std::int64_t> table(std::size_t{1} << kHashBits, -1);

    std::size_t lit_start = 0;  // first byte of the pending literal run
    auto flush_literals = [&](std::size_t end) {
        while (lit_start < end) {
            std::size_t run = std::min(kMaxLiteral, end - lit_start);
            out.push_back(static_cast<char>(run - 1));
            out.append(in.data() + lit_start, run);
            lit_start += run;
        }
    };

    std::size_t i = 0;
    while (i + 2 < n) {
        std::uint32_t h = hash3(src + i);
        std::int64_t ref = table[h];
        table[h] = static_cast<std::int64_t>(i);
        if (ref >= 0) {
            auto r = static_cast<std::size_t>(ref);
            std::size_t off = i - r - 1;
            if (off < kMaxOffset && std::memcmp(src + r, src + i, 3) == 0) {
                std::size_t len = 3;
                std::size_t max_len = std::min(kMaxMatch, n - i);
                while (len < max_len && src[r + len] == src[i + len]) {
                    ++len;
                }
                flush_literals(i);
                std::size_t code = len - 2;
                if (code < 7) {
                    out.push_back(static_cast<char>((code << 5) | (off >> 8)));
                } else {
                    out.push_back(static_cast<char>((7U << 5) | (off >> 8)));
                    out.push_back(static_cast<char>(code - 7));
                }
                out.push_back(static_cast<char>(off & 0xff));
                // Index the positions the match covered so later data can refer to them.
                for (std::size_t k = i + 1; k < i + len && k + 2 < n; ++k) {
                    table[hash3(src + k)] = static_cast<std::int64_t>(k);
                }
                i += len;
                lit_start = i;
                if (out.size() > limit) {
                    return std::nullopt;
                }
                continue;
            }
        }
        ++i;
    }
    flush_literals(n);
    if (out.size() > limit) {
        return std::nullopt;
    }
    return out;
}

bool lzf_decompress(std::string_view in, char* out, std::size_t out_len) {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const auto* end = p + in.size();
    std::size_t o = 0;
    while (p < end) {
        unsigned ctrl = *p++;
        if (ctrl < 32) {
            std::size_t run = ctrl + 1;
            if (static_cast<std::size_t>(end - p) < run || out_len - o < run) {
                return false;
            }
            std::memcpy(out + o, p, run);
            p += run;
            o += run;
            continue;
        }
        std::size_t len = ctrl >> 5;
        if (len == 7) {
            if (p >= end) {
                return false;
            }
            len += *p++;
        }
        len += 2;
        if (p >= end) {
            return false;
        }
        std::size_t back = ((ctrl & 0x1fU) << 8) + *p++ + 1;
        if (back > o || out_len - o < len) {
            return false;
        }
        // Byte by byte: the source may overlap the bytes being written (runs).
        for (std::size_t k = 0; k < len; ++k, ++o) {
            out[o] = out[o - back];
        }
    }
    return o == out_len;
}

}  // namespace vigil::server
