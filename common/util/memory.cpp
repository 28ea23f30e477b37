#include "common/util/memory.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include <malloc.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// From the sanitizer runtime (sanitizer/allocator_interface.h, not shipped with every g++).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace vigil::common {
namespace {
std::atomic<std::size_t> g_used{0};
std::atomic<std::size_t> g_peak{0};

inline void count_alloc(void* p) {
    std::size_t n = malloc_usable_size(p);
    std::size_t now = g_used.fetch_add(n, std::memory_order_relaxed) + n;
    if (now > g_peak.load(std::memory_order_relaxed)) {
        g_peak.store(now, std::memory_order_relaxed);
    }
}
inline void count_free(void* p) {
    if (p != nullptr) {
        g_used.fetch_sub(malloc_usable_size(p), std::memory_order_relaxed);
    }
}
}  // namespace

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// Sanitizer builds keep their own allocator: ask it instead of counting.
std::size_t used_memory() {
    return __sanitizer_get_current_allocated_bytes();
}
std::size_t peak_memory() {
    return __sanitizer_get_current_allocated_bytes();
}
#else
std::size_t used_memory() {
    return g_used.load(std::memory_order_relaxed);
}
std::size_t peak_memory() {
    return g_peak.load(std::memory_order_relaxed);
}
#endif

std::size_t resident_memory() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) {
        return 0;
    }
    unsigned long size = 0;
    unsigned long rss = 0;
    int n = std::fscanf(f, "%lu %lu", &size, &rss);
    std::fclose(f);
    if (n != 2) {
        return 0;
    }
    return rss * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

std::size_t system_memory() {
    return static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) *
           static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace vigil::common

// The counting operator new/delete. Sanitizer builds keep their own allocator hooks.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
void* operator new(std::size_t n) {
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    vigil::common::count_alloc(p);
    return p;
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p != nullptr) {
        vigil::common::count_alloc(p);
    }
    return p;
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
    return operator new(n, t);
}
void operator delete(void* p) noexcept {
    vigil::common::count_free(p);
    std::free(p);
}
void operator delete[](void* p) noexcept {
    operator delete(p);
}
void operator delete(void* p, std::size_t) noexcept {
    operator delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    operator delete(p);
}
#endif
