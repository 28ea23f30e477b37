#include "common/log/log.hpp"

#include <atomic>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <unistd.h>

namespace vigil::common::log {
namespace {

std::atomic<char> g_role{'M'};

// %* : Redis's level character.
class LevelChar final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg,
                const std::tm& /*tm*/,
                spdlog::memory_buf_t& dest) override {
        char c = '#';
        switch (msg.level) {
            case spdlog::level::trace:
                c = '.';
                break;
            case spdlog::level::debug:
                c = '-';
                break;
            case spdlog::level::info:
                c = '*';
                break;
            default:
                c = '#';
        }
        dest.push_back(c);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<LevelChar>();
    }
};

// %R : the process role character; %Q : the current pid (getpid() after a fork).
class RoleChar final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& /*msg*/,
                const std::tm& /*tm*/,
                spdlog::memory_buf_t& dest) override {
        dest.push_back(g_role.load());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<RoleChar>();
    }
};

class PidFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& /*msg*/,
                const std::tm& /*tm*/,
                spdlog::memory_buf_t& dest) override {
        auto pid = std::to_string(::getpid());
        dest.append(pid.data(), pid.data() + pid.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<PidFlag>();
    }
};

}  // namespace

std::optional<spdlog::level::level_enum> level_from_name(std::string_view redis_level) {
    if (redis_level == "debug") {
        return spdlog::level::trace;
    }
    if (redis_level == "verbose") {
        return spdlog::level::debug;
    }
    if (redis_level == "notice") {
        return spdlog::level::info;
    }
    if (redis_level == "warning") {
        return spdlog::level::warn;
    }
    return std::nullopt;
}

void setup(const LogOptions& options) {
    g_role = options.role;
    spdlog::sink_ptr sink;
    if (options.file.empty()) {
        sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
        // Throws spdlog::spdlog_ex (a std::runtime_error) when the file cannot be opened.
        sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file, false);
    }
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<PidFlag>('Q').add_flag<RoleChar>('R').add_flag<LevelChar>('*');
    formatter->set_pattern("%Q:%R %d %b %Y %H:%M:%S.%e %* %v");
    sink->set_formatter(std::move(formatter));
    auto logger = std::make_shared<spdlog::logger>("vigil", sink);
    logger->set_level(level_from_name(options.level).value_or(spdlog::level::info));
    logger->flush_on(spdlog::level::trace);  // every line reaches the file at once, like Redis
    spdlog::set_default_logger(std::move(logger));
}

void set_level(std::string_view redis_level) {
    if (auto l = level_from_name(redis_level)) {
        spdlog::set_level(*l);
    }
}

void set_role(char role) {
    g_role = role;
}

}  // namespace vigil::common::log
