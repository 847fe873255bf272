// Reading zip archives from memory with libarchive, one member at a time.
// Must never write to disk, never trust member names (the caller checks
// them) and never let an archive handle escape its unique_ptr.
#include "decompress.hpp"

#include <rua/errors.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <new>

namespace rua::detail {

namespace {

std::string archive_message(struct ::archive* handle) {
    const char* text = archive_error_string(handle);
    return text != nullptr ? text : "unknown error";
}

} // namespace

void ArchiveCloser::operator()(struct ::archive* handle) const {
    archive_read_free(handle);
}

ZipReader::ZipReader(std::string_view bytes) : m_archive(archive_read_new()) {
    if (!m_archive) {
        throw std::bad_alloc();
    }
    archive_read_support_format_zip(m_archive.get());
    // The bytes are alive for our lifetime; libarchive reads them in place.
    if (archive_read_open_memory(m_archive.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
        throw BadInput(fmt::format("corrupt zip archive: {}", archive_message(m_archive.get())));
    }
}

bool ZipReader::next(Entry& entry) {
    struct ::archive_entry* header = nullptr;
    const int rc = archive_read_next_header(m_archive.get(), &header);
    if (rc == ARCHIVE_EOF) {
        return false;
    }
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
        throw BadInput(fmt::format("corrupt zip archive: {}", archive_message(m_archive.get())));
    }
    const char* path = archive_entry_pathname(header);
    if (path == nullptr) {
        path = archive_entry_pathname_utf8(header);
    }
    entry.path = path != nullptr ? path : "";
    switch (archive_entry_filetype(header)) {
    case AE_IFREG:
        entry.type = EntryType::regular;
        break;
    case AE_IFDIR:
        entry.type = EntryType::directory;
        break;
    case AE_IFLNK:
        entry.type = EntryType::symlink;
        break;
    default:
        entry.type = EntryType::other;
        break;
    }
    return true;
}

std::size_t ZipReader::read(char* buffer, std::size_t max) {
    const la_ssize_t got = archive_read_data(m_archive.get(), buffer, max);
    if (got < 0) {
        throw BadInput(fmt::format("corrupt zip member: {}", archive_message(m_archive.get())));
    }
    return static_cast<std::size_t>(got);
}

} // namespace rua::detail
