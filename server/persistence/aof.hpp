#pragma once
// The append-only file, in Redis 7.0's multi-part layout: <dir>/<appenddirname>/ holds a base
// file (an RDB, "<appendfilename>.<n>.base.rdb", or commands, ".base.aof"), incremental command
// files ("<appendfilename>.<n>.incr.aof") and the manifest "<appendfilename>.manifest" that lists
// them:
//   file appendonly.aof.1.base.rdb seq 1 type b
//   file appendonly.aof.1.incr.aof seq 1 type i
// This file holds the pieces that need no server: the manifest, the command encoding, replay
// parsing with Redis's truncated-tail rules, and the appender with its fsync policy.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace vigil::server {

struct AofFileInfo {
    std::string name;
    std::int64_t seq = 0;
    char type = 'i';  // 'b' base, 'h' history, 'i' incremental
};

struct AofManifest {
    std::optional<AofFileInfo> base;
    std::vector<AofFileInfo> incrs;    // in replay order
    std::vector<AofFileInfo> history;  // waiting to be deleted

    // Parses manifest text; false with `error` set when malformed.
    static bool parse(std::string_view text, AofManifest& out, std::string& error);
    std::string to_string() const;
    std::int64_t last_incr_seq() const { return incrs.empty() ? 0 : incrs.back().seq; }
};

// File names for sequence numbers.
std::string aof_base_name(std::string_view appendfilename, std::int64_t seq, bool rdb);
std::string aof_incr_name(std::string_view appendfilename, std::int64_t seq);
std::string aof_manifest_name(std::string_view appendfilename);

// Appends `args` as a RESP array (how commands are stored in the AOF).
void append_resp_command(std::string& out, std::span<const std::string_view> args);
// Appends a command of database `db` to a stream whose last SELECT was `selected_db` (-1: none),
// with a SELECT first when the database changes (the AOF and the replication stream).
void append_command_in_db(std::string& out,
                          int& selected_db,
                          int db,
                          std::span<const std::string_view> args);

enum class AofReplayStatus {
    ok,         // every command complete
    truncated,  // the data ends inside a command (or an unfinished MULTI); see valid_bytes
    bad_format  // not an AOF command stream
};

struct AofReplayResult {
    AofReplayStatus status = AofReplayStatus::ok;
    std::size_t valid_bytes = 0;  // bytes up to the last complete command (or before MULTI)
    std::uint64_t commands = 0;
    bool ended_in_multi = false;  // the caller must discard the open transaction
    std::string error;
};

// Runs `run` on each complete command of `data`, in order.
AofReplayResult replay_aof_commands(
    std::string_view data, const std::function<void(std::span<const std::string_view>)>& run);

enum class AofFsync { always, everysec, no };
AofFsync parse_aof_fsync(std::string_view s);

// Appends commands to one open AOF file: SELECT when the db changes, write() before the reply
// goes out (kill -9 loses nothing that was acknowledged), fsync by policy. For everysec the
// fsync runs on a helper thread so the event loop never waits for the disk.
class AofAppender {
public:
    AofAppender(int fd, AofFsync policy, std::uint64_t size);
    ~AofAppender();  // writes, fsyncs and closes
    AofAppender(const AofAppender&) = delete;
    AofAppender& operator=(const AofAppender&) = delete;

    void append(int db, std::span<const std::string_view> args);
    // Writes what is buffered (and fsyncs with `always`). False on a write error.
    bool flush();
    // Called periodically: flushes, and with everysec starts an fsync once a second.
    void cron(std::int64_t now_ms);
    void set_policy(AofFsync policy) { policy_ = policy; }
    // Writes and fsyncs synchronously (shutdown, file switch).
    bool sync();

    std::uint64_t size() const { return size_; }
    bool write_ok() const { return write_ok_; }
    const std::string& last_error() const { return last_error_; }

private:
    void fsync_worker();
    int fd_;
    AofFsync policy_;
    std::uint64_t size_;
    std::string buf_;
    int selected_db_ = -1;
    int multi_depth_ = 0;  // inside MULTI ... EXEC: keep the transaction in one write
    bool write_ok_ = true;
    std::string last_error_;
    std::int64_t last_fsync_ms_ = 0;
    bool unsynced_ = false;
    // everysec fsync helper
    std::mutex mutex_;
    std::condition_variable cv_;
    bool fsync_requested_ = false;
    bool fsync_running_ = false;
    bool stopping_ = false;
    bool fsync_failed_ = false;  // set by the fsync thread, read by cron (under mutex_)
    std::string fsync_error_;
    std::thread worker_;
};

}  // namespace vigil::server
