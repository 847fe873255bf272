// Bounded whole-file reads with POSIX calls, so an error is the system's own
// reason and a huge file never fills memory. Owns each descriptor it opens.
#include "input.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ruactl {

namespace {

std::string error_text(int error) {
    char buf[256];
    // GNU strerror_r returns the message (maybe not in buf).
    return strerror_r(error, buf, sizeof buf);
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd, bool owned) : m_fd(fd), m_owned(owned) {}
    ~FileDescriptor() {
        if (m_owned && m_fd >= 0) {
            ::close(m_fd);
        }
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
    bool m_owned;
};

} // namespace

std::string read_input(const std::string& path, std::size_t max_bytes) {
    const bool is_stdin = path == "-";
    FileDescriptor fd(is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC),
                      !is_stdin);
    if (fd.get() < 0) {
        throw InputError(error_text(errno));
    }
    std::string data;
    char buf[65536];
    while (data.size() <= max_bytes) {
        const auto n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw InputError(error_text(errno));
        }
        if (n == 0) {
            break;
        }
        data.append(buf, static_cast<std::size_t>(n));
    }
    if (data.size() > max_bytes + 1) {
        data.resize(max_bytes + 1);
    }
    return data;
}

} // namespace ruactl
