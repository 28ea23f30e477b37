#include "server/persistence/persistence.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/log/log.hpp"
#include "common/util/memory.hpp"
#include "server/persistence/rdb_loader.hpp"
#include "server/persistence/rdb_writer.hpp"
#include "server/server.hpp"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vigil::server {
namespace {

constexpr std::int64_t kBgsaveRetryDelayMs = 5000;  // after a failed BGSAVE (Redis's value)

// In a forked child: closes the listening and client sockets it inherited, so that clients
// see their connections close when the parent closes them, and a restarted server can bind its
// port while a save is still running. Files (the log) stay open.
void close_inherited_sockets() {
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) {
        return;
    }
    std::vector<int> sockets;
    while (dirent* e = ::readdir(dir)) {
        int fd = std::atoi(e->d_name);
        struct stat st {};
        if (fd > 2 && fd != ::dirfd(dir) && ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
            sockets.push_back(fd);
        }
    }
    ::closedir(dir);
    for (int fd : sockets) {
        ::close(fd);
    }
}

std::string join_path(const std::string& dir, std::string_view name) {
    if (dir.empty() || dir == ".") {
        return std::string(name);
    }
    std::string p = dir;
    if (p.back() != '/') {
        p.push_back('/');
    }
    p.append(name);
    return p;
}

std::int64_t steady_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Persistence::Persistence(Server& server) : server_(server) {
    // Writes reach the AOF through the propagation sinks (SELECT is added when the db changes).
    server_.propagation_sinks.push_back([this](int db, std::span<const std::string_view> args) {
        if (appender_) {
            appender_->append(db, args);
        }
    });
    server_.save_on_shutdown = [this] {
        return prepare_shutdown(true);
    };
    server_.debug_reload = [this] {
        std::string error;
        if (!debug_reload(error)) {
            spdlog::warn("DEBUG RELOAD failed: {}", error);
            return false;
        }
        return true;
    };
}

Persistence::~Persistence() {
    kill_child();
    appender_.reset();  // writes, fsyncs and closes the AOF
}

std::int64_t Persistence::now_ms() const {
    return server_.clock ? server_.clock() : unix_time_ms();
}

std::string Persistence::rdb_path() const {
    return join_path(server_.config.dir, server_.config.dbfilename);
}

std::string Persistence::aof_dir_path() const {
    return join_path(server_.config.dir, server_.config.appenddirname);
}

std::string Persistence::write_denied_error() const {
    if (server_.is_replica()) {
        return {};
    }
    if (server_.config.stop_writes_on_bgsave_error && !server_.config.save_params.empty() &&
        !server_.last_bgsave_ok) {
        return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
               "persist to disk. Commands that may modify the data set are disabled, because "
               "this instance is configured to report errors during writes if RDB snapshotting "
               "fails (stop-writes-on-bgsave-error option). Please check the Redis logs for "
               "details about the RDB error.";
    }
    if (appender_ && !appender_->write_ok()) {
        return "MISCONF Errors writing to the AOF file: " + appender_->last_error();
    }
    return {};
}

// ---- RDB files ----

bool Persistence::write_rdb_file(const std::string& tmp_path,
                                 const std::string& final_path,
                                 bool aof_base,
                                 std::string& error) {
    int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error =
            "Failed opening the temp RDB file " + tmp_path + " for saving: " + std::strerror(errno);
        return false;
    }
    RdbSaveOptions opts;
    opts.compression = server_.config.rdbcompression;
    opts.checksum = server_.config.rdbchecksum;
    opts.now_ms = now_ms();
    opts.used_mem = common::used_memory();
    opts.aof_base = aof_base;
    if (server_.replication) {
        server_.replication->fill_save_info(opts);
    }
    FdRdbOutput out(fd);
    bool ok = write_rdb(server_.keyspace, out, opts);
    if (ok && ::fsync(fd) != 0) {
        ok = false;
    }
    if (!ok) {
        error = std::string("Write error saving DB on disk: ") + std::strerror(errno);
    }
    ::close(fd);
    if (!ok) {
        ::unlink(tmp_path.c_str());
        return false;
    }
    if (!final_path.empty() && ::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
        error = "Error moving temp DB file " + tmp_path + " on the final destination " +
                final_path + ": " + std::strerror(errno);
        ::unlink(tmp_path.c_str());
        return false;
    }
    return true;
}

