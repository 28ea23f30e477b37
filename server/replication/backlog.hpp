#pragma once
// The replication backlog: the tail of the replication stream, addressed by stream offset, from
// which a reconnecting replica continues (PSYNC +CONTINUE) and a replica that finished loading a
// snapshot receives what was written meanwhile. Like Redis 7.0's shared replication buffer, it
// keeps bytes beyond repl-backlog-size while a syncing replica still needs them (up to a hard
// bound), and trims whole blocks. Plain code: no Asio, no clock.
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace vigil::server {

class Backlog {
public:
    // `next_offset` is the offset the first appended byte will have.
    Backlog(std::size_t size, std::int64_t next_offset);

    void append(std::string_view bytes);
    // Offset of the first byte held (repl_backlog_first_byte_offset).
    std::int64_t first_offset() const { return first_; }
    // Offset the next appended byte gets (master_repl_offset + 1).
    std::int64_t next_offset() const { return first_ + static_cast<std::int64_t>(histlen_); }
    std::size_t histlen() const { return histlen_; }
    std::size_t size() const { return size_; }
    void resize(std::size_t size);
    // True when every byte from `offset` on is held (offset == next_offset() included).
    bool covers(std::int64_t offset) const { return offset >= first_ && offset <= next_offset(); }
    // Appends the bytes from `offset` (covered) to the end to `out`.
    void copy_from(std::int64_t offset, std::string& out) const;
    // Keep every byte from `offset` on (a syncing replica needs them), but not more than
    // `max_bytes` in total (to within one block); -1 releases the hold.
    void hold_from(std::int64_t offset, std::size_t max_bytes);
    // Bytes held in memory (INFO mem_replication_backlog).
    std::size_t memory() const { return histlen_; }

private:
    void trim();
    static constexpr std::size_t kBlock = 64 * 1024;
    std::size_t size_;
    std::int64_t first_;
    std::size_t histlen_ = 0;
    std::deque<std::string> blocks_;
    std::int64_t hold_ = -1;
    std::size_t hold_max_ = 0;
};

}  // namespace vigil::server
