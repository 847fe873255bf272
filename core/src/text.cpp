// The failure kind's text helpers (text.hpp). ASCII only on purpose: header
// names and tokens are ASCII, and locale-aware functions cost a call per byte
// and depend on the process's locale.
#include "text.hpp"

#include <algorithm>

namespace rua::detail {

char lower_ascii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), lower_ascii);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && istarts_with(a, b);
}

bool istarts_with(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (lower_ascii(text[i]) != lower_ascii(prefix[i])) {
            return false;
        }
    }
    return true;
}

std::size_t ifind(std::string_view text, std::string_view needle) {
    if (needle.empty()) {
        return 0;
    }
    for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
        if (istarts_with(text.substr(i), needle)) {
            return i;
        }
    }
    return std::string_view::npos;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

std::string unfold(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    bool space = false;
    for (const char c : trim(value)) {
        if (is_space(c)) {
            space = true;
            continue;
        }
        if (space && !out.empty()) {
            out.push_back(' ');
        }
        space = false;
        out.push_back(c);
    }
    return out;
}

std::size_t utf8_sequence(std::string_view s, std::size_t* invalid) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 < 0x80) {
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        lo = b0 == 0xE0 ? 0xA0 : 0x80; // no overlong forms
        hi = b0 == 0xED ? 0x9F : 0xBF; // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        lo = b0 == 0xF0 ? 0x90 : 0x80;
        hi = b0 == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
    } else {
        if (invalid != nullptr) {
            *invalid = 1;
        }
        return 0;
    }
    std::size_t i = 1;
    for (; i < len && i < s.size(); ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) {
            break;
        }
    }
    if (i == len) {
        return len;
    }
    if (invalid != nullptr) {
        *invalid = i;
    }
    return 0;
}

std::string valid_utf8(std::string_view text, bool* changed) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const std::size_t len = utf8_sequence(text);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            text.remove_prefix(1);
            if (changed != nullptr) {
                *changed = true;
            }
            continue;
        }
        out.append(text.data(), len);
        text.remove_prefix(len);
    }
    return out;
}

std::string hex(std::string_view bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(k_digits[u >> 4]);
        out.push_back(k_digits[u & 0xf]);
    }
    return out;
}

std::string excerpt(std::string_view text) {
    constexpr std::size_t k_max = 64;
    if (text.size() <= k_max) {
        return "\"" + std::string(text) + "\"";
    }
    std::size_t cut = k_max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return "\"" + std::string(text.substr(0, cut)) + "...\"";
}

} // namespace rua::detail
