// Sanitising untrusted file and member names for storage and diagnostics.
// Pure string work: must never touch the file system or trust a name to
// say anything about content.
#include "filename.hpp"

#include <fmt/format.h>

namespace rua::detail {

namespace {

bool is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

} // namespace

OptString sanitize_filename(std::string_view name) {
    const auto slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) {
        name.remove_prefix(slash + 1);
    }
    std::string out;
    out.reserve(name.size());
    for (char c : name) {
        if (!is_control(static_cast<unsigned char>(c))) {
            out.push_back(c);
        }
    }
    for (auto pos = out.find(".."); pos != std::string::npos; pos = out.find("..")) {
        out.erase(pos, 1);
    }
    while (!out.empty() && (out.front() == ' ' || out.front() == '.')) {
        out.erase(0, 1);
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    if (out.size() > k_max_filename_bytes) {
        std::size_t cut = k_max_filename_bytes;
        // Step back over UTF-8 continuation bytes so no character is split.
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) {
            --cut;
        }
        out.resize(cut);
    }
    if (out.empty()) {
        return std::nullopt;
    }
    return out;
}

bool is_unsafe_path(std::string_view path) {
    if (path.empty() || path.front() == '/') {
        return true;
    }
    if (path.find('\\') != std::string_view::npos) {
        return true; // Windows separators have no business in a report zip
    }
    if (path.size() >= 2 && path[1] == ':') {
        return true; // a drive letter
    }
    for (char c : path) {
        if (is_control(static_cast<unsigned char>(c))) {
            return true;
        }
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        if (path.substr(start, end - start) == "..") {
            return true;
        }
        start = end + 1;
    }
    return false;
}

std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    for (char c : text) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        const auto byte = static_cast<unsigned char>(c);
        if (is_control(byte) || c == '"' || c == '\\') {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

} // namespace rua::detail
