#include "common/util/random_id.hpp"

#include <random>

namespace vigil::common {

std::string random_hex_id(std::size_t n) {
    static std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s(n, '0');
    for (char& c : s) {
        c = kHex[rng() & 15];
    }
    return s;
}

}  // namespace vigil::common