bool Persistence::swap_in(Keyspace& loaded) {
    for (int i = 0; i < server_.keyspace.db_count(); ++i) {
        server_.keyspace.db(i).swap(loaded.db(i));
    }
    server_.touch_all_keys(-1);
    return true;
}

bool Persistence::load_rdb_file(const std::string& path, bool& missing, std::string& error) {
    missing = false;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            missing = true;
            return true;
        }
        error = "Fatal error loading the DB: " + std::string(std::strerror(errno)) + ". Exiting.";
        return false;
    }
    const std::int64_t started = steady_ms();
    Keyspace loaded(server_.config.databases);
    FdRdbInput in(fd);
    RdbLoadOptions opts;
    opts.now_ms = now_ms();
    opts.skip_expired = !server_.is_replica();
    RdbLoadResult res = load_rdb(in, loaded, opts);
    ::close(fd);
    if (!res.ok) {
        spdlog::warn("Short read or OOM loading DB. Unrecoverable error, aborting now.");
        error = "Error loading " + path + ": " + res.error;
        return false;
    }
    loaded_aux_ = res.aux;
    for (const auto& [k, v] : res.aux) {
        if (k == "redis-ver") {
            spdlog::info("Loading RDB produced by version {}", v);
        } else if (k == "ctime") {
            spdlog::info("RDB age {} seconds", now_ms() / 1000 - std::atoll(v.c_str()));
        } else if (k == "used-mem") {
            spdlog::info("RDB memory usage when created {:.2f} Mb",
                         static_cast<double>(std::atoll(v.c_str())) / (1024.0 * 1024.0));
        }
    }
    if (res.functions_skipped > 0) {
        spdlog::warn("Skipped {} function libraries in the RDB file (functions are not supported)",
                     res.functions_skipped);
    }
    swap_in(loaded);
    stats_.rdb_last_load_keys_loaded = res.keys_loaded;
    stats_.rdb_last_load_keys_expired = res.keys_expired;
    spdlog::info("Done loading RDB, keys loaded: {}, keys expired: {}.", res.keys_loaded,
                 res.keys_expired);
    spdlog::info("DB loaded from disk: {:.3f} seconds",
                 static_cast<double>(steady_ms() - started) / 1000.0);
    return true;
}

bool Persistence::load(std::string& error) {
    if (server_.config.appendonly) {
        AofLoad r = load_aof(error);
        if (r == AofLoad::failed) {
            return false;
        }
        if (!open_aof_for_append(error)) {
            return false;
        }
    } else {
        bool missing = false;
        if (!load_rdb_file(rdb_path(), missing, error)) {
            return false;
        }
    }
    server_.stats.dirty = 0;
    loaded_ = true;
    return true;
}

bool Persistence::save(std::string& error) {
    if (child_pid_ > 0 && child_kind_ == ChildKind::rdb) {
        error = "ERR Background save already in progress";
        return false;
    }
    const std::string tmp =
        join_path(server_.config.dir, "temp-" + std::to_string(::getpid()) + ".rdb");
    if (!write_rdb_file(tmp, rdb_path(), false, error)) {
        spdlog::warn("{}", error);
        return false;
    }
    spdlog::info("DB saved on disk");
    server_.stats.dirty = 0;
    server_.stats.lastsave_s = now_ms() / 1000;
    server_.last_bgsave_ok = true;
    ++stats_.rdb_saves;
    return true;
}

bool Persistence::debug_reload(std::string& error) {
    if (!save(error)) {
        return false;
    }
    bool missing = false;
    if (!load_rdb_file(rdb_path(), missing, error) || missing) {
        if (missing) {
            error = "the saved RDB file disappeared";
        }
        return false;
    }
    return true;
}

