// SpillBuffer: an append-only byte buffer that stays in memory up to a
// threshold and moves to an unlinked temporary file beyond it, so output of
// any size (a 200k-record report's JSON) never grows the process. Must never
// leave a file behind: the file has no name from the moment it exists.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace rua {

class SpillBuffer {
public:
    static constexpr std::size_t k_default_threshold = std::size_t{1} << 20; // 1 MiB

    // `directory` empty: $TMPDIR, else /tmp. Nothing is created until the
    // bytes held pass `threshold`.
    explicit SpillBuffer(std::size_t threshold = k_default_threshold, std::string directory = {});
    ~SpillBuffer();
    SpillBuffer(SpillBuffer&& other) noexcept;
    SpillBuffer& operator=(SpillBuffer&& other) noexcept;
    SpillBuffer(const SpillBuffer&) = delete;
    SpillBuffer& operator=(const SpillBuffer&) = delete;

    // Appends `bytes`. Throws TryLater ("cannot use a temporary file in
    // DIR: REASON") when the temporary file cannot be made or written (disk
    // full); the buffer then still holds what it held before.
    void append(std::string_view bytes);

    // Every byte appended and not truncated away.
    std::size_t size() const { return m_file_size + m_memory.size(); }
    bool empty() const { return size() == 0; }
    // True once the bytes have moved to a temporary file.
    bool spilled() const { return m_fd >= 0; }

    // A position to come back to: truncate(mark()) forgets everything
    // appended after it.
    std::size_t mark() const { return size(); }
    // Throws std::out_of_range for a mark past size(); TryLater when the
    // temporary file cannot be cut.
    void truncate(std::size_t mark);

    // Calls `chunk` with the contents in order, in pieces of at most a few
    // hundred KiB (never with an empty piece). Throws TryLater when the
    // temporary file cannot be read; whatever `chunk` throws passes through.
    void for_each_chunk(const std::function<void(std::string_view)>& chunk) const;

    // Writes the contents to `fd` (short writes and EINTR retried). Throws
    // Error ("cannot write: REASON") when a write fails, TryLater as
    // for_each_chunk.
    void write_to(int fd) const;

private:
    void spill();
    [[noreturn]] void fail(const char* what, int error) const;

    std::size_t m_threshold;
    std::string m_directory;
    std::string m_memory;        // the bytes after m_file_size
    int m_fd = -1;               // the unlinked temporary file, once spilled
    std::size_t m_file_size = 0; // bytes in the file
};

} // namespace rua
