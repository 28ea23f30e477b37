#include "server/replication/backlog.hpp"

#include <algorithm>

namespace vigil::server {

Backlog::Backlog(std::size_t size, std::int64_t next_offset)
    : size_(std::max<std::size_t>(size, 1)), first_(next_offset) {}

void Backlog::append(std::string_view bytes) {
    while (!bytes.empty()) {
        if (blocks_.empty() || blocks_.back().size() >= kBlock) {
            blocks_.emplace_back();
            blocks_.back().reserve(kBlock);
        }
        std::string& b = blocks_.back();
        std::size_t n = std::min(bytes.size(), kBlock - std::min(kBlock, b.size()));
        if (n == 0) {
            n = bytes.size();  // an oversized block (never happens with kBlock writes)
        }
        b.append(bytes.substr(0, n));
        bytes.remove_prefix(n);
        histlen_ += n;
    }
    trim();
}

void Backlog::resize(std::size_t size) {
    size_ = std::max<std::size_t>(size, 1);
    trim();
}

void Backlog::hold_from(std::int64_t offset, std::size_t max_bytes) {
    hold_ = offset;
    hold_max_ = max_bytes;
    trim();
}

void Backlog::trim() {
    // Drop whole front blocks while what remains still holds `size_` bytes and whatever a
    // syncing replica holds on to.
    while (blocks_.size() > 1) {
        std::size_t front = blocks_.front().size();
        std::size_t rest = histlen_ - front;
        if (rest < size_) {
            break;
        }
        std::int64_t new_first = first_ + static_cast<std::int64_t>(front);
        if (hold_ >= 0 && new_first > hold_ && rest < hold_max_) {
            break;
        }
        blocks_.pop_front();
        first_ = new_first;
        histlen_ = rest;
    }
}

void Backlog::copy_from(std::int64_t offset, std::string& out) const {
    if (!covers(offset)) {
        return;
    }
    std::int64_t skip = offset - first_;
    for (const std::string& b : blocks_) {
        auto len = static_cast<std::int64_t>(b.size());
        if (skip >= len) {
            skip -= len;
            continue;
        }
        out.append(b, static_cast<std::size_t>(skip));
        skip = 0;
    }
}

}  // namespace vigil::server