bool Persistence::prepare_shutdown(bool save_rdb) {
    if (child_pid_ > 0) {
        spdlog::warn(child_kind_ == ChildKind::rdb
                         ? "There is a child saving an .rdb. Killing it!"
                         : "There is a child rewriting the AOF. Killing it!");
        kill_child();
    }
    if (appender_) {
        spdlog::info("Calling fsync() on the AOF file.");
        appender_->sync();
    }
    if (!save_rdb) {
        return true;
    }
    spdlog::info("Saving the final RDB snapshot before exiting.");
    std::string error;
    if (!save(error)) {
        spdlog::warn("Error trying to save the DB, can't exit.");
        return false;
    }
    return true;
}

// ---- children ----

bool Persistence::fork_child(ChildKind kind, const std::function<bool()>& work) {
    pid_t pid = ::fork();
    if (pid < 0) {
        spdlog::warn("Can't fork a background child: {}", std::strerror(errno));
        return false;
    }
    if (pid == 0) {
        // Child: write the file and leave without running any destructor or atexit handler.
        common::log::set_role('C');
        close_inherited_sockets();
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGUSR1, SIG_DFL);
        bool ok = false;
        try {
            ok = work();
        } catch (...) {
            ok = false;
        }
        ::_exit(ok ? 0 : 1);
    }
    child_pid_ = pid;
    child_kind_ = kind;
    return true;
}

void Persistence::kill_child() {
    if (child_pid_ <= 0) {
        return;
    }
    ::kill(child_pid_, SIGUSR1);
    int status = 0;
    while (::waitpid(child_pid_, &status, 0) < 0 && errno == EINTR) {
    }
    const std::string tmp =
        child_kind_ == ChildKind::rdb
            ? join_path(server_.config.dir, "temp-" + std::to_string(child_pid_) + ".rdb")
            : join_path(server_.config.dir,
                        "temp-rewriteaof-bg-" + std::to_string(child_pid_) + ".aof");
    ::unlink(tmp.c_str());
    if (child_kind_ == ChildKind::rdb) {
        server_.bgsave_in_progress = false;
        stats_.rdb_bgsave_start_ms = -1;
    } else {
        stats_.aof_rewrite_start_ms = -1;
    }
    child_pid_ = -1;
    child_kind_ = ChildKind::none;
}

Persistence::Start Persistence::bgsave(bool schedule) {
    if (child_pid_ > 0 && child_kind_ == ChildKind::rdb) {
        return Start::already_running;
    }
    if (child_pid_ > 0) {
        if (schedule) {
            bgsave_scheduled_ = true;
            return Start::scheduled;
        }
        return Start::other_child;
    }
    dirty_before_bgsave_ = server_.stats.dirty;
    last_bgsave_try_ms_ = now_ms();
    const std::string dir = server_.config.dir;
    const std::string final_path = rdb_path();
    bool forked = fork_child(ChildKind::rdb, [this, dir, final_path] {
        const std::string tmp = join_path(dir, "temp-" + std::to_string(::getpid()) + ".rdb");
        std::string error;
        if (!write_rdb_file(tmp, final_path, false, error)) {
            spdlog::warn("{}", error);
            return false;
        }
        spdlog::info("DB saved on disk");
        return true;
    });
    if (!forked) {
        server_.last_bgsave_ok = false;
        return Start::failed;
    }
    bgsave_scheduled_ = false;
    server_.bgsave_in_progress = true;
    stats_.rdb_bgsave_start_ms = now_ms();
    spdlog::info("Background saving started by pid {}", child_pid_);
    return Start::started;
}

void Persistence::reap_child() {
    if (child_pid_ <= 0) {
        return;
    }
    int status = 0;
    pid_t r = ::waitpid(child_pid_, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) {
        return;
    }
    if (r < 0) {
        child_done(false, false, 0);
        return;
    }
    if (WIFSIGNALED(status)) {
        child_done(false, true, WTERMSIG(status));
    } else {
        child_done(WIFEXITED(status) && WEXITSTATUS(status) == 0, false, 0);
    }
}

