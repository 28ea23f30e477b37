#pragma once
// Heap accounting for INFO memory and maxmemory: every C++ allocation of the process is counted
// by its usable size (like Redis's zmalloc counter), plus RSS read from /proc.
#include <cstddef>

namespace vigil::common {

// Bytes currently allocated through operator new (0 when the counting allocator is not linked).
std::size_t used_memory();
std::size_t peak_memory();
// Resident set size of this process in bytes (from /proc/self/statm).
std::size_t resident_memory();
// Total memory of the machine in bytes.
std::size_t system_memory();

}  // namespace vigil::common
