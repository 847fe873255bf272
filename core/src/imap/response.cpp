// Takes apart the untagged IMAP responses libcurl hands back for our own
// commands, line by line. Only the shapes RFC 3501 gives these responses
// are read; anything else on a line is skipped, never guessed at.
#include "imap/response.hpp"

#include "text.hpp"

#include <charconv>

namespace rua::imap::detail {

namespace {

using rua::detail::iequals;
using rua::detail::istarts_with;

// The lines of `text` (CRLF or LF), without their ends.
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        lines.push_back(line);
        if (end == std::string_view::npos) {
            break;
        }
        text.remove_prefix(end + 1);
    }
    return lines;
}

// The words of `text`, split at spaces and parentheses.
std::vector<std::string_view> words_of(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ' || text[i] == '(' || text[i] == ')') {
            ++i;
            continue;
        }
        const auto start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '(' && text[i] != ')') {
            ++i;
        }
        words.push_back(text.substr(start, i - start));
    }
    return words;
}

template <typename T> std::optional<T> number(std::string_view word) {
    T value{};
    const auto* end = word.data() + word.size();
    const auto [ptr, ec] = std::from_chars(word.data(), end, value);
    if (ec != std::errc() || ptr != end || word.empty()) {
        return std::nullopt;
    }
    return value;
}

// The rest of a line after "* KEYWORD ", or nullopt.
std::optional<std::string_view> after_keyword(std::string_view line, std::string_view keyword) {
    if (line.size() < 2 || line.substr(0, 2) != "* ") {
        return std::nullopt;
    }
    line.remove_prefix(2);
    if (!istarts_with(line, keyword) ||
        (line.size() > keyword.size() && line[keyword.size()] != ' ')) {
        return std::nullopt;
    }
    line.remove_prefix(std::min(line.size(), keyword.size() + 1));
    return line;
}

} // namespace

std::vector<FetchItem> parse_fetch(std::string_view text) {
    std::vector<FetchItem> found;
    for (const auto line : lines_of(text)) {
        // "* 12 FETCH (UID 40 RFC822.SIZE 2741 FLAGS (\Seen))"; the words
        // are split at parentheses, so the flags are words of their own.
        const auto words = words_of(line);
        if (words.size() < 3 || words[0] != "*" || !iequals(words[2], "FETCH")) {
            continue;
        }
        FetchItem item;
        item.seq = number<std::uint32_t>(words[1]).value_or(0);
        for (std::size_t i = 3; i < words.size(); ++i) {
            if (iequals(words[i], "UID") && i + 1 < words.size()) {
                item.uid = number<std::uint32_t>(words[++i]).value_or(0);
            } else if (iequals(words[i], "RFC822.SIZE") && i + 1 < words.size()) {
                item.size = number<std::uint64_t>(words[++i]).value_or(0);
            } else if (iequals(words[i], "\\Deleted")) {
                item.deleted = true;
            }
        }
        if (item.uid > 0) {
            found.push_back(item);
        }
    }
    return found;
}

std::optional<std::uint64_t> parse_status_item(std::string_view text, std::string_view item) {
    for (const auto line : lines_of(text)) {
        if (!after_keyword(line, "STATUS")) {
            continue;
        }
        // The name may be quoted and hold parentheses: the items are the
        // last parenthesised list of the line.
        const auto open = line.rfind('(');
        if (open == std::string_view::npos) {
            continue;
        }
        const auto words = words_of(line.substr(open));
        for (std::size_t i = 0; i + 1 < words.size(); i += 2) {
            if (iequals(words[i], item)) {
                return number<std::uint64_t>(words[i + 1]);
            }
        }
    }
    return std::nullopt;
}

bool has_capability(std::string_view text, std::string_view capability) {
    for (const auto line : lines_of(text)) {
        const auto rest = after_keyword(line, "CAPABILITY");
        if (!rest) {
            continue;
        }
        for (const auto word : words_of(*rest)) {
            if (iequals(word, capability)) {
                return true;
            }
        }
    }
    return false;
}

bool lists_something(std::string_view text) {
    for (const auto line : lines_of(text)) {
        if (after_keyword(line, "LIST")) {
            return true;
        }
    }
    return false;
}

std::string quoted(std::string_view name) {
    std::string out = "\"";
    for (const char c : name) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    out += '"';
    return out;
}

std::string uid_set(const std::vector<std::uint32_t>& uids) {
    std::string out;
    std::size_t i = 0;
    while (i < uids.size()) {
        std::size_t j = i;
        while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) {
            ++j;
        }
        out += out.empty() ? "" : ",";
        out += std::to_string(uids[i]);
        if (j > i) {
            out += ":" + std::to_string(uids[j]);
        }
        i = j + 1;
    }
    return out;
}

std::string printable(std::string_view text) {
    constexpr std::size_t k_max = 300;
    std::string out;
    for (const char c : text.substr(0, k_max)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u >= 0x7f) ? '?' : c;
    }
    if (text.size() > k_max) {
        out += "...";
    }
    return out;
}

} // namespace rua::imap::detail
