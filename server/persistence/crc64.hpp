#pragma once
// CRC-64 as Redis uses it for RDB files (the "Jones" parameters): polynomial 0xad93d23594c935a9,
// reflected input and output, initial value 0, no final xor. Check value of "123456789" is
// 0xe9c6d914c4b8d9ca. Our own table-driven (slicing-by-8) implementation.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil::server {

// Continues a CRC over `len` more bytes; start with crc = 0.
std::uint64_t crc64(std::uint64_t crc, const void* data, std::size_t len);
inline std::uint64_t crc64(std::uint64_t crc, std::string_view bytes) {
    return crc64(crc, bytes.data(), bytes.size());
}

}  // namespace vigil::server
