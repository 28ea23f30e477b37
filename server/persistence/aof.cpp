#include "server/persistence/aof.hpp"

#include <cerrno>
#include <cstring>

#include "common/resp/command_encoder.hpp"
#include "common/resp/request_parser.hpp"
#include <unistd.h>

namespace vigil::server {
namespace {

bool needs_quotes(std::string_view s) {
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u <= ' ' || u >= 127 || c == '"' || c == '\'' || c == '\\') {
            return true;
        }
    }
    return s.empty();
}

std::string quote(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (u < ' ' || u >= 127) {
            out.append("\\x");
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 15]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
    return out;
}

// Writes data; `written` tells how much reached the file even when it fails part way, so the
// caller never writes the same bytes twice.
bool write_all(int fd, std::string_view data, std::size_t& written, std::string& error) {
    written = 0;
    while (written < data.size()) {
        ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            error = std::strerror(errno);
            return false;
        }
        written += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

// ---- manifest ----

bool AofManifest::parse(std::string_view text, AofManifest& out, std::string& error) {
    out = AofManifest{};
    std::size_t line_no = 0;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
            line.remove_suffix(1);
        }
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::vector<std::string> argv;
        if (!common::split_args(line, argv) || argv.size() % 2 != 0) {
            error = "Invalid AOF manifest file format (line " + std::to_string(line_no) + ")";
            return false;
        }
        AofFileInfo info;
        bool has_name = false, has_seq = false, has_type = false;
        for (std::size_t i = 0; i < argv.size(); i += 2) {
            const std::string& key = argv[i];
            const std::string& value = argv[i + 1];
            if (key == "file") {
                info.name = value;
                has_name = true;
            } else if (key == "seq") {
                try {
                    info.seq = std::stoll(value);
                } catch (const std::exception&) {
                    error = "Invalid AOF manifest sequence number: " + value;
                    return false;
                }
                has_seq = true;
            } else if (key == "type") {
                if (value.size() != 1 || (value[0] != 'b' && value[0] != 'h' && value[0] != 'i')) {
                    error = "Unknown AOF file type: " + value;
                    return false;
                }
                info.type = value[0];
                has_type = true;
            }
            // Unknown keys are ignored, as Redis does, for forward compatibility.
        }
        if (!has_name || !has_seq || !has_type) {
            error = "Invalid AOF manifest file format (line " + std::to_string(line_no) + ")";
            return false;
        }
        if (info.name.find('/') != std::string::npos) {
            error = "File can't be a path, just a filename";
            return false;
        }
        if (info.type == 'b') {
            if (out.base) {
                error = "Found duplicate base file information";
                return false;
            }
            out.base = info;
        } else if (info.type == 'h') {
            out.history.push_back(info);
        } else {
            if (!out.incrs.empty() && info.seq <= out.incrs.back().seq) {
                error = "Found a non-monotonic sequence number";
                return false;
            }
            out.incrs.push_back(info);
        }
    }
    return true;
}

std::string AofManifest::to_string() const {
    std::string out;
    auto line = [&](const AofFileInfo& f) {
        out.append("file ");
        out.append(needs_quotes(f.name) ? quote(f.name) : f.name);
        out.append(" seq ");
        out.append(std::to_string(f.seq));
        out.append(" type ");
        out.push_back(f.type);
        out.push_back('\n');
    };
    if (base) {
        line(*base);
    }
    for (const auto& f : history) {
        line(f);
    }
    for (const auto& f : incrs) {
        line(f);
    }
    return out;
}

std::string aof_base_name(std::string_view appendfilename, std::int64_t seq, bool rdb) {
    return std::string(appendfilename) + "." + std::to_string(seq) + ".base" +
           (rdb ? ".rdb" : ".aof");
}

std::string aof_incr_name(std::string_view appendfilename, std::int64_t seq) {
    return std::string(appendfilename) + "." + std::to_string(seq) + ".incr.aof";
}

std::string aof_manifest_name(std::string_view appendfilename) {
    return std::string(appendfilename) + ".manifest";
}

// ---- commands ----

void append_resp_command(std::string& out, std::span<const std::string_view> args) {
    common::append_command(out, args);
}

