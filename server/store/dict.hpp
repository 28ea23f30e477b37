#pragma once
// Dict<V>: a string-keyed hash table with power-of-two buckets and chaining, used for the keyspace
// and for the large encodings of hashes, sets and sorted sets.
//
// Why our own table and not std::unordered_map: SCAN/HSCAN/SSCAN/ZSCAN need a cursor that keeps
// Redis's guarantee (every element present for the whole iteration is returned at least once,
// even when the table grows or shrinks in between). With power-of-two sizes the cursor can walk
// bucket indexes in reversed-bit order: the buckets an element can move to on a resize are
// visited after the ones already covered. RANDOMKEY, SPOP and eviction sampling need a random
// element, which is a random bucket here. Nodes are single allocations (key + value).

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::server {

struct Empty {};

template <class V>
class Dict {
public:
    struct Node {
        Node* next;
        std::string key;
        V value;
    };

    Dict() = default;
    Dict(const Dict&) = delete;
    Dict& operator=(const Dict&) = delete;
    Dict(Dict&& o) noexcept { swap(o); }
    Dict& operator=(Dict&& o) noexcept {
        if (this != &o) {
            clear();
            swap(o);
        }
        return *this;
    }
    ~Dict() { clear(); }

    void swap(Dict& o) noexcept {
        std::swap(buckets_, o.buckets_);
        std::swap(size_, o.size_);
    }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    std::size_t bucket_count() const { return buckets_.size(); }

    Node* find_node(std::string_view key) const {
        if (size_ == 0) {
            return nullptr;
        }
        std::size_t idx = hash(key) & mask();
        for (Node* n = buckets_[idx]; n != nullptr; n = n->next) {
            if (n->key == key) {
                return n;
            }
        }
        return nullptr;
    }

    V* find(std::string_view key) const {
        Node* n = find_node(key);
        return n ? &n->value : nullptr;
    }

    bool contains(std::string_view key) const { return find_node(key) != nullptr; }

    // Returns the node for key, creating it with a default value if absent; second = created.
    std::pair<Node*, bool> try_emplace(std::string_view key) {
        if (Node* n = find_node(key)) {
            return {n, false};
        }
        grow_if_needed();
        std::size_t idx = hash(key) & mask();
        Node* n = new Node{buckets_[idx], std::string(key), V{}};
        buckets_[idx] = n;
        ++size_;
        return {n, true};
    }

    // Inserts or overwrites.
    Node* insert_or_assign(std::string_view key, V value) {
        auto [n, created] = try_emplace(key);
        n->value = std::move(value);
        return n;
    }

    bool erase(std::string_view key) {
        if (size_ == 0) {
            return false;
        }
        std::size_t idx = hash(key) & mask();
        Node** link = &buckets_[idx];
        while (*link != nullptr) {
            Node* n = *link;
            if (n->key == key) {
                *link = n->next;
                delete n;
                --size_;
                shrink_if_needed();
                return true;
            }
            link = &n->next;
        }
        return false;
    }

    void clear() {
        for (Node*& head : buckets_) {
            while (head != nullptr) {
                Node* next = head->next;
                delete head;
                head = next;
            }
        }
        buckets_.clear();
        buckets_.shrink_to_fit();
        size_ = 0;
    }

    template <class F>
    void for_each(F&& fn) const {
        for (Node* head : buckets_) {
            for (Node* n = head; n != nullptr;) {
                Node* next = n->next;  // fn may not erase, but keep it robust to value edits
                fn(n->key, n->value);
                n = next;
            }
        }
    }

    // Visits the bucket at `cursor` (calling fn(key, value) for each of its nodes) and returns
    // the next cursor, 0 when the iteration is complete.
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, F&& fn) const {
        if (size_ == 0) {
            return 0;
        }
        const std::uint64_t m = mask();
        for (Node* n = buckets_[cursor & m]; n != nullptr; n = n->next) {
            fn(n->key, n->value);
        }
        // Increment the reversed cursor: set the bits above the mask, reverse, add one, reverse.
        cursor |= ~m;
        cursor = reverse_bits(cursor);
        ++cursor;
        cursor = reverse_bits(cursor);
        return cursor;
    }

    // A random node (nullptr when empty). Bucket first, then a node within its chain.
    template <class Rng>
    Node* random_node(Rng& rng) const {
        if (size_ == 0) {
            return nullptr;
        }
        std::uniform_int_distribution<std::size_t> pick_bucket(0, buckets_.size() - 1);
        Node* head = nullptr;
        do {
            head = buckets_[pick_bucket(rng)];
        } while (head == nullptr);
        std::size_t len = 0;
        for (Node* n = head; n != nullptr; n = n->next) {
            ++len;
        }
        std::uniform_int_distribution<std::size_t> pick(0, len - 1);
        std::size_t k = pick(rng);
        Node* n = head;
        while (k-- > 0) {
            n = n->next;
        }
        return n;
    }

    // Bytes used by the table itself (not counting what values own).
    std::size_t overhead_bytes() const {
        return buckets_.capacity() * sizeof(Node*) + size_ * sizeof(Node);
    }

private:
    static std::size_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
    std::size_t mask() const { return buckets_.size() - 1; }

    static std::uint64_t reverse_bits(std::uint64_t v) {
        v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
        v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
        v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
        v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
        return (v >> 32) | (v << 32);
    }

    void grow_if_needed() {
        if (buckets_.empty()) {
            buckets_.assign(4, nullptr);
        } else if (size_ >= buckets_.size()) {
            rehash(buckets_.size() * 2);
        }
    }

    void shrink_if_needed() {
        // Like Redis: shrink when fewer than 10% of the buckets would be used.
        if (buckets_.size() > 4 && size_ * 10 < buckets_.size()) {
            std::size_t target = 4;
            while (target < size_) {
                target *= 2;
            }
            rehash(target);
        }
    }

    void rehash(std::size_t new_size) {
        std::vector<Node*> fresh(new_size, nullptr);
        const std::size_t m = new_size - 1;
        for (Node* head : buckets_) {
            while (head != nullptr) {
                Node* next = head->next;
                std::size_t idx = hash(head->key) & m;
                head->next = fresh[idx];
                fresh[idx] = head;
                head = next;
            }
        }
        buckets_.swap(fresh);
    }

    std::vector<Node*> buckets_;
    std::size_t size_ = 0;
};

}  // namespace vigil::server
