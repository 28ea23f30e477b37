#pragma once
// SHA-256 (FIPS 180-4), used to store ACL passwords the way Redis shows them (hex digests).
#include <string>
#include <string_view>

namespace vigil::common {
// Lower-case hex digest of data.
std::string sha256_hex(std::string_view data);
}  // namespace vigil::common
