#pragma once
// LZF compression in the format Redis stores compressed strings in RDB files. The format: a
// control byte c; c < 32 starts a literal run of c + 1 bytes; otherwise the top three bits are a
// match length L (7 = read one more byte and add it) and the low five bits with the next byte
// form a back offset; L + 2 bytes are copied from offset + 1 bytes behind the output position.
// Our own implementation of that format.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::server {

// Compresses `in`; returns nullopt when the result would not be at least `min_saving` bytes
// smaller than the input (the caller then stores the string as is).
std::optional<std::string> lzf_compress(std::string_view in, std::size_t min_saving = 1);

// Decompresses `in` into exactly `out_len` bytes; false when the data is corrupt or does not
// produce exactly out_len bytes.
bool lzf_decompress(std::string_view in, char* out, std::size_t out_len);

}  // namespace vigil::server
