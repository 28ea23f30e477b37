#include "server/store/values.hpp"

#include <algorithm>
#include <charconv>

namespace vigil::server {
namespace {

// Strict integer parse as Redis's intset uses it: no spaces, no '+', no leading zeros.
bool to_intset_value(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 20) {
        return false;
    }
    if (s.size() > 1 && (s[0] == '0' || (s[0] == '-' && s[1] == '0'))) {
        return false;
    }
    if (s == "-") {
        return false;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

std::size_t string_heap(const std::string& s) {
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

}  // namespace

EncodingLimits& encoding_limits() {
    static EncodingLimits limits;
    return limits;
}

std::string_view type_name(ValueType t) {
    switch (t) {
        case ValueType::string:
            return "string";
        case ValueType::list:
            return "list";
        case ValueType::set:
            return "set";
        case ValueType::zset:
            return "zset";
        case ValueType::hash:
            return "hash";
    }
    return "none";
}

// ---- Hash ----

const std::string* Hash::get(std::string_view field) const {
    if (small_) {
        for (const auto& [f, v] : pairs_) {
            if (f == field) {
                return &v;
            }
        }
        return nullptr;
    }
    return dict_.find(field);
}

bool Hash::set(std::string_view field, std::string_view value) {
    if (small_) {
        for (auto& [f, v] : pairs_) {
            if (f == field) {
                v.assign(value);
                if (value.size() > encoding_limits().hash_max_listpack_value) {
                    convert_to_dict();
                }
                return false;
            }
        }
        pairs_.emplace_back(std::string(field), std::string(value));
        const auto& lim = encoding_limits();
        if (pairs_.size() > lim.hash_max_listpack_entries ||
            field.size() > lim.hash_max_listpack_value ||
            value.size() > lim.hash_max_listpack_value) {
            convert_to_dict();
        }
        return true;
    }
    auto [node, created] = dict_.try_emplace(field);
    node->value.assign(value);
    return created;
}

bool Hash::erase(std::string_view field) {
    if (small_) {
        auto it = std::find_if(pairs_.begin(), pairs_.end(),
                               [&](const auto& p) { return p.first == field; });
        if (it == pairs_.end()) {
            return false;
        }
        pairs_.erase(it);
        return true;
    }
    return dict_.erase(field);
}

std::pair<const std::string*, const std::string*> Hash::random(std::mt19937_64& rng) const {
    if (small_) {
        std::uniform_int_distribution<std::size_t> pick(0, pairs_.size() - 1);
        const auto& p = pairs_[pick(rng)];
        return {&p.first, &p.second};
    }
    auto* n = dict_.random_node(rng);
    return {&n->key, &n->value};
}

void Hash::convert_to_dict() {
    for (auto& [f, v] : pairs_) {
        dict_.insert_or_assign(f, std::move(v));
    }
    pairs_.clear();
    pairs_.shrink_to_fit();
    small_ = false;
}

std::size_t Hash::memory_bytes() const {
    std::size_t total = sizeof(Hash);
    if (small_) {
        total += pairs_.capacity() * sizeof(pairs_[0]);
        for (const auto& [f, v] : pairs_) {
            total += string_heap(f) + string_heap(v);
        }
    } else {
        total += dict_.overhead_bytes();
        dict_.for_each([&](const std::string& f, const std::string& v) {
            total += string_heap(f) + string_heap(v);
        });
    }
    return total;
}

// ---- Set ----

bool Set::contains(std::string_view member) const {
    if (intset_) {
        std::int64_t v = 0;
        if (!to_intset_value(member, v)) {
            return false;
        }
        return std::binary_search(ints_.begin(), ints_.end(), v);
    }
    return dict_.contains(member);
}

bool Set::add(std::string_view member) {
    if (intset_) {
        std::int64_t v = 0;
        if (to_intset_value(member, v)) {
            auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
            if (it != ints_.end() && *it == v) {
                return false;
            }
            ints_.insert(it, v);
            if (ints_.size() > encoding_limits().set_max_intset_entries) {
                convert_to_dict();
            }
            return true;
        }
        convert_to_dict();
    }
    return dict_.try_emplace(member).second;
}

bool Set::erase(std::string_view member) {
    if (intset_) {
        std::int64_t v = 0;
        if (!to_intset_value(member, v)) {
            return false;
        }
        auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
        if (it == ints_.end() || *it != v) {
            return false;
        }
        ints_.erase(it);
        return true;
    }
    return dict_.erase(member);
}

std::string Set::random(std::mt19937_64& rng) const {
    if (intset_) {
        std::uniform_int_distribution<std::size_t> pick(0, ints_.size() - 1);
        return std::to_string(ints_[pick(rng)]);
    }
    return dict_.random_node(rng)->key;
}

std::vector<std::string> Set::members() const {
    std::vector<std::string> out;
    out.reserve(size());
    for_each([&](std::string_view m) { out.emplace_back(m); });
    return out;
}

void Set::convert_to_dict() {
    for (std::int64_t v : ints_) {
        dict_.try_emplace(std::to_string(v));
    }
    ints_.clear();
    ints_.shrink_to_fit();
    intset_ = false;
}

std::size_t Set::memory_bytes() const {
    std::size_t total = sizeof(Set);
    if (intset_) {
        return total + ints_.capacity() * sizeof(std::int64_t);
    }
    total += dict_.overhead_bytes();
    dict_.for_each([&](const std::string& k, const Empty&) { total += string_heap(k); });
    return total;
}

// ---- ZSet ----

std::optional<double> ZSet::score(std::string_view member) const {
    if (const double* s = scores_.find(member)) {
        return *s;
    }
    return std::nullopt;
}

bool ZSet::set(std::string_view member, double score) {
    if (small_ && score == 0) {
        score = 0.0;  // a listpack stores -0 as the integer 0
    }
    auto [node, created] = scores_.try_emplace(member);
    if (!created) {
        if (node->value == score) {
            return false;
        }
        tree_.erase(Entry{node->value, node->key});
    }
    node->value = score;
    tree_.insert(Entry{score, std::string(member)});
    const auto& lim = encoding_limits();
    if (small_ && (scores_.size() > lim.zset_max_listpack_entries ||
                   member.size() > lim.zset_max_listpack_value)) {
        small_ = false;
    }
    return created;
}

bool ZSet::erase(std::string_view member) {
    auto* node = scores_.find_node(member);
    if (node == nullptr) {
        return false;
    }
    tree_.erase(Entry{node->value, node->key});
    scores_.erase(member);
    return true;
}

std::optional<std::size_t> ZSet::rank(std::string_view member) const {
    auto* node = scores_.find_node(member);
    if (node == nullptr) {
        return std::nullopt;
    }
    return tree_.order_of_key(Entry{node->value, node->key});
}

std::size_t ZSet::memory_bytes() const {
    // Tree node: key + colour/links/subtree size; dict node: key + score.
    std::size_t total = sizeof(ZSet) + scores_.overhead_bytes();
    scores_.for_each([&](const std::string& m, double) {
        total += 2 * string_heap(m) + sizeof(Entry) + 4 * sizeof(void*);
    });
    return total;
}

}  // namespace vigil::server
