#include "common/util/process.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

namespace vigil::common {

void daemonize() {
    pid_t pid = ::fork();
    if (pid < 0) {
        std::fprintf(stderr, "fork: %s\n", std::strerror(errno));
        std::exit(1);
    }
    if (pid > 0) {
        std::_Exit(0);
    }
    ::setsid();
    int fd = ::open("/dev/null", O_RDWR);
    if (fd >= 0) {
        ::dup2(fd, STDIN_FILENO);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) {
            ::close(fd);
        }
    }
}

bool write_pidfile(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) {
        spdlog::warn("Failed to write PID file: {}", std::strerror(errno));
        return false;
    }
    std::fprintf(f, "%d\n", static_cast<int>(::getpid()));
    std::fclose(f);
    return true;
}

}  // namespace vigil::common
