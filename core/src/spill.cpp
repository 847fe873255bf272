// SpillBuffer (rua/spill.hpp): memory first, then an unlinked temporary
// file written with pwrite and read back with pread. Owns its descriptor;
// must never leave a named file behind, even when the process is killed.
#include <rua/errors.hpp>
#include <rua/spill.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace rua {

namespace {

constexpr std::size_t k_chunk = std::size_t{256} << 10; // read back in 256 KiB pieces

std::string error_text(int error) {
    char buf[256];
    // GNU strerror_r returns the message (maybe not in buf).
    return strerror_r(error, buf, sizeof buf);
}

std::string default_directory() {
    // Read-only use of the environment; nothing in rua sets variables.
    const char* dir = std::getenv("TMPDIR"); // NOLINT(concurrency-mt-unsafe)
    return dir != nullptr && *dir != '\0' ? std::string(dir) : std::string("/tmp");
}

// An unlinked file in `dir`: O_TMPFILE where the file system has it, else
// mkstemp then unlink at once. Returns -1 with errno set.
int open_unlinked(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) {
        return fd;
    }
    std::string name = dir + "/rua-spill.XXXXXX";
    const int named = ::mkostemp(name.data(), O_CLOEXEC);
    if (named < 0) {
        return -1;
    }
    ::unlink(name.c_str());
    return named;
}

} // namespace

SpillBuffer::SpillBuffer(std::size_t threshold, std::string directory)
    : m_threshold(threshold), m_directory(std::move(directory)) {}

SpillBuffer::~SpillBuffer() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

SpillBuffer::SpillBuffer(SpillBuffer&& other) noexcept
    : m_threshold(other.m_threshold), m_directory(std::move(other.m_directory)),
      m_memory(std::move(other.m_memory)), m_fd(std::exchange(other.m_fd, -1)),
      m_file_size(std::exchange(other.m_file_size, 0)) {
    other.m_memory.clear();
}

SpillBuffer& SpillBuffer::operator=(SpillBuffer&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_threshold = other.m_threshold;
        m_directory = std::move(other.m_directory);
        m_memory = std::move(other.m_memory);
        other.m_memory.clear();
        m_fd = std::exchange(other.m_fd, -1);
        m_file_size = std::exchange(other.m_file_size, 0);
    }
    return *this;
}

void SpillBuffer::fail(const char* what, int error) const {
    const std::string dir = m_directory.empty() ? default_directory() : m_directory;
    throw TryLater(
        fmt::format("cannot {} a temporary file in {}: {}", what, dir, error_text(error)));
}

void SpillBuffer::append(std::string_view bytes) {
    if (m_memory.size() + bytes.size() <= m_threshold) {
        m_memory.append(bytes);
        return;
    }
    if (m_fd < 0) {
        const int fd = open_unlinked(m_directory.empty() ? default_directory() : m_directory);
        if (fd < 0) {
            fail("create", errno);
        }
        m_fd = fd;
    }
    // What memory holds and the new bytes go to the file in one call each
    // round; the file's size moves only when everything is written, so a
    // failure leaves the buffer as it was.
    std::size_t done = 0;
    const std::size_t total = m_memory.size() + bytes.size();
    while (done < total) {
        iovec parts[2];
        int count = 0;
        if (done < m_memory.size()) {
            parts[count++] = {m_memory.data() + done, m_memory.size() - done};
        }
        const std::size_t from = done > m_memory.size() ? done - m_memory.size() : 0;
        if (from < bytes.size()) {
            parts[count++] = {const_cast<char*>(bytes.data() + from), bytes.size() - from};
        }
        const auto n = ::pwritev(m_fd, parts, count, static_cast<off_t>(m_file_size + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("write", errno);
        }
        if (n == 0) {
            fail("write", ENOSPC);
        }
        done += static_cast<std::size_t>(n);
    }
    m_file_size += total;
    m_memory.clear();
}

void SpillBuffer::truncate(std::size_t mark) {
    if (mark > size()) {
        throw std::out_of_range(
            fmt::format("SpillBuffer::truncate: mark {} past the end ({})", mark, size()));
    }
    if (mark >= m_file_size) {
        m_memory.resize(mark - m_file_size);
        return;
    }
    if (::ftruncate(m_fd, static_cast<off_t>(mark)) != 0) {
        fail("cut", errno);
    }
    m_file_size = mark;
    m_memory.clear();
}

void SpillBuffer::for_each_chunk(const std::function<void(std::string_view)>& chunk) const {
    if (m_file_size > 0) {
        std::vector<char> buf(std::min(k_chunk, m_file_size));
        std::size_t at = 0;
        while (at < m_file_size) {
            const std::size_t want = std::min(buf.size(), m_file_size - at);
            const auto n = ::pread(m_fd, buf.data(), want, static_cast<off_t>(at));
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                fail("read", errno);
            }
            if (n == 0) {
                fail("read", EIO); // shorter than written: someone cut it
            }
            chunk(std::string_view(buf.data(), static_cast<std::size_t>(n)));
            at += static_cast<std::size_t>(n);
        }
    }
    if (!m_memory.empty()) {
        chunk(m_memory);
    }
}

void SpillBuffer::write_to(int fd) const {
    for_each_chunk([fd](std::string_view piece) {
        while (!piece.empty()) {
            const auto n = ::write(fd, piece.data(), piece.size());
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                throw Error(fmt::format("cannot write: {}", error_text(errno)));
            }
            piece.remove_prefix(static_cast<std::size_t>(n));
        }
    });
}

} // namespace rua
