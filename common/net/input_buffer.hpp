#pragma once
// The read buffer of a connection.
//
//   data_                begin_            end_              capacity_
//   |---- consumed ------|---- readable ---|---- prepared ---|
//
// Reads land in the prepared region (prepare + commit); the parser looks at the readable region
// and the session consumes whole requests from its front. Consumed bytes are reclaimed by moving
// the readable region to the front when more room is needed, never byte by byte, and nothing is
// zero-filled.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace vigil::common {

class InputBuffer {
public:
    // Returns a writable region of at least n bytes after the readable ones.
    char* prepare(std::size_t n) {
        if (capacity_ - end_ >= n) {
            return data_.get() + end_;
        }
        std::size_t readable = end_ - begin_;
        if (begin_ > 0 && capacity_ - readable >= n && readable <= capacity_ / 2) {
            std::memmove(data_.get(), data_.get() + begin_, readable);
        } else {
            std::size_t cap = capacity_ == 0 ? n : capacity_;
            while (cap - readable < n) {
                cap *= 2;
            }
            auto fresh = std::make_unique_for_overwrite<char[]>(cap);
            if (readable > 0) {
                std::memcpy(fresh.get(), data_.get() + begin_, readable);
            }
            data_ = std::move(fresh);
            capacity_ = cap;
        }
        begin_ = 0;
        end_ = readable;
        return data_.get() + end_;
    }
    void commit(std::size_t n) { end_ += n; }
    void consume(std::size_t n) {
        begin_ += n;
        if (begin_ == end_) {
            begin_ = end_ = 0;  // empty: start over at the front for free
            if (capacity_ > kKeepCapacity) {
                // A big request is done: do not keep its buffer for the connection's lifetime.
                data_.reset();
                capacity_ = 0;
            }
        }
    }
    std::string_view readable() const { return {data_.get() + begin_, end_ - begin_}; }
    std::size_t size() const { return end_ - begin_; }
    std::size_t capacity() const { return capacity_; }

private:
    static constexpr std::size_t kKeepCapacity = 64 * 1024;
    std::unique_ptr<char[]> data_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace vigil::common
