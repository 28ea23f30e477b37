#include "server/persistence/crc64.hpp"

#include <array>
#include <cstring>

namespace vigil::server {
namespace {

constexpr std::uint64_t kPolynomial = 0xad93d23594c935a9ULL;

constexpr std::uint64_t reflect64(std::uint64_t v) {
    std::uint64_t r = 0;
    for (int i = 0; i < 64; ++i) {
        r = (r << 1) | ((v >> i) & 1U);
    }
    return r;
}

using Tables = std::array<std::array<std::uint64_t, 256>, 8>;

// tables[0] is the classic reflected byte table; tables[k][b] is the CRC of byte b followed by
// k zero bytes, which lets the loop consume 8 bytes per step.
constexpr Tables make_tables() {
    Tables t{};
    const std::uint64_t reflected = reflect64(kPolynomial);
    for (std::uint64_t b = 0; b < 256; ++b) {
        std::uint64_t crc = b;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1U) != 0 ? (crc >> 1) ^ reflected : crc >> 1;
        }
        t[0][b] = crc;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::size_t b = 0; b < 256; ++b) {
            std::uint64_t prev = t[k - 1][b];
            t[k][b] = t[0][prev & 0xff] ^ (prev >> 8);
        }
    }
    return t;
}

constexpr Tables kTables = make_tables();

}  // namespace

std::uint64_t crc64(std::uint64_t crc, const void* data, std::size_t len) {
    const auto* p = static_cast<const unsigned char*>(data);
    // Bytes are consumed in little-endian order (the CRC is reflected).
    while (len >= 8) {
        std::uint64_t word = 0;
        for (int i = 7; i >= 0; --i) {
            word = (word << 8) | p[i];
        }
        crc ^= word;
        crc = kTables[7][crc & 0xff] ^ kTables[6][(crc >> 8) & 0xff] ^
              kTables[5][(crc >> 16) & 0xff] ^ kTables[4][(crc >> 24) & 0xff] ^
              kTables[3][(crc >> 32) & 0xff] ^ kTables[2][(crc >> 40) & 0xff] ^
              kTables[1][(crc >> 48) & 0xff] ^ kTables[0][crc >> 56];
        p += 8;
        len -= 8;
    }
    while (len-- > 0) {
        crc = kTables[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return crc;
}

}  // namespace vigil::server
