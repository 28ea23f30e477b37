#pragma once
// Persistence of one Server: RDB snapshots (SAVE, BGSAVE, the save schedule, load at start)
// and the append-only file. Owned by Server; the runtime calls load() once before listening.
//
// Background work runs in a fork()ed child that only writes a file and _exit()s; the parent
// reaps it from cron() with waitpid(WNOHANG). One child at a time, like Redis.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/persistence/aof.hpp"
#include <sys/types.h>

namespace vigil::server {

class Server;
class Keyspace;

// What INFO persistence reports.
struct PersistenceStats {
    std::uint64_t rdb_saves = 0;
    std::int64_t rdb_last_bgsave_time_sec = -1;
    std::int64_t rdb_bgsave_start_ms = -1;  // of the running BGSAVE
    std::uint64_t rdb_last_load_keys_loaded = 0;
    std::uint64_t rdb_last_load_keys_expired = 0;
    bool aof_rewrite_scheduled = false;
    std::int64_t aof_rewrite_start_ms = -1;  // of the running rewrite
    std::int64_t aof_last_rewrite_time_sec = -1;
    bool aof_last_bgrewrite_ok = true;
    std::uint64_t aof_rewrites = 0;
    std::uint64_t aof_rewrites_consecutive_failures = 0;
    std::uint64_t aof_current_size = 0;
    std::uint64_t aof_base_size = 0;
};

class Persistence {
public:
    explicit Persistence(Server& server);
    ~Persistence();
    Persistence(const Persistence&) = delete;
    Persistence& operator=(const Persistence&) = delete;

    // Loads the dataset at start-up (AOF when appendonly is on, else the RDB file).
    // Returns false with `error` set when the server must not start.
    bool load(std::string& error);
    // Periodic work: the save schedule, finished background saves, AOF fsync.
    void cron(std::int64_t now_ms);

    // SAVE: writes the RDB file synchronously.
    bool save(std::string& error);

    enum class Start { started, scheduled, already_running, other_child, failed };
    // BGSAVE [SCHEDULE].
    Start bgsave(bool schedule);
    // BGREWRITEAOF.
    Start bgrewriteaof();
    // A snapshot for replicas: into the RDB file (pipe_fd < 0, a BGSAVE), or written to
    // `pipe_fd` by the child (diskless). on_replication_child_done() gets the outcome.
    bool bgsave_for_replication(int pipe_fd, int pipe_read_fd = -1);
    std::function<void(bool ok)> on_replication_child_done;
    bool child_running() const { return child_pid_ > 0; }
    // Waits for the running child to exit and handles its end (the diskless pipe hit EOF).
    void wait_child();
    // Stops the running child (a replica about to load its master's snapshot); a replication
    // snapshot ends as failed.
    void abort_child();
    // Loads an RDB received from a master into a fresh keyspace and swaps it in only when it
    // loaded completely. The aux fields go to `aux`.
    bool load_replica_rdb(const std::string& path,
                          std::vector<std::pair<std::string, std::string>>& aux,
                          std::string& error);
    // The aux fields of the RDB file loaded at start-up (replication id and offset).
    const std::vector<std::pair<std::string, std::string>>& loaded_aux() const {
        return loaded_aux_;
    }
    bool rdb_child_running() const { return child_pid_ > 0 && child_kind_ == ChildKind::rdb; }
    bool aof_rewrite_running() const {
        return child_pid_ > 0 && child_kind_ == ChildKind::aof_rewrite;
    }

    // DEBUG RELOAD: save, then load the file back.
    bool debug_reload(std::string& error);
    // Before exit: stops a child, flushes the AOF, saves the RDB. False when the save failed.
    bool prepare_shutdown(bool save_rdb);

    // CONFIG SET appendonly yes|no at run time: start (with a rewrite, like Redis) or stop.
    bool start_aof(std::string& error);
    void stop_aof();
    bool aof_on() const { return appender_ != nullptr; }
    bool aof_write_ok() const { return !appender_ || appender_->write_ok(); }

    // The MISCONF error writes get when the last background save failed (empty: allowed).
    std::string write_denied_error() const;

    const PersistenceStats& stats() const { return stats_; }
    std::string rdb_path() const;
    std::string aof_dir_path() const;

private:
    enum class ChildKind { none, rdb, aof_rewrite };

    bool write_rdb_file(const std::string& tmp_path,
                        const std::string& final_path,
                        bool aof_base,
                        std::string& error);
    bool load_rdb_file(const std::string& path, bool& missing, std::string& error);
    bool swap_in(Keyspace& loaded);
    std::int64_t now_ms() const;

    // Forks a child that runs `work` and _exit()s with its result.
    bool fork_child(ChildKind kind, const std::function<bool()>& work);
    void reap_child();
    void child_done(bool ok, bool by_signal, int signal);
    void kill_child();

    // AOF
    enum class AofLoad { loaded, missing, failed };
    AofLoad load_aof(std::string& error);
    bool load_aof_file(const std::string& name, bool last, std::string& error);
    bool open_aof_for_append(std::string& error);
    bool open_new_incr(std::string& error);
    bool persist_manifest(std::string& error);
    bool rewrite_done(bool ok, pid_t pid);
    void schedule_work(std::int64_t now_ms);

    Server& server_;
    PersistenceStats stats_;
    // child
    pid_t child_pid_ = -1;
    ChildKind child_kind_ = ChildKind::none;
    std::uint64_t dirty_before_bgsave_ = 0;
    std::int64_t last_bgsave_try_ms_ = 0;
    bool bgsave_scheduled_ = false;
    bool loaded_ = false;
    bool child_for_replication_ = false;
    bool snapshot_pipe_ = false;  // the replication child writes into a pipe
    std::vector<std::pair<std::string, std::string>>
        loaded_aux_;  // load() ran: from then on cron follows CONFIG SET appendonly
    // AOF
    std::unique_ptr<AofAppender> appender_;
    AofManifest manifest_;
    std::int64_t rewrite_first_incr_seq_ = 0;  // incr files from this seq on survive a rewrite
    std::uint64_t incr_bytes_before_current_ = 0;
};

}  // namespace vigil::server
