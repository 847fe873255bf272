// Reading an input file (or standard input) whole, with a bound, for parse
// and import. Never interprets the bytes beyond telling an mbox by its first
// line, and never opens anything but a regular file for import.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace ruactl {

// The file could not be read; what() is the system's reason (strerror).
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads `path` ("-": standard input). Stops after max_bytes + 1 bytes so the
// caller's size check still sees that the input is too large. Throws
// InputError.
std::string read_input(const std::string& path, std::size_t max_bytes);

// Reads a file the setup names (a provider map): one that cannot be read
// means the setup cannot work. Throws rua::ConfigError.
std::string read_setup_file(const std::string& path);

// What `ruactl import` may read, and how much.
struct ImportFileRules {
    std::size_t max_message_bytes = 0; // a file holding one message (--max-size)
    std::size_t max_mbox_bytes = 0;    // a file starting with "From " (an mbox)
    bool follow_symlinks = false;      // --follow-symlinks
};

// The file an import read, to remove exactly that one afterwards.
struct FileIdentity {
    unsigned long long device = 0;
    unsigned long long inode = 0;
};

// Reads the regular file `path` for import. A symbolic link is refused
// unless rules.follow_symlinks, and whatever it leads to must be a regular
// file too: a device, FIFO, socket or directory is never opened. The size is
// checked before reading (a file over max_message_bytes is read only when
// it starts as an mbox, up to max_mbox_bytes), and the read itself is
// bounded for a file that grows meanwhile. Sets `identity` (when given).
// Throws InputError with a one-line reason.
std::string read_import_file(const std::string& path, const ImportFileRules& rules,
                             FileIdentity* identity = nullptr);

// Unlinks `path` when it is still the file `identity` names (through a
// symbolic link when `follow_symlinks`: the link is what goes); true when it
// is gone (removed now, or by someone else before). Throws InputError.
bool remove_imported_file(const std::string& path, const FileIdentity& identity,
                          bool follow_symlinks);

} // namespace ruactl