AofReplayResult replay_aof_commands(
    std::string_view data, const std::function<void(std::span<const std::string_view>)>& run) {
    AofReplayResult res;
    common::ParserLimits limits;
    limits.max_bulk_len = std::size_t{1} << 40;  // AOF entries are trusted; no client limit
    common::RequestParser parser(limits);
    std::size_t pos = 0;
    std::size_t before_multi = 0;
    bool in_multi = false;
    while (pos < data.size()) {
        if (data[pos] != '*') {
            res.status = AofReplayStatus::bad_format;
            res.error = "Bad file format reading the append only file";
            res.valid_bytes = pos;
            return res;
        }
        common::ParseResult r = parser.parse(data.substr(pos));
        if (r.status == common::ParseStatus::need_more) {
            break;
        }
        if (r.status == common::ParseStatus::protocol_error) {
            res.status = AofReplayStatus::bad_format;
            res.error = "Bad file format reading the append only file: " + r.error_message;
            res.valid_bytes = pos;
            return res;
        }
        const auto& args = parser.args();
        if (!args.empty()) {
            if (args[0].size() == 5 && (args[0][0] == 'm' || args[0][0] == 'M') &&
                strncasecmp(args[0].data(), "multi", 5) == 0) {
                in_multi = true;
                before_multi = pos;
            } else if (args[0].size() == 4 && strncasecmp(args[0].data(), "exec", 4) == 0) {
                in_multi = false;
            }
            run(std::span<const std::string_view>(args.data(), args.size()));
            ++res.commands;
        }
        pos += r.consumed;
    }
    res.valid_bytes = pos;
    if (pos < data.size()) {
        res.status = AofReplayStatus::truncated;
    }
    if (in_multi) {
        res.status = AofReplayStatus::truncated;
        res.valid_bytes = before_multi;
        res.ended_in_multi = true;
    }
    return res;
}

AofFsync parse_aof_fsync(std::string_view s) {
    if (s == "always") {
        return AofFsync::always;
    }
    if (s == "no") {
        return AofFsync::no;
    }
    return AofFsync::everysec;
}

// ---- appender ----

AofAppender::AofAppender(int fd, AofFsync policy, std::uint64_t size)
    : fd_(fd), policy_(policy), size_(size), worker_([this] { fsync_worker(); }) {}

AofAppender::~AofAppender() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    worker_.join();
    sync();
    ::close(fd_);
}

void AofAppender::fsync_worker() {
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait(lock, [this] { return fsync_requested_ || stopping_; });
        if (stopping_) {
            return;
        }
        fsync_requested_ = false;
        fsync_running_ = true;
        lock.unlock();
        int rc = ::fdatasync(fd_);
        int err = errno;
        lock.lock();
        fsync_running_ = false;
        if (rc != 0) {
            fsync_failed_ = true;
            fsync_error_ = std::strerror(err);
        }
    }
}

void append_command_in_db(std::string& out,
                          int& selected_db,
                          int db,
                          std::span<const std::string_view> args) {
    if (db != selected_db) {
        std::string index = std::to_string(db);
        std::string_view select[] = {"SELECT", index};
        append_resp_command(out, select);
        selected_db = db;
    }
    append_resp_command(out, args);
}

void AofAppender::append(int db, std::span<const std::string_view> args) {
    append_command_in_db(buf_, selected_db_, db, args);
    if (!args.empty()) {
        if (strncasecmp(args[0].data(), "multi", 5) == 0 && args[0].size() == 5) {
            ++multi_depth_;
        } else if (args[0].size() == 4 && strncasecmp(args[0].data(), "exec", 4) == 0 &&
                   multi_depth_ > 0) {
            --multi_depth_;
        }
    }
    if (multi_depth_ == 0) {
        flush();
    }
}

bool AofAppender::flush() {
    if (buf_.empty()) {
        return write_ok_;
    }
    std::string error;
    std::size_t written = 0;
    bool ok = write_all(fd_, buf_, written, error);
    // Whatever reached the file is accounted for and never written again.
    size_ += written;
    buf_.erase(0, written);
    if (!ok) {
        write_ok_ = false;
        last_error_ = error;
        return false;
    }
    unsynced_ = true;
    if (policy_ == AofFsync::always) {
        if (::fdatasync(fd_) != 0) {
            write_ok_ = false;
            last_error_ = std::string("fsync: ") + std::strerror(errno);
            return false;
        }
        unsynced_ = false;
    }
    write_ok_ = true;
    return true;
}

void AofAppender::cron(std::int64_t now_ms) {
    if (multi_depth_ == 0) {
        flush();
    }
    {
        // A failed background fsync makes the AOF unwritable (writes get MISCONF), as in Redis.
        std::lock_guard lock(mutex_);
        if (fsync_failed_) {
            write_ok_ = false;
            last_error_ = "fsync: " + fsync_error_;
        }
    }
    if (policy_ != AofFsync::everysec || !unsynced_ || now_ms - last_fsync_ms_ < 1000) {
        return;
    }
    {
        std::lock_guard lock(mutex_);
        if (fsync_running_ || fsync_requested_) {
            return;  // the previous fsync is still running: try again next tick
        }
        fsync_requested_ = true;
    }
    cv_.notify_one();
    unsynced_ = false;
    last_fsync_ms_ = now_ms;
}

bool AofAppender::sync() {
    bool ok = flush();
    if (::fsync(fd_) != 0) {
        ok = false;
    }
    unsynced_ = false;
    return ok;
}

}  // namespace vigil::server
