// Persistence: the append-only file (load, open for append, rewrite, manifest).
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "server/persistence/persistence.hpp"
#include "server/persistence/rdb_loader.hpp"
#include "server/server.hpp"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vigil::server {
namespace {

std::string join(const std::string& dir, std::string_view name) {
    std::string p = dir;
    if (!p.empty() && p.back() != '/') {
        p.push_back('/');
    }
    p.append(name);
    return p;
}

bool read_file(const std::string& path, std::string& out, bool& missing) {
    missing = false;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        missing = errno == ENOENT;
        return false;
    }
    out.clear();
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ::close(fd);
            return n == 0;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
}

std::uint64_t file_size(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

bool ensure_dir(const std::string& path, std::string& error) {
    if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) {
        return true;
    }
    error = "Can't open or create append-only dir " + path + ": " + std::strerror(errno);
    return false;
}

}  // namespace

bool Persistence::persist_manifest(std::string& error) {
    const std::string dir = aof_dir_path();
    const std::string name = aof_manifest_name(server_.config.appendfilename);
    const std::string tmp = join(dir, "temp-" + name);
    const std::string text = manifest_.to_string();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = "Can't open the AOF manifest file " + tmp + ": " + std::strerror(errno);
        return false;
    }
    FdRdbOutput out(fd);
    bool ok = out.write(text) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), join(dir, name).c_str()) != 0) {
        error = "Can't persist the AOF manifest file " + name + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

bool Persistence::load_aof_file(const std::string& name, bool last, std::string& error) {
    const std::string path = join(aof_dir_path(), name);
    std::string data;
    bool missing = false;
    if (!read_file(path, data, missing)) {
        error = missing ? "The AOF file " + name + " doesn't exist"
                        : "Fatal error: can't open the append log file " + name +
                              " for reading: " + std::strerror(errno);
        return false;
    }
    std::size_t offset = 0;
    if (data.size() >= 5 && data.compare(0, 5, "REDIS") == 0) {
        // An RDB base (or an RDB preamble followed by commands).
        Keyspace loaded(server_.config.databases);
        MemoryRdbInput in(data);
        RdbLoadOptions opts;
        opts.now_ms = now_ms();
        opts.skip_expired = !server_.is_replica();
        RdbLoadResult res = load_rdb(in, loaded, opts);
        if (!res.ok) {
            error =
                "Error reading the RDB base file " + name + ", AOF loading aborted: " + res.error;
            return false;
        }
        if (server_.keyspace.total_keys() > 0) {
            error = "The AOF file " + name + " has an RDB part but is not the first file";
            return false;
        }
        for (int i = 0; i < server_.keyspace.db_count(); ++i) {
            server_.keyspace.db(i).swap(loaded.db(i));
        }
        offset = static_cast<std::size_t>(in.position());
        spdlog::info("Reading RDB base file on AOF loading...");
    }

    auto client = std::make_unique<ClientState>();
    client->authenticated = true;
    client->loading = true;
    std::string scratch;
    common::ReplyWriter reply(scratch);
    const std::int64_t now = now_ms();
    std::string unknown;
    AofReplayResult res = replay_aof_commands(
        std::string_view(data).substr(offset), [&](std::span<const std::string_view> args) {
            if (!unknown.empty()) {
                return;
            }
            if (server_.commands.find(args[0]) == nullptr) {
                unknown = std::string(args[0]);  // Redis refuses to load such a file
                return;
            }
            server_.call(*client, args, reply, now);
            scratch.clear();
        });
    if (!unknown.empty()) {
        unwatch_all(server_, *client);
        error = "Unknown command '" + unknown + "' reading the append only file " + name;
        return false;
    }
    if (res.ended_in_multi) {
        std::string_view discard[] = {"DISCARD"};
        server_.call(*client, discard, reply, now);
        spdlog::warn("Revert incomplete MULTI/EXEC transaction in AOF file {}", name);
    }
    unwatch_all(server_, *client);
    if (res.status == AofReplayStatus::bad_format) {
        error = "Bad file format reading the append only file " + name +
                ": make a backup of your AOF file, then use ./redis-check-aof --fix "
                "<filename.manifest>";
        return false;
    }
    if (res.status == AofReplayStatus::truncated) {
        const std::size_t valid = offset + res.valid_bytes;
        if (!last) {
            error = "Fatal error: the truncated file is not the last file";
            return false;
        }
        if (!server_.config.aof_load_truncated) {
            error = "Unexpected end of file reading the append only file " + name +
                    ". You can: 1) Make a backup of your AOF file, then use ./redis-check-aof "
                    "--fix <filename.manifest>. 2) Alternatively you can set the "
                    "'aof-load-truncated' configuration option to yes and restart the server.";
            return false;
        }
        spdlog::warn("!!! Warning: short read while loading the AOF file {}!!!", name);
        spdlog::warn("!!! Truncating the AOF {} at offset {} !!!", name, valid);
        if (::truncate(path.c_str(), static_cast<off_t>(valid)) != 0) {
            error = "Error truncating the AOF file " + name + ": " + std::strerror(errno);
            return false;
        }
        spdlog::warn("AOF {} loaded anyway because aof-load-truncated is enabled", name);
    }
    return true;
}

Persistence::AofLoad Persistence::load_aof(std::string& error) {
    const std::string dir = aof_dir_path();
    const std::string& appendfilename = server_.config.appendfilename;
    const std::string manifest_path = join(dir, aof_manifest_name(appendfilename));
    std::string text;
    bool missing = false;
    if (read_file(manifest_path, text, missing)) {
        if (!AofManifest::parse(text, manifest_, error)) {
            return AofLoad::failed;
        }
    } else if (!missing) {
        error = "Can't open the AOF manifest " + manifest_path + ": " + std::strerror(errno);
        return AofLoad::failed;
    } else {
        // An old-style single AOF file (Redis < 7): move it into the directory as the base.
        const std::string old_path = join(server_.config.dir, appendfilename);
        if (::access(old_path.c_str(), F_OK) != 0) {
            return AofLoad::missing;
        }
        if (!ensure_dir(dir, error)) {
            return AofLoad::failed;
        }
        manifest_ = AofManifest{};
        manifest_.base = AofFileInfo{appendfilename, 1, 'b'};
        if (::rename(old_path.c_str(), join(dir, appendfilename).c_str()) != 0) {
            error = "Error moving the old AOF file into the AOF directory: " +
                    std::string(std::strerror(errno));
            return AofLoad::failed;
        }
        if (!persist_manifest(error)) {
            return AofLoad::failed;
        }
        spdlog::info("Successfully migrated an old-style AOF into the AOF directory");
    }
    if (!manifest_.base && manifest_.incrs.empty()) {
        return AofLoad::missing;
    }
    const auto started = std::chrono::steady_clock::now();
    const std::uint64_t commands_before = server_.stats.total_commands_processed;
    const std::size_t total = (manifest_.base ? 1 : 0) + manifest_.incrs.size();
    std::size_t index = 0;
    auto load_one = [&](const AofFileInfo& f) {
        ++index;
        if (!load_aof_file(f.name, index == total, error)) {
            return false;
        }
        spdlog::info("DB loaded from {} file {}", f.type == 'b' ? "base" : "incr", f.name);
        return true;
    };
    if (manifest_.base && !load_one(*manifest_.base)) {
        return AofLoad::failed;
    }
    for (const auto& f : manifest_.incrs) {
        if (!load_one(f)) {
            return AofLoad::failed;
        }
    }
    server_.stats.total_commands_processed = commands_before;
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    spdlog::info("DB loaded from append only file: {:.3f} seconds", took.count());
    return AofLoad::loaded;
}

bool Persistence::open_new_incr(std::string& error) {
    const std::string dir = aof_dir_path();
    const std::int64_t seq = manifest_.last_incr_seq() + 1;
    const std::string name = aof_incr_name(server_.config.appendfilename, seq);
    int fd =
        ::open(join(dir, name).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = "Can't open the append-only file " + name + ": " + std::strerror(errno);
        return false;
    }
    manifest_.incrs.push_back(AofFileInfo{name, seq, 'i'});
    if (!persist_manifest(error)) {
        manifest_.incrs.pop_back();
        ::close(fd);
        return false;
    }
    if (appender_) {
        appender_->sync();
        incr_bytes_before_current_ += appender_->size();
    }
    appender_ = std::make_unique<AofAppender>(fd, parse_aof_fsync(server_.config.appendfsync), 0);
    return true;
}

bool Persistence::open_aof_for_append(std::string& error) {
    const std::string dir = aof_dir_path();
    if (!ensure_dir(dir, error)) {
        return false;
    }
    const std::string& appendfilename = server_.config.appendfilename;
    if (!manifest_.base && manifest_.incrs.empty()) {
        // No AOF yet: like Redis 7.0, write a base of the (empty) dataset right away.
        const std::string name = aof_base_name(appendfilename, 1, true);
        const std::string tmp = join(dir, "temp-" + name);
        if (!write_rdb_file(tmp, join(dir, name), true, error)) {
            return false;
        }
        manifest_.base = AofFileInfo{name, 1, 'b'};
        spdlog::info("Creating AOF base file {} on server start", name);
    }
    stats_.aof_base_size = manifest_.base ? file_size(join(dir, manifest_.base->name)) : 0;
    incr_bytes_before_current_ = 0;
    if (manifest_.incrs.empty()) {
        if (!open_new_incr(error)) {
            return false;
        }
        spdlog::info("Creating AOF incr file {} on server start", manifest_.incrs.back().name);
    } else {
        for (std::size_t i = 0; i + 1 < manifest_.incrs.size(); ++i) {
            incr_bytes_before_current_ += file_size(join(dir, manifest_.incrs[i].name));
        }
        const std::string path = join(dir, manifest_.incrs.back().name);
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            error = "Can't open the append-only file " + path + ": " + std::strerror(errno);
            return false;
        }
        appender_ = std::make_unique<AofAppender>(fd, parse_aof_fsync(server_.config.appendfsync),
                                                  file_size(path));
    }
    stats_.aof_current_size = stats_.aof_base_size + incr_bytes_before_current_ + appender_->size();
    return true;
}

