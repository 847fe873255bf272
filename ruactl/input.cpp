// Bounded whole-file reads with POSIX calls, so an error is the system's own
// reason and a huge file never fills memory. Owns each descriptor it opens;
// for import, never opens anything but a regular file.
#include "input.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

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

// What a file that is not a regular one is, for the refusal.
const char* file_type(mode_t mode) {
    if (S_ISDIR(mode)) {
        return "a directory";
    }
    if (S_ISCHR(mode)) {
        return "a character device";
    }
    if (S_ISBLK(mode)) {
        return "a block device";
    }
    if (S_ISFIFO(mode)) {
        return "a FIFO";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    return "not a regular file";
}

[[noreturn]] void refuse_type(mode_t mode) {
    throw InputError(fmt::format("{}, not a regular file: not imported", file_type(mode)));
}

// Appends up to `limit` + 1 bytes in total to `data`: one byte past the
// bound is enough to tell that the input is too large.
void read_bounded(int fd, std::size_t limit, std::string& data) {
    char buf[65536];
    while (data.size() <= limit) {
        const std::size_t want = std::min(sizeof buf, limit + 1 - data.size());
        const auto n = ::read(fd, buf, want);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw InputError(error_text(errno));
        }
        if (n == 0) {
            return;
        }
        data.append(buf, static_cast<std::size_t>(n));
    }
}

std::string too_large(bool mbox, const ImportFileRules& rules) {
    return mbox ? fmt::format("mbox file larger than {} bytes: not imported", rules.max_mbox_bytes)
                : fmt::format("message larger than --max-size ({} bytes)", rules.max_message_bytes);
}

} // namespace

std::string read_import_file(const std::string& path, const ImportFileRules& rules,
                             FileIdentity* identity) {
    struct stat before {};
    if (::lstat(path.c_str(), &before) != 0) {
        throw InputError(error_text(errno));
    }
    if (S_ISLNK(before.st_mode)) {
        if (!rules.follow_symlinks) {
            throw InputError("a symbolic link: not followed without --follow-symlinks");
        }
        if (::stat(path.c_str(), &before) != 0) {
            throw InputError(error_text(errno));
        }
    }
    if (!S_ISREG(before.st_mode)) {
        refuse_type(before.st_mode); // never opened: a FIFO would block, a device never ends
    }
    const int flags =
        O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (rules.follow_symlinks ? 0 : O_NOFOLLOW);
    FileDescriptor fd(::open(path.c_str(), flags), true);
    if (fd.get() < 0) {
        throw InputError(error_text(errno));
    }
    // The name may have been pointed elsewhere since the lstat: what counts
    // is what was opened.
    struct stat opened {};
    if (::fstat(fd.get(), &opened) != 0) {
        throw InputError(error_text(errno));
    }
    if (!S_ISREG(opened.st_mode)) {
        refuse_type(opened.st_mode);
    }
    if (identity != nullptr) {
        identity->device = opened.st_dev;
        identity->inode = opened.st_ino;
    }
    const auto size = static_cast<unsigned long long>(opened.st_size);
    std::string data;
    // The first line tells an mbox (many messages) from one message.
    read_bounded(fd.get(), 4, data);
    const bool mbox = data.compare(0, std::string::npos, "From ") == 0;
    const std::size_t limit = mbox ? rules.max_mbox_bytes : rules.max_message_bytes;
    if (size > limit) {
        throw InputError(too_large(mbox, rules));
    }
    // One allocation of the size the file has now (the loop still stops at
    // the limit if it grows): growing the string as it is read copied a
    // 20 MiB message several times over, a fifth of an import's time.
    data.reserve(static_cast<std::size_t>(size) + 1);
    read_bounded(fd.get(), limit, data);
    if (data.size() > limit) {
        throw InputError(too_large(mbox, rules)); // it grew while being read
    }
    return data;
}

bool remove_imported_file(const std::string& path, const FileIdentity& identity,
                          bool follow_symlinks) {
    struct stat now {};
    if ((follow_symlinks ? ::stat(path.c_str(), &now) : ::lstat(path.c_str(), &now)) != 0) {
        if (errno == ENOENT) {
            return true; // removed by someone else (a second import) already
        }
        throw InputError(error_text(errno));
    }
    if (static_cast<unsigned long long>(now.st_dev) != identity.device ||
        static_cast<unsigned long long>(now.st_ino) != identity.inode) {
        return false; // another file has taken the name since the read
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        throw InputError(error_text(errno));
    }
    return true;
}

std::string read_input(const std::string& path, std::size_t max_bytes) {
    const bool is_stdin = path == "-";
    FileDescriptor fd(is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC),
                      !is_stdin);
    if (fd.get() < 0) {
        throw InputError(error_text(errno));
    }
    // A regular file's size is known: read it straight into a string of
    // that size (one allocation, no copy through a bounce buffer). A pipe,
    // or a file that grows meanwhile, goes on below.
    std::string data;
    struct stat info {};
    if (::fstat(fd.get(), &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
        const std::size_t want =
            std::min(static_cast<std::size_t>(info.st_size), max_bytes) + 1; // +1: too large?
        data.resize(want);
        std::size_t got = 0;
        while (got < want) {
            const auto n = ::read(fd.get(), data.data() + got, want - got);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                throw InputError(error_text(errno));
            }
            if (n == 0) {
                break;
            }
            got += static_cast<std::size_t>(n);
        }
        data.resize(got);
        if (got < want) {
            return data; // the whole file (it may have shrunk)
        }
    }
    read_bounded(fd.get(), max_bytes, data);
    return data;
}

std::string read_setup_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw rua::ConfigError(fmt::format("cannot read {}", path));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace ruactl
