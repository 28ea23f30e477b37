#pragma once
// maxmemory eviction: Redis's sampled approximations of LRU, LFU, random and TTL order.
// No clock reads: callers pass now_ms. The access clock lives in Object::lru:
//   LRU: seconds since the epoch (32 bits);
//   LFU: (minutes since the epoch mod 2^16) << 8 | logarithmic access counter (8 bits).

#include <cstdint>
#include <string>
#include <vector>

#include "server/store/keyspace.hpp"

namespace vigil::server {

struct EvictionSettings {
    enum class Order { lru, lfu, random, ttl, none };
    Order order = Order::none;
    bool volatile_only = false;  // volatile-*: only keys with an expiry are candidates
    int samples = 5;             // maxmemory-samples
    int lfu_log_factor = 10;
    int lfu_decay_time = 1;  // minutes
};

// Initial access data for a new object.
std::uint32_t initial_access(const EvictionSettings& s, std::int64_t now_ms);
// Records an access to obj (LRU clock or LFU counter).
void record_access(Object& obj,
                   const EvictionSettings& s,
                   std::int64_t now_ms,
                   std::uint64_t random);
// The LFU counter after decay, as OBJECT FREQ reports it.
std::uint8_t lfu_frequency(const Object& obj, const EvictionSettings& s, std::int64_t now_ms);

class Evictor {
public:
    // Deletes one key chosen by the policy. Returns false when no key can be evicted (policy
    // noeviction, or no candidate, e.g. volatile-* with no volatile keys).
    bool evict_one(Keyspace& ks, const EvictionSettings& s, std::int64_t now_ms);

private:
    struct Candidate {
        std::uint64_t score;  // higher = better to evict
        int db;
        std::string key;
    };
    void sample(Keyspace& ks, const EvictionSettings& s, std::int64_t now_ms);
    std::vector<Candidate> pool_;  // best candidates, ascending score, at most kPoolSize
    int next_random_db_ = 0;
};

}  // namespace vigil::server