Persistence::Start Persistence::bgrewriteaof() {
    if (aof_rewrite_running()) {
        return Start::already_running;
    }
    if (child_pid_ > 0) {
        stats_.aof_rewrite_scheduled = true;
        return Start::scheduled;
    }
    std::string error;
    if (!ensure_dir(aof_dir_path(), error)) {
        spdlog::warn("{}", error);
        return Start::failed;
    }
    if (appender_) {
        // Writes from now on go to a new incr file; the child's base covers everything before.
        appender_->flush();
        if (!open_new_incr(error)) {
            spdlog::warn("{}", error);
            return Start::failed;
        }
        rewrite_first_incr_seq_ = manifest_.last_incr_seq();
    } else {
        rewrite_first_incr_seq_ = manifest_.last_incr_seq() + 1;
    }
    const std::string dir = server_.config.dir;
    bool forked = fork_child(ChildKind::aof_rewrite, [this, dir] {
        const std::string name = "temp-rewriteaof-bg-" + std::to_string(::getpid()) + ".aof";
        std::string err;
        if (!write_rdb_file(join(dir.empty() ? "." : dir, name), "", true, err)) {
            spdlog::warn("{}", err);
            return false;
        }
        spdlog::info("Successfully created the temporary AOF base file {}", name);
        return true;
    });
    if (!forked) {
        stats_.aof_last_bgrewrite_ok = false;
        return Start::failed;
    }
    stats_.aof_rewrite_scheduled = false;
    stats_.aof_rewrite_start_ms = now_ms();
    spdlog::info("Background append only file rewriting started by pid {}", child_pid_);
    return Start::started;
}

