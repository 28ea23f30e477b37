#include <algorithm>
#include <cerrno>
#include <cstring>

#include "server/persistence/rdb_format.hpp"
#include <unistd.h>

namespace vigil::server {

bool FdRdbOutput::write(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool MemoryRdbInput::read(char* out, std::size_t n) {
    if (data_.size() - pos_ < n) {
        return false;
    }
    std::memcpy(out, data_.data() + pos_, n);
    pos_ += n;
    return true;
}

bool FdRdbInput::read(char* out, std::size_t n) {
    constexpr std::size_t kChunk = 1 << 16;
    while (n > 0) {
        if (buf_pos_ == buf_.size()) {
            buf_.resize(kChunk);
            ssize_t got = 0;
            do {
                got = ::read(fd_, buf_.data(), kChunk);
            } while (got < 0 && errno == EINTR);
            if (got <= 0) {
                buf_.clear();
                buf_pos_ = 0;
                return false;
            }
            buf_.resize(static_cast<std::size_t>(got));
            buf_pos_ = 0;
        }
        std::size_t take = std::min(n, buf_.size() - buf_pos_);
        std::memcpy(out, buf_.data() + buf_pos_, take);
        buf_pos_ += take;
        consumed_ += take;
        out += take;
        n -= take;
    }
    return true;
}

}  // namespace vigil::server
