#pragma once
// The value types of the keyspace. Small hashes keep insertion order and small integer sets keep
// sorted order, like Redis's listpack and intset encodings, so replies that depend on element
// order (HGETALL, SMEMBERS, HSCAN, ...) match redis-server for the sizes people compare by eye.

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/store/dict.hpp"
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

namespace vigil::server {

using List = std::deque<std::string>;

// Encoding limits (Redis 7.0 defaults).
struct EncodingLimits {
    std::size_t hash_max_listpack_entries = 512;
    std::size_t hash_max_listpack_value = 64;
    std::size_t set_max_intset_entries = 512;
    std::size_t zset_max_listpack_entries = 128;
    std::size_t zset_max_listpack_value = 64;
};
EncodingLimits& encoding_limits();

class Hash {
public:
    std::size_t size() const { return small_ ? pairs_.size() : dict_.size(); }
    bool is_small() const { return small_; }
    const std::string* get(std::string_view field) const;
    // Sets field to value; returns true when the field is new.
    bool set(std::string_view field, std::string_view value);
    bool erase(std::string_view field);
    template <class F>
    void for_each(F&& fn) const {
        if (small_) {
            for (const auto& [f, v] : pairs_) {
                fn(f, v);
            }
        } else {
            dict_.for_each(fn);
        }
    }
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, F&& fn) const {
        if (small_) {
            for_each(fn);
            return 0;
        }
        return dict_.scan(cursor, fn);
    }
    // A random field/value pair; the hash must not be empty.
    std::pair<const std::string*, const std::string*> random(std::mt19937_64& rng) const;
    std::size_t memory_bytes() const;

private:
    void convert_to_dict();
    bool small_ = true;
    std::vector<std::pair<std::string, std::string>> pairs_;
    Dict<std::string> dict_;
};

class Set {
public:
    std::size_t size() const { return intset_ ? ints_.size() : dict_.size(); }
    bool is_intset() const { return intset_; }
    bool contains(std::string_view member) const;
    bool add(std::string_view member);
    bool erase(std::string_view member);
    template <class F>
    void for_each(F&& fn) const {
        if (intset_) {
            for (std::int64_t v : ints_) {
                fn(std::to_string(v));
            }
        } else {
            dict_.for_each([&](const std::string& k, const Empty&) { fn(k); });
        }
    }
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, F&& fn) const {
        if (intset_) {
            for_each(fn);
            return 0;
        }
        return dict_.scan(cursor, [&](const std::string& k, const Empty&) { fn(k); });
    }
    std::string random(std::mt19937_64& rng) const;
    std::vector<std::string> members() const;
    std::size_t memory_bytes() const;

private:
    void convert_to_dict();
    bool intset_ = true;
    std::vector<std::int64_t> ints_;  // sorted
    Dict<Empty> dict_;
};

class ZSet {
public:
    using Entry = std::pair<double, std::string>;
    using Tree = __gnu_pbds::tree<Entry,
                                  __gnu_pbds::null_type,
                                  std::less<Entry>,
                                  __gnu_pbds::rb_tree_tag,
                                  __gnu_pbds::tree_order_statistics_node_update>;

    std::size_t size() const { return scores_.size(); }
    // True while Redis would keep this sorted set as a listpack (small, short members): ZSCAN
    // then returns everything in one call, in score order, and -0 is stored as 0.
    bool is_small() const { return small_; }
    std::optional<double> score(std::string_view member) const;
    // Inserts or updates; returns true when the member is new.
    bool set(std::string_view member, double score);
    bool erase(std::string_view member);
    // 0-based rank in ascending order, or nullopt.
    std::optional<std::size_t> rank(std::string_view member) const;
    // Entry at 0-based ascending rank (must be < size()).
    const Entry& at(std::size_t rank) const { return *tree_.find_by_order(rank); }
    const Tree& tree() const { return tree_; }
    // Number of entries ordered before (score, member) (lower bound).
    std::size_t order_of(const Entry& e) const { return tree_.order_of_key(e); }
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, F&& fn) const {
        if (small_) {
            for (const auto& e : tree_) {
                fn(e.second, e.first);
            }
            return 0;
        }
        return scores_.scan(cursor, [&](const std::string& m, double s) { fn(m, s); });
    }
    std::size_t memory_bytes() const;

private:
    Tree tree_;
    Dict<double> scores_;
    bool small_ = true;
};

enum class ValueType : std::uint8_t { string, list, set, zset, hash };

std::string_view type_name(ValueType t);

}  // namespace vigil::server
