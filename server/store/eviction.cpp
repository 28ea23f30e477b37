#include "server/store/eviction.hpp"

#include <algorithm>

namespace vigil::server {
namespace {

constexpr std::size_t kPoolSize = 16;
constexpr std::uint8_t kLfuInit = 5;

std::uint32_t minutes(std::int64_t now_ms) {
    return static_cast<std::uint32_t>((now_ms / 60000) & 0xFFFF);
}

// Minutes elapsed since `then` (a 16-bit minute clock that wraps).
std::uint32_t minutes_since(std::uint32_t then, std::int64_t now_ms) {
    std::uint32_t now = minutes(now_ms);
    return now >= then ? now - then : 65536 - then + now;
}

std::uint8_t decayed_counter(std::uint32_t lru, const EvictionSettings& s, std::int64_t now_ms) {
    auto counter = static_cast<std::uint8_t>(lru & 0xFF);
    if (s.lfu_decay_time <= 0) {
        return counter;
    }
    std::uint32_t periods =
        minutes_since(lru >> 8, now_ms) / static_cast<std::uint32_t>(s.lfu_decay_time);
    return periods >= counter ? 0 : static_cast<std::uint8_t>(counter - periods);
}

}  // namespace

std::uint32_t initial_access(const EvictionSettings& s, std::int64_t now_ms) {
    if (s.order == EvictionSettings::Order::lfu) {
        return (minutes(now_ms) << 8) | kLfuInit;
    }
    return static_cast<std::uint32_t>(now_ms / 1000);
}

void record_access(Object& obj,
                   const EvictionSettings& s,
                   std::int64_t now_ms,
                   std::uint64_t random) {
    if (s.order != EvictionSettings::Order::lfu) {
        obj.lru = static_cast<std::uint32_t>(now_ms / 1000);
        return;
    }
    std::uint8_t counter = decayed_counter(obj.lru, s, now_ms);
    if (counter < 255) {
        // Logarithmic increment: the higher the counter, the less likely it grows.
        double base = counter > kLfuInit ? counter - kLfuInit : 0;
        double p = 1.0 / (base * s.lfu_log_factor + 1);
        double r = static_cast<double>(random % 1000000) / 1000000.0;
        if (r < p) {
            ++counter;
        }
    }
    obj.lru = (minutes(now_ms) << 8) | counter;
}

std::uint8_t lfu_frequency(const Object& obj, const EvictionSettings& s, std::int64_t now_ms) {
    return decayed_counter(obj.lru, s, now_ms);
}

void Evictor::sample(Keyspace& ks, const EvictionSettings& s, std::int64_t now_ms) {
    for (int dbi = 0; dbi < ks.db_count(); ++dbi) {
        Db& db = ks.db(dbi);
        std::size_t population = s.volatile_only ? db.expires_count() : db.size();
        if (population == 0) {
            continue;
        }
        for (int i = 0; i < s.samples; ++i) {
            const std::string* key = nullptr;
            if (s.volatile_only) {
                key = &db.expires().random_node(ks.rng())->key;
            } else {
                key = &db.dict().random_node(ks.rng())->key;
            }
            Db::Node* node = db.find_raw(*key);
            if (node == nullptr) {
                continue;
            }
            std::uint64_t score = 0;
            switch (s.order) {
                case EvictionSettings::Order::lru: {
                    auto now_s = static_cast<std::uint32_t>(now_ms / 1000);
                    score = now_s >= node->value.lru ? now_s - node->value.lru : 0;
                    break;
                }
                case EvictionSettings::Order::lfu:
                    score = 255 - decayed_counter(node->value.lru, s, now_ms);
                    break;
                case EvictionSettings::Order::ttl:
                    // Sooner expiry = better candidate.
                    score = ~static_cast<std::uint64_t>(node->value.expire_ms);
                    break;
                default:
                    break;
            }
            bool known = std::any_of(pool_.begin(), pool_.end(), [&](const Candidate& c) {
                return c.db == dbi && c.key == node->key;
            });
            if (known) {
                continue;
            }
            if (pool_.size() < kPoolSize || score > pool_.front().score) {
                auto at = std::lower_bound(
                    pool_.begin(), pool_.end(), score,
                    [](const Candidate& c, std::uint64_t v) { return c.score < v; });
                pool_.insert(at, Candidate{score, dbi, node->key});
                if (pool_.size() > kPoolSize) {
                    pool_.erase(pool_.begin());
                }
            }
        }
    }
}

bool Evictor::evict_one(Keyspace& ks, const EvictionSettings& s, std::int64_t now_ms) {
    if (s.order == EvictionSettings::Order::none) {
        return false;
    }
    auto remove = [&](int dbi, const std::string& key) {
        std::string k = key;  // key may live in the node being deleted
        ks.db(dbi).erase(k);
        ++ks.stats.evicted_keys;
        if (ks.on_key_removed) {
            ks.on_key_removed(dbi, k, true);
        }
    };
    if (s.order == EvictionSettings::Order::random) {
        for (int i = 0; i < ks.db_count(); ++i) {
            int dbi = (next_random_db_ + i) % ks.db_count();
            Db& db = ks.db(dbi);
            std::size_t population = s.volatile_only ? db.expires_count() : db.size();
            if (population == 0) {
                continue;
            }
            const std::string& key = s.volatile_only ? db.expires().random_node(ks.rng())->key
                                                     : db.dict().random_node(ks.rng())->key;
            next_random_db_ = (dbi + 1) % ks.db_count();
            remove(dbi, key);
            return true;
        }
        return false;
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
        sample(ks, s, now_ms);
        // Best candidates are at the back; skip ones that disappeared meanwhile.
        while (!pool_.empty()) {
            Candidate c = std::move(pool_.back());
            pool_.pop_back();
            Db::Node* node = ks.db(c.db).find_raw(c.key);
            if (node == nullptr || (s.volatile_only && node->value.expire_ms < 0)) {
                continue;
            }
            remove(c.db, c.key);
            return true;
        }
    }
    return false;
}

}  // namespace vigil::server
