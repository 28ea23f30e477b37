#include "common/config/config_lexer.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/config/directive_table.hpp"
#include "common/resp/request_parser.hpp"
#include <glob.h>

namespace vigil::common::config {
namespace {

constexpr int kMaxIncludeDepth = 16;

bool has_glob_chars(std::string_view s) {
    return s.find_first_of("*?[") != std::string_view::npos;
}

void lex_into(std::string_view text,
              const std::string& source,
              const IncludeReader& includes,
              int depth,
              std::vector<ConfigLine>& out) {
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view raw = text.substr(pos, end - pos);
        ++line_no;
        pos = end + 1;
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        ConfigLine cl;
        cl.source = source;
        cl.line = line_no;
        cl.text = std::string(line);
        if (!common::split_args(line, cl.args)) {
            throw ConfigError(source, line_no, cl.text, "Unbalanced quotes in configuration line");
        }
        if (cl.args.empty()) {
            continue;
        }
        std::string& name = cl.args[0];
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (name == "include" && cl.args.size() == 2) {
            if (depth >= kMaxIncludeDepth) {
                throw ConfigError(source, line_no, cl.text, "Too many nested includes");
            }
            for (const std::string& path : includes.expand(cl.args[1])) {
                std::string content;
                std::string error;
                if (!includes.read(path, content, error)) {
                    throw ConfigError::cannot_open(path, error);
                }
                lex_into(content, path, includes, depth + 1, out);
            }
            continue;
        }
        out.push_back(std::move(cl));
    }
}

}  // namespace

ConfigError::ConfigError(
    Kind kind, std::string source, int line, std::string text, std::string reason)
    : std::runtime_error(kind == Kind::cannot_open
                             ? "Fatal error, can't open config file '" + source + "': " + reason
                             : source + ":" + std::to_string(line) + ": '" + text + "': " + reason),
      kind_(kind),
      source_(std::move(source)),
      line_(line),
      text_(std::move(text)),
      reason_(std::move(reason)) {}

ConfigError::ConfigError(std::string source, int line, std::string text, std::string reason)
    : ConfigError(Kind::bad_line, std::move(source), line, std::move(text), std::move(reason)) {}

ConfigError ConfigError::cannot_open(std::string path, std::string reason) {
    return ConfigError(Kind::cannot_open, std::move(path), 0, {}, std::move(reason));
}

std::string ConfigError::fatal_report(std::string_view redis_version) const {
    if (kind_ == Kind::cannot_open) {
        return std::string(what()) + "\n";
    }
    std::string s = "\n*** FATAL CONFIG FILE ERROR (Redis ";
    s += redis_version;
    s += ") ***\n";
    s += "Reading the configuration file, at line " + std::to_string(line_) + "\n";
    s += ">>> '" + text_ + "'\n";
    s += reason_ + "\n";
    s += "(in " + source_ + ", line " + std::to_string(line_) + ")\n";
    return s;
}

bool read_text_file(const std::string& path, std::string& out, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = std::strerror(errno);
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        error = std::strerror(errno);
        return false;
    }
    out = std::move(ss).str();
    return true;
}

IncludeReader IncludeReader::files() {
    IncludeReader r;
    r.expand = [](const std::string& pattern) {
        std::vector<std::string> paths;
        if (!has_glob_chars(pattern)) {
            paths.push_back(pattern);
            return paths;
        }
        glob_t g{};
        if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
            for (std::size_t i = 0; i < g.gl_pathc; ++i) {
                paths.emplace_back(g.gl_pathv[i]);
            }
        }
        ::globfree(&g);
        std::sort(paths.begin(), paths.end());
        return paths;
    };
    r.read = read_text_file;
    return r;
}

std::vector<ConfigLine> lex_config(std::string_view text,
                                   const std::string& source,
                                   const IncludeReader& includes) {
    std::vector<ConfigLine> out;
    lex_into(text, source, includes, 0, out);
    return out;
}

bool split_config_line(std::string_view line, std::vector<std::string>& args) {
    args.clear();
    line = trim(line);
    if (line.empty() || line.front() == '#') {
        return true;
    }
    return common::split_args(line, args);
}

std::string quote_arg(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\a':
                out += "\\a";
                break;
            case '\b':
                out += "\\b";
                break;
            default:
                if (std::isprint(c) != 0) {
                    out += ch;
                } else {
                    out += "\\x";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xf];
                }
        }
    }
    out += '"';
    return out;
}

std::string_view trim(std::string_view s) {
    constexpr std::string_view kSpace = " \t\r\n";
    std::size_t b = s.find_first_not_of(kSpace);
    if (b == std::string_view::npos) {
        return {};
    }
    std::size_t e = s.find_last_not_of(kSpace);
    return s.substr(b, e - b + 1);
}

namespace {

bool starts_with_dashes(std::string_view s) {
    return s.size() >= 2 && s[0] == '-' && s[1] == '-';
}

}  // namespace

std::string command_line_options(const std::vector<std::string>& args) {
    std::string out;
    // After a bare `--name` the next argument is its value even when it starts with "--",
    // except that `--save` followed by an option (or nothing) is an empty save, and a bare
    // `--sentinel` (the mode switch) takes no value.
    bool value_expected = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (!value_expected && starts_with_dashes(a)) {
            if (!out.empty()) {
                out += '\n';
            }
            std::string_view name = std::string_view(a).substr(2);
            out += name;
            out += ' ';
            std::vector<std::string> parts;
            split_config_line(name, parts);
            if (parts.size() <= 1) {
                value_expected = true;
                const std::string lower = to_lower_ascii(a);
                const bool next_is_option = i + 1 < args.size() && starts_with_dashes(args[i + 1]);
                if (lower == "--save" && (i + 1 == args.size() || next_is_option)) {
                    out += "\"\"";
                    value_expected = false;
                } else if (lower == "--sentinel" && (i + 1 == args.size() || next_is_option)) {
                    value_expected = false;
                }
            } else {
                value_expected = false;  // "--port 26380" as one argument
            }
        } else {
            out += quote_arg(a);
            out += ' ';
            value_expected = false;
        }
    }
    return out;
}

}  // namespace vigil::common::config