bool Persistence::rewrite_done(bool ok, pid_t pid) {
    const std::string dir = aof_dir_path();
    const std::string tmp = join(server_.config.dir.empty() ? "." : server_.config.dir,
                                 "temp-rewriteaof-bg-" + std::to_string(pid) + ".aof");
    if (stats_.aof_rewrite_start_ms >= 0) {
        stats_.aof_last_rewrite_time_sec = (now_ms() - stats_.aof_rewrite_start_ms) / 1000;
    }
    stats_.aof_rewrite_start_ms = -1;
    std::string error;
    if (ok) {
        const std::int64_t seq = manifest_.base ? manifest_.base->seq + 1 : 1;
        const std::string name = aof_base_name(server_.config.appendfilename, seq, true);
        if (!ensure_dir(dir, error) || ::rename(tmp.c_str(), join(dir, name).c_str()) != 0) {
            spdlog::warn("Error trying to rename the temporary AOF base file {} into {}: {}", tmp,
                         name, std::strerror(errno));
            ok = false;
        } else {
            spdlog::info("Successfully renamed the temporary AOF base file {} into {}",
                         tmp.substr(tmp.rfind('/') + 1), name);
            AofManifest next;
            next.base = AofFileInfo{name, seq, 'b'};
            std::vector<AofFileInfo> history;
            if (manifest_.base) {
                history.push_back(*manifest_.base);
            }
            for (const auto& f : manifest_.incrs) {
                (f.seq >= rewrite_first_incr_seq_ ? next.incrs : history).push_back(f);
            }
            AofManifest previous = std::move(manifest_);
            manifest_ = std::move(next);
            if (!persist_manifest(error)) {
                spdlog::warn("{}", error);
                manifest_ = std::move(previous);
                ok = false;
            } else {
                for (auto it = history.rbegin(); it != history.rend(); ++it) {
                    spdlog::info("Removing the history file {} in the background", it->name);
                    ::unlink(join(dir, it->name).c_str());
                }
                stats_.aof_base_size = file_size(join(dir, name));
                incr_bytes_before_current_ = 0;
                for (std::size_t i = 0; i + 1 < manifest_.incrs.size(); ++i) {
                    incr_bytes_before_current_ += file_size(join(dir, manifest_.incrs[i].name));
                }
                stats_.aof_current_size = stats_.aof_base_size + incr_bytes_before_current_ +
                                          (appender_ ? appender_->size() : 0);
                spdlog::info("Background AOF rewrite finished successfully");
            }
        }
    }
    if (!ok) {
        ::unlink(tmp.c_str());
        stats_.aof_last_bgrewrite_ok = false;
        ++stats_.aof_rewrites_consecutive_failures;
        return false;
    }
    stats_.aof_last_bgrewrite_ok = true;
    stats_.aof_rewrites_consecutive_failures = 0;
    ++stats_.aof_rewrites;
    return true;
}

