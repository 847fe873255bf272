// Finding messages on disk for `ruactl import`: splitting mbox files into
// messages and walking Maildir folders and directory trees. Pure file-system
// reads; never parses a message, never writes or deletes anything.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rua {

// True when `content` begins with an mbox separator line ("From " at the
// very start). An empty file is not an mbox.
bool looks_like_mbox(std::string_view content);

// Splits mbox content into messages. A message starts at a "From " line that
// opens the file or follows an empty line; the separator line itself is
// dropped, as is the empty line that ends each message. Lines quoted as
// ">From ", ">>From " ... lose one '>' (mboxrd). CRLF line ends are kept as
// they are. Content that does not start with "From " yields no message.
std::vector<std::string> split_mbox(std::string_view content);

// True when `dir` is a Maildir: a directory holding `cur` and `new`.
bool is_maildir(const std::filesystem::path& dir);

struct WalkResult {
    std::vector<std::filesystem::path> files; // in a stable (sorted) order
    std::vector<std::string> errors;          // "PATH: reason", one per failure
};

// Expands `roots` into the files to read: a regular file is taken as is
// (even a dotfile named explicitly); a Maildir gives the files in cur/ and
// new/ (never tmp/); any other directory is walked recursively. Names that
// start with '.' are skipped inside directories, and symbolic links to
// directories are not followed (no loops). Never throws for I/O problems:
// they land in `errors`.
WalkResult collect_files(const std::vector<std::filesystem::path>& roots);

} // namespace rua
