#include "server/config_loader.hpp"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string_view>

#include "common/config/config_lexer.hpp"
#include "server/commands/command_table.hpp"
#include "server/config_table.hpp"
#include "server/version.hpp"

namespace vigil::server {
namespace {

using common::config::ConfigError;

constexpr std::string_view kUsage =
    "Usage: ./vigil-server [/path/to/redis.conf] [options] [-]\n"
    "       ./vigil-server - (read config from stdin)\n"
    "       ./vigil-server -v or --version\n"
    "       ./vigil-server -h or --help\n"
    "\n"
    "Examples:\n"
    "       ./vigil-server (run the server with default config)\n"
    "       ./vigil-server /etc/redis/6379.conf\n"
    "       ./vigil-server --port 7777\n"
    "       ./vigil-server --port 7777 --replicaof 127.0.0.1 8888\n"
    "       ./vigil-server /etc/myredis.conf --loglevel verbose -\n"
    "       ./vigil-server /etc/myredis.conf --loglevel verbose\n";

bool starts_with_dashes(std::string_view s) {
    return s.size() >= 2 && s[0] == '-' && s[1] == '-';
}

std::string absolute_path(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) != nullptr) {
        return buf;
    }
    return path;
}

int count_lines(std::string_view text) {
    int n = 0;
    for (char c : text) {
        n += c == '\n' ? 1 : 0;
    }
    if (!text.empty() && text.back() != '\n') {
        ++n;
    }
    return n;
}

}  // namespace

void apply_config_text(ServerSetup& setup,
                       const std::string& text,
                       const std::string& source,
                       int first_option_line) {
    CommandTable commands;
    ConfigTableOptions options;
    options.command_exists = [&commands](std::string_view name) {
        return commands.find(name) != nullptr;
    };
    auto table = make_config_table(setup.config, options);
    auto lines = common::config::lex_config(text, source);
    for (auto& l : lines) {
        if (first_option_line > 0 && l.source == source && l.line >= first_option_line) {
            l.source = "(command line)";
        }
    }
    table.apply_all(lines);
    for (const auto& name : table.ignored_seen()) {
        setup.ignored_directives.push_back(name);
    }
}

ServerSetup load_server_setup(int argc, char** argv) {
    ServerSetup s;
    s.executable = argc > 0 ? absolute_path(argv[0]) : "vigil-server";
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    if (!args.empty()) {
        const std::string& a = args[0];
        if (a == "-v" || a == "--version") {
            std::printf("Vigil server v=%s redis_compat=%s bits=%d\n", kVigilVersion,
                        kRedisCompatVersion, static_cast<int>(sizeof(void*) * 8));
            s.exit_code = 0;
            return s;
        }
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage.data(), stderr);
            s.exit_code = 0;
            return s;
        }
        if (a == "--test-memory") {
            std::fputs("--test-memory is not supported by vigil-server\n", stderr);
            s.exit_code = 1;
            return s;
        }
    }
    std::size_t first = 0;
    bool from_stdin = false;
    std::string text;
    if (!args.empty() && !starts_with_dashes(args[0]) && args[0] != "-") {
        std::string path = args[0];
        std::string error;
        if (!common::config::read_text_file(path, text, error)) {
            throw ConfigError::cannot_open(path, error);
        }
        s.config_file = absolute_path(path);
        first = 1;
    }
    std::vector<std::string> rest;
    for (std::size_t i = first; i < args.size(); ++i) {
        // "-" as the first or the last argument reads the configuration from stdin.
        if (args[i] == "-" && (i == 0 || i + 1 == args.size())) {
            from_stdin = true;
            continue;
        }
        rest.push_back(args[i]);
    }
    if (from_stdin) {
        text.append(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    }
    std::string options = command_line_options(rest);
    int first_option_line = 0;
    if (!options.empty()) {
        first_option_line = count_lines(text) + 1;
        // Redis appends the options after a newline; a file not ending in one keeps its last
        // line intact.
        text += '\n';
        first_option_line = count_lines(text) + 1;
        text += options;
        text += '\n';
    }
    apply_config_text(s, text, s.config_file.empty() ? "(command line)" : s.config_file,
                      first_option_line);
    return s;
}

}  // namespace vigil::server