void Persistence::child_done(bool ok, bool by_signal, int sig) {
    const pid_t pid = child_pid_;
    const ChildKind kind = child_kind_;
    child_pid_ = -1;
    child_kind_ = ChildKind::none;
    const bool for_replication = child_for_replication_;
    child_for_replication_ = false;
    if (for_replication && snapshot_pipe_) {
        // A diskless snapshot: no file, no save bookkeeping.
        snapshot_pipe_ = false;
        server_.bgsave_in_progress = false;
        stats_.rdb_bgsave_start_ms = -1;
        if (by_signal) {
            spdlog::warn("Background RDB transfer terminated by signal {}", sig);
        } else {
            spdlog::info("Background RDB transfer terminated with {}", ok ? "success" : "error");
        }
        if (on_replication_child_done) {
            on_replication_child_done(ok);
        }
        return;
    }
    if (kind == ChildKind::rdb) {
        server_.bgsave_in_progress = false;
        stats_.rdb_last_bgsave_time_sec = (now_ms() - stats_.rdb_bgsave_start_ms) / 1000;
        stats_.rdb_bgsave_start_ms = -1;
        if (ok) {
            spdlog::info("Background saving terminated with success");
            server_.stats.dirty -= std::min(server_.stats.dirty, dirty_before_bgsave_);
            server_.stats.lastsave_s = now_ms() / 1000;
            server_.last_bgsave_ok = true;
            ++stats_.rdb_saves;
        } else if (by_signal) {
            spdlog::warn("Background saving terminated by signal {}", sig);
            ::unlink(join_path(server_.config.dir, "temp-" + std::to_string(pid) + ".rdb").c_str());
            // SIGUSR1 is how we stop a child on purpose: not an error.
            if (sig != SIGUSR1) {
                server_.last_bgsave_ok = false;
            }
        } else {
            spdlog::warn("Background saving error");
            server_.last_bgsave_ok = false;
        }
    } else if (kind == ChildKind::aof_rewrite) {
        if (by_signal) {
            spdlog::warn("Background AOF rewrite terminated by signal {}", sig);
            ::unlink(
                join_path(server_.config.dir, "temp-rewriteaof-bg-" + std::to_string(pid) + ".aof")
                    .c_str());
            rewrite_done(false, pid);
        } else {
            if (!ok) {
                spdlog::warn("Background AOF rewrite terminated with error");
            } else {
                spdlog::info("Background AOF rewrite terminated with success");
            }
            rewrite_done(ok, pid);
        }
    }
    if (for_replication && on_replication_child_done) {
        on_replication_child_done(
            ok);  // a disk snapshot for replicas: after the save's bookkeeping
    }
}

bool Persistence::bgsave_for_replication(int pipe_fd, int pipe_read_fd) {
    if (child_pid_ > 0) {
        return false;
    }
    if (pipe_fd < 0) {
        if (bgsave(false) != Start::started) {
            return false;
        }
        child_for_replication_ = true;
        snapshot_pipe_ = false;
        return true;
    }
    bool forked = fork_child(ChildKind::rdb, [this, pipe_fd, pipe_read_fd] {
        if (pipe_read_fd >= 0) {
            ::close(pipe_read_fd);  // a reader gone away must give us EPIPE
        }
        RdbSaveOptions opts;
        opts.compression = server_.config.rdbcompression;
        opts.checksum = server_.config.rdbchecksum;
        opts.now_ms = now_ms();
        opts.used_mem = common::used_memory();
        server_.replication->fill_save_info(opts);
        FdRdbOutput out(pipe_fd);
        bool ok = write_rdb(server_.keyspace, out, opts);
        ::close(pipe_fd);
        return ok;
    });
    if (!forked) {
        return false;
    }
    child_for_replication_ = true;
    snapshot_pipe_ = true;
    server_.bgsave_in_progress = true;
    stats_.rdb_bgsave_start_ms = now_ms();
    spdlog::info("Background RDB transfer started by pid {}", child_pid_);
    return true;
}

void Persistence::abort_child() {
    if (child_pid_ <= 0) {
        return;
    }
    const bool for_replication = child_for_replication_;
    kill_child();
    if (for_replication) {
        child_for_replication_ = false;
        snapshot_pipe_ = false;
        if (on_replication_child_done) {
            on_replication_child_done(false);
        }
    }
}

