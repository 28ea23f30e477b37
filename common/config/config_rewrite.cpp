#include "common/config/config_rewrite.hpp"

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vigil::common::config {
namespace {

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view l = text.substr(pos, end - pos);
        if (!l.empty() && l.back() == '\r') {
            l.remove_suffix(1);
        }
        lines.emplace_back(l);
        pos = end + 1;
    }
    return lines;
}

bool rewritable(const Directive& d) {
    return (d.flags & (kFileOnly | kNoRewrite)) == 0;
}

std::string dir_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string rewrite_config_text(std::string_view old_text, const DirectiveTable& table) {
    std::vector<std::string> lines = split_lines(old_text);
    std::map<std::string, std::vector<std::size_t>> slots;  // directive name -> its old lines
    bool has_signature = false;
    std::vector<std::string> args;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view t = trim(lines[i]);
        if (t.empty() || t.front() == '#') {
            has_signature = has_signature || t == kRewriteSignature;
            continue;
        }
        if (!split_config_line(t, args) || args.empty()) {
            continue;
        }
        const Directive* d = table.find(args[0]);
        if (d != nullptr && rewritable(*d)) {
            slots[d->name].push_back(i);
        }
    }
    std::vector<std::string> appended;
    for (const Directive& d : table.directives()) {
        if (!rewritable(d)) {
            continue;
        }
        auto it = slots.find(d.name);
        const std::vector<std::size_t> none;
        const std::vector<std::size_t>& old = it == slots.end() ? none : it->second;
        // A directive already in the file keeps being written; others only when not default.
        bool force = !old.empty() || !table.is_default(d);
        std::vector<std::string> values = table.rewrite_args(d);
        std::size_t k = 0;
        for (; k < values.size(); ++k) {
            std::string line = d.name + " " + values[k];
            if (k < old.size()) {
                lines[old[k]] = std::move(line);
            } else if (force) {
                appended.push_back(std::move(line));
            }
        }
        for (; k < old.size(); ++k) {
            lines[old[k]].clear();  // as Redis does: an orphaned line becomes a blank one
        }
    }
    if (!appended.empty()) {
        if (!has_signature) {
            if (!lines.empty() && !trim(lines.back()).empty()) {
                lines.emplace_back();
            }
            lines.emplace_back(kRewriteSignature);
        }
        for (auto& l : appended) {
            lines.push_back(std::move(l));
        }
    }
    std::string out;
    for (const auto& l : lines) {
        out += l;
        out += '\n';
    }
    return out;
}

std::string write_file_atomically(const std::string& path, std::string_view content) {
    struct stat st {};
    mode_t mode = 0;
    if (::stat(path.c_str(), &st) == 0) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = ::umask(0);
        ::umask(mask);
        mode = 0644 & ~mask;
    }
    std::string tmpl = path + ".tmp-XXXXXX";
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) {
        return std::strerror(errno);
    }
    auto fail = [&](int err) {
        ::close(fd);
        ::unlink(tmpl.c_str());
        return std::string(std::strerror(err));
    };
    std::size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(errno);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
        return fail(errno);
    }
    if (::close(fd) != 0) {
        int err = errno;
        ::unlink(tmpl.c_str());
        return std::strerror(err);
    }
    if (::rename(tmpl.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmpl.c_str());
        return std::strerror(err);
    }
    int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

// ---- RedisRewrite ----

RedisRewrite::RedisRewrite(std::string_view old_text, const KeyOf& key_of) {
    std::vector<std::string> args;
    std::size_t pos = 0;
    // Like sdssplitlen: no piece for an empty text; a trailing '\n' leaves an empty last piece.
    while (!old_text.empty() && pos <= old_text.size()) {
        std::size_t end = old_text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = old_text.size();
        }
        std::string line(trim(old_text.substr(pos, end - pos)));
        pos = end + 1;
        if (line.empty() || line.front() == '#') {
            if (line == kRewriteSignature) {
                needs_signature_ = false;
            }
            lines_.push_back(std::move(line));
            continue;
        }
        std::optional<std::string> key;
        if (split_config_line(line, args) && !args.empty()) {
            args[0] = to_lower_ascii(args[0]);
            key = key_of(args);
        }
        if (!key) {
            lines_.push_back("# ??? " + line);
            continue;
        }
        old_[to_lower_ascii(*key)].push_back(lines_.size());
        lines_.push_back(std::move(line));
    }
}

