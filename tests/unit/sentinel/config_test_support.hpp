#pragma once
// Helpers of the sentinel.conf tests: a temporary directory, and everything loaded from one file
// with the file system switched off (`dir` is recorded, not entered; scripts under /ok/ count as
// executable).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sentinel/core/config.hpp"
#include "sentinel/io/config_file.hpp"
#include <unistd.h>

namespace vigil::sentinel::config_testing {

using common::config::ConfigError;

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "vigil-sconf-XXXXXX").string();
        path_ = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name, const std::string& content) const {
        std::string p = path_ + "/" + name;
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Scripts under /ok/ are executable.
inline bool fake_executable(const std::string& path) {
    return path.rfind("/ok/", 0) == 0;
}

// Everything loaded from one file. Not movable: the table points into cfg.
struct Loaded {
    SentinelProcessConfig cfg;
    SentinelGlobals g;
    std::map<std::string, Master> masters;
    Timers timers;
    common::Acl acl;
    common::config::DirectiveTable table;

    explicit Loaded(const std::string& dir) {
        cfg.dir = dir;  // what the rewrite writes as `dir` unless the file sets it
        table = build_sentinel_directive_table(cfg, options());
    }
    static SentinelTableOptions options() {
        SentinelTableOptions o;
        o.change_directory = false;
        o.open_logfile = false;
        return o;
    }
    std::string rewrite(std::string_view old_text, RewriteHooks hooks = {}) const {
        std::vector<std::string> users = acl_rewrite_lines(acl, cfg);
        return sentinel_config_text(old_text,
                                    SentinelRewriteState{table, users, g, masters, timers, hooks});
    }
};

inline std::unique_ptr<Loaded> load(const std::string& text,
                                    const std::vector<std::string>& options = {},
                                    const std::string& dir = "/tmp/rsx/a") {
    TempDir tmp;
    std::string path = tmp.file("sentinel.conf", text);
    auto l = std::make_unique<Loaded>(dir);
    load_sentinel_config(path, options, l->cfg, l->g, l->masters, l->timers, fake_executable,
                         Loaded::options());
    auto accept_all = [](std::string_view, bool) {
        return true;
    };
    if (auto err = load_acl_users(l->cfg, l->acl, accept_all)) {
        throw std::runtime_error(*err);
    }
    return l;
}

// "line: reason" of the error loading `text`, or "ok".
inline std::string load_error(const std::string& text,
                              const std::vector<std::string>& options = {}) {
    try {
        load(text, options);
    } catch (const ConfigError& e) {
        return e.source().substr(e.source().rfind('/') + 1) + ":" + std::to_string(e.line()) +
               ": " + e.reason();
    }
    return "ok";
}

}  // namespace vigil::sentinel::config_testing