void Persistence::wait_child() {
    if (child_pid_ <= 0) {
        return;
    }
    int status = 0;
    pid_t r = -1;
    while ((r = ::waitpid(child_pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r < 0) {
        child_done(false, false, 0);
    } else if (WIFSIGNALED(status)) {
        child_done(false, true, WTERMSIG(status));
    } else {
        child_done(WIFEXITED(status) && WEXITSTATUS(status) == 0, false, 0);
    }
}

bool Persistence::load_replica_rdb(const std::string& path,
                                   std::vector<std::pair<std::string, std::string>>& aux,
                                   std::string& error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = std::string("can't open the received snapshot: ") + std::strerror(errno);
        return false;
    }
    auto loaded = std::make_unique<Keyspace>(server_.config.databases);
    FdRdbInput in(fd);
    RdbLoadOptions opts;
    opts.now_ms = now_ms();
    opts.skip_expired = false;  // a replica keeps them: the master's DEL removes them
    RdbLoadResult res = load_rdb(in, *loaded, opts);
    ::close(fd);
    if (!res.ok) {
        error = res.error;
        return false;
    }
    swap_in(*loaded);
    aux = std::move(res.aux);
    stats_.rdb_last_load_keys_loaded = res.keys_loaded;
    stats_.rdb_last_load_keys_expired = res.keys_expired;
    spdlog::info("Done loading RDB, keys loaded: {}, keys expired: {}.", res.keys_loaded,
                 res.keys_expired);
    return true;
}

void Persistence::schedule_work(std::int64_t now) {
    if (child_pid_ > 0) {
        return;
    }
    if (stats_.aof_rewrite_scheduled) {
        bgrewriteaof();
        return;
    }
    if (bgsave_scheduled_) {
        bgsave(false);
        return;
    }
    // save <seconds> <changes>
    for (const auto& [seconds, changes] : server_.config.save_params) {
        if (server_.stats.dirty >= static_cast<std::uint64_t>(changes) &&
            now / 1000 - server_.stats.lastsave_s > seconds &&
            (now - last_bgsave_try_ms_ > kBgsaveRetryDelayMs || server_.last_bgsave_ok)) {
            spdlog::info("{} changes in {} seconds. Saving...", changes, seconds);
            bgsave(false);
            return;
        }
    }
    // Automatic AOF rewrite (auto-aof-rewrite-percentage, auto-aof-rewrite-min-size).
    const auto& cfg = server_.config;
    if (appender_ && cfg.auto_aof_rewrite_percentage > 0 &&
        stats_.aof_current_size > cfg.auto_aof_rewrite_min_size) {
        std::uint64_t base = std::max<std::uint64_t>(stats_.aof_base_size, 1);
        auto pct = static_cast<std::uint64_t>(cfg.auto_aof_rewrite_percentage);
        if ((stats_.aof_current_size - std::min(stats_.aof_current_size, base)) * 100 / base >=
            pct) {
            spdlog::info("Starting automatic rewriting of AOF on {}% growth",
                         (stats_.aof_current_size - base) * 100 / base);
            bgrewriteaof();
        }
    }
}

void Persistence::cron(std::int64_t now) {
    reap_child();
    // CONFIG SET appendonly / appendfsync take effect here.
    if (server_.config.appendonly && !appender_ && loaded_) {
        std::string error;
        if (!start_aof(error)) {
            spdlog::warn("Redis needs to enable the AOF but can't: {}", error);
            server_.config.appendonly = false;
        } else {
            spdlog::info("AOF enabled (base written synchronously)");
        }
    } else if (!server_.config.appendonly && appender_) {
        stop_aof();
    }
    if (appender_) {
        appender_->set_policy(parse_aof_fsync(server_.config.appendfsync));
    }
    if (appender_) {
        appender_->cron(now);
        stats_.aof_current_size =
            stats_.aof_base_size + incr_bytes_before_current_ + appender_->size();
    }
    schedule_work(now);
}

}  // namespace vigil::server
