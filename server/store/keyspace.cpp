#include "server/store/keyspace.hpp"

namespace vigil::server {

Object Object::make(ValueType t) {
    Object o;
    switch (t) {
        case ValueType::string:
            o.value = std::string();
            break;
        case ValueType::list:
            o.value = std::make_unique<List>();
            break;
        case ValueType::set:
            o.value = std::make_unique<Set>();
            break;
        case ValueType::zset:
            o.value = std::make_unique<ZSet>();
            break;
        case ValueType::hash:
            o.value = std::make_unique<Hash>();
            break;
    }
    return o;
}

std::size_t Object::memory_bytes() const {
    switch (type()) {
        case ValueType::string: {
            const auto& s = str();
            return s.capacity() > 15 ? s.capacity() + 1 : 0;
        }
        case ValueType::list: {
            std::size_t total = sizeof(List);
            for (const auto& e : list()) {
                total += sizeof(std::string) + (e.capacity() > 15 ? e.capacity() + 1 : 0);
            }
            return total;
        }
        case ValueType::set:
            return set().memory_bytes();
        case ValueType::zset:
            return zset().memory_bytes();
        case ValueType::hash:
            return hash().memory_bytes();
    }
    return 0;
}

Db::Node* Db::find(std::string_view key, std::int64_t now_ms) {
    Node* n = dict_.find_node(key);
    if (n != nullptr && n->value.expire_ms >= 0 && n->value.expire_ms <= now_ms) {
        erase(key);
        return nullptr;
    }
    return n;
}

Db::Node* Db::create(std::string_view key, Object obj) {
    auto [n, created] = dict_.try_emplace(key);
    if (!created && n->value.expire_ms >= 0) {
        expires_.erase(key);
    }
    n->value = std::move(obj);
    n->value.expire_ms = -1;
    return n;
}

bool Db::erase(std::string_view key) {
    Node* n = dict_.find_node(key);
    if (n == nullptr) {
        return false;
    }
    if (n->value.expire_ms >= 0) {
        expires_.erase(key);
    }
    return dict_.erase(key);
}

void Db::clear() {
    dict_.clear();
    expires_.clear();
    avg_ttl_ms = 0;
}

void Db::swap(Db& other) {
    dict_.swap(other.dict_);
    expires_.swap(other.expires_);
    std::swap(avg_ttl_ms, other.avg_ttl_ms);
}

void Db::set_expire(Node* node, std::int64_t when_ms) {
    if (node->value.expire_ms < 0) {
        expires_.try_emplace(node->key);
    }
    node->value.expire_ms = when_ms;
}

bool Db::persist(Node* node) {
    if (node->value.expire_ms < 0) {
        return false;
    }
    expires_.erase(node->key);
    node->value.expire_ms = -1;
    return true;
}

Keyspace::Keyspace(int databases) : dbs_(static_cast<std::size_t>(databases)) {}

Db::Node* Keyspace::find(int db_index, std::string_view key, std::int64_t now_ms) {
    Db& d = db(db_index);
    Db::Node* n = d.find_raw(key);
    if (n == nullptr || n->value.expire_ms < 0 || n->value.expire_ms > now_ms) {
        return n;
    }
    if (expire_ignore) {
        return n;
    }
    if (!expire_deletes || expire_paused) {
        return nullptr;  // logically expired; deleted later (or by the master's DEL)
    }
    std::string k = n->key;
    d.erase(k);
    ++stats.expired_keys;
    if (on_key_removed) {
        on_key_removed(db_index, k, false);
    }
    return nullptr;
}

std::size_t Keyspace::active_expire(std::int64_t now_ms, std::size_t max_work) {
    if (!expire_deletes) {
        return 0;
    }
    std::size_t deleted = 0;
    std::size_t work = 0;
    const int n = db_count();
    for (int i = 0; i < n && work < max_work; ++i) {
        int idx = (expire_cursor_db_ + i) % n;
        Db& d = dbs_[static_cast<std::size_t>(idx)];
        // Like Redis: sample 20 keys at a time and repeat while more than 25% were expired.
        while (d.expires_count() > 0 && work < max_work) {
            std::size_t sampled = 0;
            std::size_t expired = 0;
            std::int64_t ttl_sum = 0;
            std::size_t ttl_n = 0;
            for (int s = 0; s < 20 && d.expires_count() > 0; ++s) {
                auto* e = d.expires().random_node(rng_);
                auto* node = d.find_raw(e->key);
                ++sampled;
                ++work;
                if (node->value.expire_ms <= now_ms) {
                    std::string k = node->key;
                    d.erase(k);
                    ++stats.expired_keys;
                    ++expired;
                    ++deleted;
                    if (on_key_removed) {
                        on_key_removed(idx, k, false);
                    }
                } else {
                    ttl_sum += node->value.expire_ms - now_ms;
                    ++ttl_n;
                }
            }
            if (ttl_n > 0) {
                std::int64_t avg = ttl_sum / static_cast<std::int64_t>(ttl_n);
                d.avg_ttl_ms = d.avg_ttl_ms == 0 ? avg : (d.avg_ttl_ms / 50) * 49 + avg / 50;
            }
            if (sampled == 0 || expired * 4 <= sampled) {
                break;
            }
        }
    }
    expire_cursor_db_ = (expire_cursor_db_ + 1) % n;
    return deleted;
}

std::size_t Keyspace::total_keys() const {
    std::size_t total = 0;
    for (const auto& d : dbs_) {
        total += d.size();
    }
    return total;
}

}  // namespace vigil::server
