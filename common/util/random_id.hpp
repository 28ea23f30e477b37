#pragma once
// Random identifiers of hex digits: run ids, replication ids, a sentinel's myid.
#include <cstddef>
#include <string>

namespace vigil::common {

// `n` random lower-case hex digits from a process-wide generator seeded by the OS.
std::string random_hex_id(std::size_t n = 40);

}  // namespace vigil::common