bool Persistence::start_aof(std::string& error) {
    if (appender_) {
        return true;
    }
    if (aof_rewrite_running()) {
        kill_child();
    }
    const std::string dir = aof_dir_path();
    if (!ensure_dir(dir, error)) {
        return false;
    }
    // Continue the sequence numbers of an existing manifest; its files become history.
    AofManifest old;
    std::string text;
    bool missing = false;
    const std::string& appendfilename = server_.config.appendfilename;
    if (read_file(join(dir, aof_manifest_name(appendfilename)), text, missing)) {
        std::string ignored;
        AofManifest::parse(text, old, ignored);
    }
    const std::int64_t seq = old.base ? old.base->seq + 1 : 1;
    const std::string name = aof_base_name(appendfilename, seq, true);
    if (!write_rdb_file(join(dir, "temp-" + name), join(dir, name), true, error)) {
        return false;
    }
    manifest_ = AofManifest{};
    manifest_.base = AofFileInfo{name, seq, 'b'};
    const std::int64_t incr_seq = old.last_incr_seq() + 1;
    const std::string incr = aof_incr_name(appendfilename, incr_seq);
    int fd =
        ::open(join(dir, incr).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = "Can't open the append-only file " + incr + ": " + std::strerror(errno);
        return false;
    }
    manifest_.incrs.push_back(AofFileInfo{incr, incr_seq, 'i'});
    if (!persist_manifest(error)) {
        ::close(fd);
        return false;
    }
    if (old.base && old.base->name != name) {
        ::unlink(join(dir, old.base->name).c_str());
    }
    for (const auto& f : old.incrs) {
        ::unlink(join(dir, f.name).c_str());
    }
    appender_ = std::make_unique<AofAppender>(fd, parse_aof_fsync(server_.config.appendfsync), 0);
    stats_.aof_base_size = file_size(join(dir, name));
    incr_bytes_before_current_ = 0;
    stats_.aof_current_size = stats_.aof_base_size;
    server_.config.appendonly = true;
    return true;
}

void Persistence::stop_aof() {
    if (aof_rewrite_running()) {
        kill_child();
    }
    appender_.reset();
    server_.config.appendonly = false;
}

}  // namespace vigil::server