void RedisRewrite::rewrite_line(std::string_view key, std::string line, bool force) {
    std::string k = to_lower_ascii(key);
    processed_.insert(k);
    pending_.push_back(Pending{std::move(k), std::move(line), force});
}

void RedisRewrite::mark_processed(std::string_view key) {
    processed_.insert(to_lower_ascii(key));
}

void RedisRewrite::rewrite_table(const DirectiveTable& table) {
    for (const Directive& d : table.directives()) {
        if (!rewritable(d)) {
            continue;
        }
        const bool force = !table.is_default(d);
        std::vector<std::string> values = table.rewrite_args(d);
        if (values.empty()) {
            mark_processed(d.name);
        }
        for (auto& v : values) {
            rewrite_line(d.name, d.name + " " + v, force);
        }
    }
}

std::string RedisRewrite::text() const {
    std::vector<std::string> lines = lines_;
    std::vector<bool> used(lines.size(), false);
    // The place of each pending line: an old line index, or npos (append or drop).
    constexpr std::size_t kNone = std::string::npos;
    std::vector<std::size_t> place(pending_.size(), kNone);
    if (keep_equal_lines) {
        std::map<std::string, std::size_t> count;
        for (const auto& p : pending_) {
            ++count[p.key];
        }
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            const Pending& p = pending_[i];
            auto it = old_.find(p.key);
            if (count[p.key] < 2 || it == old_.end()) {
                continue;
            }
            for (std::size_t l : it->second) {
                if (!used[l] && lines[l] == p.line) {
                    used[l] = true;
                    place[i] = l;
                    break;
                }
            }
        }
    }
    bool needs_signature = needs_signature_;
    std::vector<std::string> appended;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        const Pending& p = pending_[i];
        if (place[i] == kNone) {
            auto it = old_.find(p.key);
            if (it != old_.end()) {
                for (std::size_t l : it->second) {
                    if (!used[l]) {
                        used[l] = true;
                        place[i] = l;
                        break;
                    }
                }
            }
        }
        if (place[i] != kNone) {
            lines[place[i]] = p.line;
        } else if (p.force) {
            if (needs_signature) {
                lines.emplace_back(kRewriteSignature);
                needs_signature = false;
            }
            lines.push_back(p.line);
        }
    }
    std::vector<bool> orphan(lines.size(), false);
    for (const auto& [key, old] : old_) {
        if (processed_.count(key) != 0) {
            for (std::size_t l : old) {
                orphan[l] = !used[l];
            }
        }
    }
    std::string out;
    bool was_empty = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const bool empty = orphan[i] || lines[i].empty();
        if (empty && was_empty) {
            continue;
        }
        was_empty = empty;
        if (!empty) {
            out += lines[i];
        }
        out += '\n';
    }
    return out;
}

RedisRewrite::KeyOf RedisRewrite::table_keys(const DirectiveTable& table,
                                             std::set<std::string> extra) {
    return [&table, extra = std::move(extra)](
               const std::vector<std::string>& args) -> std::optional<std::string> {
        if (const Directive* d = table.find(args[0])) {
            return to_lower_ascii(d->name);
        }
        if (extra.count(args[0]) != 0) {
            return args[0];
        }
        return std::nullopt;
    };
}

std::string rewrite_config_file(const std::string& path, const DirectiveTable& table) {
    std::string old;
    std::string error;
    struct stat st {};
    bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && !read_text_file(path, old, error)) {
        return error;
    }
    return write_file_atomically(path, rewrite_config_text(old, table));
}

}  // namespace vigil::common::config
