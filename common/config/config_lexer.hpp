#pragma once
// Redis-style configuration text: one directive per line, arguments split like redis.conf
// (double quotes with escapes, single quotes), '#' comments, blank lines, `include path`.
// Shared by vigil-server (redis.conf) and vigil-sentinel (sentinel.conf). No daemon types here.

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::common::config {

// One directive line, with where it came from (for error messages).
struct ConfigLine {
    std::string source;             // file path, "-" for stdin, "(command line)" for overrides
    int line = 0;                   // 1-based line number in the text of `source`
    std::string text;               // the line as written, without surrounding whitespace
    std::vector<std::string> args;  // args[0] is the directive name, lower-cased
};

// A configuration problem. Two kinds, printed as Redis prints them:
//  - a bad line: "*** FATAL CONFIG FILE ERROR ... at line N ... >>> 'text' ... reason" on stderr;
//  - a file that cannot be read: "Fatal error, can't open config file 'x': reason" in the log.
class ConfigError : public std::runtime_error {
public:
    enum class Kind { bad_line, cannot_open };

    ConfigError(std::string source, int line, std::string text, std::string reason);
    static ConfigError cannot_open(std::string path, std::string reason);

    Kind kind() const { return kind_; }
    const std::string& source() const { return source_; }
    int line() const { return line_; }
    const std::string& text() const { return text_; }
    const std::string& reason() const { return reason_; }

    // The block redis-server prints for a bad line (starts with an empty line), followed by one
    // more line naming the file, which Redis leaves out. `redis_version` is e.g. "7.0.15".
    std::string fatal_report(std::string_view redis_version) const;

private:
    ConfigError(Kind kind, std::string source, int line, std::string text, std::string reason);

    Kind kind_;
    std::string source_;
    int line_;
    std::string text_;
    std::string reason_;
};

// Reads a whole file; on failure returns false with `error` = strerror text.
bool read_text_file(const std::string& path, std::string& out, std::string& error);

// Resolves `include` arguments to file contents. The default reads files (paths relative to the
// current directory, like Redis; a pattern with * ? [ expands through glob(3), sorted).
struct IncludeReader {
    std::function<std::vector<std::string>(const std::string& pattern)> expand;
    std::function<bool(const std::string& path, std::string& out, std::string& error)> read;
    static IncludeReader files();
};

// Splits `text` into directive lines, expanding `include` lines in place (depth-limited).
// Throws ConfigError on unbalanced quotes or an unreadable include.
std::vector<ConfigLine> lex_config(std::string_view text,
                                   const std::string& source,
                                   const IncludeReader& includes = IncludeReader::files());

// Splits one line the way the lexer does; false on unbalanced quotes. Empty for comments.
bool split_config_line(std::string_view line, std::vector<std::string>& args);

// Quotes `s` as Redis's sdscatrepr does ("..." with \n \r \t \a \b \" \\ and \xHH escapes),
// so that split_config_line reads it back unchanged.
std::string quote_arg(std::string_view s);

// Trims spaces, tabs, CR and LF from both ends.
std::string_view trim(std::string_view s);

// The configuration text Redis makes of the arguments after the config file
// (`--port 6380 --save --bind a b` -> "port 6380 \nsave \"\"\nbind a b "): a bare `--name`
// takes the next argument as its value even when it starts with "--", except `--save` followed by
// an option (or nothing), an empty save, and a bare `--sentinel` (the mode switch), no value.
std::string command_line_options(const std::vector<std::string>& args);

}  // namespace vigil::common::config
