#pragma once
#include <exception>
#include <string>

#include <spdlog/spdlog.h>

namespace vigil::common {

// Completion handler for co_spawn: logs an exception that escaped a coroutine instead of
// losing it (never use bare `detached`).
struct LogUnhandled {
    std::string name;
    void operator()(std::exception_ptr e) const {
        if (!e) {
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("{}: unhandled exception: {}", name, ex.what());
        } catch (...) {
            spdlog::error("{}: unhandled unknown exception", name);
        }
    }
};

inline LogUnhandled log_unhandled(std::string name) {
    return LogUnhandled{std::move(name)};
}

}  // namespace vigil::common
