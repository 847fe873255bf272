// mbox splitting and Maildir / directory walking for `ruactl import`. Reads
// only what it is pointed at; never follows directory symlinks (no loops),
// never writes, and never throws for an I/O problem (it is reported instead).
#include <rua/mailbox.hpp>

#include <algorithm>
#include <system_error>

namespace rua {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_separator = "From ";

bool is_blank(std::string_view line) {
    return line.empty() || line == "\r";
}

// ">From ", ">>From " ...: a body line that the writer quoted.
bool is_quoted_from(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && line[n] == '>') {
        ++n;
    }
    return n > 0 && line.substr(n).substr(0, k_separator.size()) == k_separator;
}

bool is_hidden(const fs::path& path) {
    const auto name = path.filename().string();
    return !name.empty() && name.front() == '.';
}

std::string describe(const fs::path& path, const std::error_code& ec) {
    return path.string() + ": " + ec.message();
}

std::vector<fs::path> sorted_entries(const fs::path& dir, std::vector<std::string>& errors) {
    std::vector<fs::path> out;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        errors.push_back(describe(dir, ec));
        return out;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) {
            errors.push_back(describe(dir, ec));
            break;
        }
        if (!is_hidden(it->path())) {
            out.push_back(it->path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void walk(const fs::path& path, WalkResult& result, bool explicit_root);

void walk_directory(const fs::path& dir, WalkResult& result) {
    if (is_maildir(dir)) {
        for (const char* sub : {"cur", "new"}) {
            for (const auto& entry : sorted_entries(dir / sub, result.errors)) {
                std::error_code ec;
                if (fs::is_regular_file(entry, ec)) {
                    result.files.push_back(entry);
                }
            }
        }
        return;
    }
    for (const auto& entry : sorted_entries(dir, result.errors)) {
        walk(entry, result, false);
    }
}

void walk(const fs::path& path, WalkResult& result, bool explicit_root) {
    std::error_code ec;
    const auto link = fs::symlink_status(path, ec);
    if (ec) {
        result.errors.push_back(describe(path, ec));
        return;
    }
    if (fs::is_symlink(link) && !explicit_root) {
        // A link inside a tree: take it when it names a file, never descend.
        if (fs::is_regular_file(path, ec)) {
            result.files.push_back(path);
        }
        return;
    }
    const auto status = fs::status(path, ec);
    if (ec) {
        result.errors.push_back(describe(path, ec));
        return;
    }
    if (fs::is_directory(status)) {
        walk_directory(path, result);
    } else if (fs::is_regular_file(status) || explicit_root) {
        // Named on the command line: let the reader report what it is.
        result.files.push_back(path);
    }
}

} // namespace

bool looks_like_mbox(std::string_view content) {
    return content.substr(0, k_separator.size()) == k_separator;
}

std::vector<std::string> split_mbox(std::string_view content) {
    std::vector<std::string> messages;
    if (!looks_like_mbox(content)) {
        return messages;
    }
    std::string* current = nullptr;
    std::string pending_blank; // an empty line held back: it may end a message
    bool has_pending = false;
    bool previous_blank = true; // the start of the file counts as after a blank
    std::size_t pos = 0;
    while (pos < content.size()) {
        const auto eol = content.find('\n', pos);
        const bool has_newline = eol != std::string_view::npos;
        const auto end = has_newline ? eol : content.size();
        const auto line = content.substr(pos, end - pos);
        pos = has_newline ? eol + 1 : content.size();

        if (previous_blank && line.substr(0, k_separator.size()) == k_separator) {
            has_pending = false; // the blank line before a separator is not content
            messages.emplace_back();
            current = &messages.back();
            previous_blank = false;
            continue;
        }
        previous_blank = is_blank(line);
        if (has_pending) {
            current->append(pending_blank);
            has_pending = false;
        }
        std::string text(is_quoted_from(line) ? line.substr(1) : line);
        if (has_newline) {
            text.push_back('\n');
        }
        if (previous_blank && has_newline) {
            pending_blank = std::move(text);
            has_pending = true;
        } else {
            current->append(text);
        }
    }
    return messages;
}

bool is_maildir(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir / "cur", ec) && fs::is_directory(dir / "new", ec);
}

WalkResult collect_files(const std::vector<fs::path>& roots) {
    WalkResult result;
    for (const auto& root : roots) {
        walk(root, result, true);
    }
    return result;
}

} // namespace rua
