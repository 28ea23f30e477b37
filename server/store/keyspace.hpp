#pragma once
// The keyspace: numbered databases of keys with values and optional expiry times.
// No Asio and no clock reads: every operation that depends on time takes `now_ms` (Unix ms).

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/store/dict.hpp"
#include "server/store/values.hpp"

namespace vigil::server {

struct Object {
    using Value = std::variant<std::string,
                               std::unique_ptr<List>,
                               std::unique_ptr<Set>,
                               std::unique_ptr<ZSet>,
                               std::unique_ptr<Hash>>;
    Value value;
    std::int64_t expire_ms = -1;  // absolute Unix time in ms; -1 = no expiry
    std::uint32_t lru = 0;        // LRU clock (s) or LFU data (16-bit minutes | 8-bit counter)

    ValueType type() const { return static_cast<ValueType>(value.index()); }
    std::string& str() { return std::get<std::string>(value); }
    const std::string& str() const { return std::get<std::string>(value); }
    List& list() { return *std::get<std::unique_ptr<List>>(value); }
    Set& set() { return *std::get<std::unique_ptr<Set>>(value); }
    ZSet& zset() { return *std::get<std::unique_ptr<ZSet>>(value); }
    Hash& hash() { return *std::get<std::unique_ptr<Hash>>(value); }
    const List& list() const { return *std::get<std::unique_ptr<List>>(value); }
    const Set& set() const { return *std::get<std::unique_ptr<Set>>(value); }
    const ZSet& zset() const { return *std::get<std::unique_ptr<ZSet>>(value); }
    const Hash& hash() const { return *std::get<std::unique_ptr<Hash>>(value); }

    static Object make(ValueType t);
    // Bytes the value owns (approximate, for MEMORY USAGE and eviction accounting).
    std::size_t memory_bytes() const;
};

class Db {
public:
    using Node = Dict<Object>::Node;

    // Returns the live object for key, deleting it first if it has expired (lazy expiry).
    Node* find(std::string_view key, std::int64_t now_ms);
    // Returns the node even when logically expired (for replicas, which wait for the master's DEL).
    Node* find_raw(std::string_view key) const { return dict_.find_node(key); }

    // Creates or replaces key with a fresh object of type t (expiry cleared).
    Node* create(std::string_view key, Object obj);
    bool erase(std::string_view key);
    void clear();
    void swap(Db& other);

    void set_expire(Node* node, std::int64_t when_ms);
    bool persist(Node* node);  // true when an expiry was removed

    std::size_t size() const { return dict_.size(); }
    std::size_t expires_count() const { return expires_.size(); }
    const Dict<Object>& dict() const { return dict_; }
    Dict<Object>& dict() { return dict_; }
    const Dict<Empty>& expires() const { return expires_; }
    // Sum of avg_ttl samples for INFO keyspace.
    std::int64_t avg_ttl_ms = 0;

private:
    Dict<Object> dict_;
    Dict<Empty> expires_;  // keys that have an expiry (for sampling)
};

struct KeyspaceStats {
    std::uint64_t expired_keys = 0;
    std::uint64_t evicted_keys = 0;
    std::uint64_t keyspace_hits = 0;
    std::uint64_t keyspace_misses = 0;
};

class Keyspace {
public:
    explicit Keyspace(int databases = 16);

    int db_count() const { return static_cast<int>(dbs_.size()); }
    Db& db(int index) { return dbs_[static_cast<std::size_t>(index)]; }
    const Db& db(int index) const { return dbs_[static_cast<std::size_t>(index)]; }

    // Called for each key deleted by expiry or eviction (to propagate a DEL, signal WATCH).
    std::function<void(int db, std::string_view key, bool evicted)> on_key_removed;
    // On a replica keys are not deleted on expiry; the master's DEL does it.
    bool expire_deletes = true;
    // While clients are paused (CLIENT PAUSE, FAILOVER) expired keys read as missing but are
    // not deleted, so nothing is propagated.
    bool expire_paused = false;
    // While a replica applies its master's stream, logically expired keys still exist (as in
    // Redis: the master decides, and its DEL follows).
    bool expire_ignore = false;

    // Lazy expiry at lookup time.
    Db::Node* find(int db, std::string_view key, std::int64_t now_ms);

    // Active expiry: samples keys with an expiry and deletes the expired ones, until at most
    // `max_work` keys were looked at. Returns how many keys were deleted.
    std::size_t active_expire(std::int64_t now_ms, std::size_t max_work);

    std::size_t total_keys() const;
    std::mt19937_64& rng() { return rng_; }
    KeyspaceStats stats;

private:
    std::vector<Db> dbs_;
    std::mt19937_64 rng_{0x76696769ULL};
    int expire_cursor_db_ = 0;
};

}  // namespace vigil::server
