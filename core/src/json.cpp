// JSON string literals for every JSON the core writes (`ruactl parse`, the
// summaries). Must never emit invalid UTF-8, a raw control character or a
// newline.
#include <rua/json.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <iterator>

namespace rua {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD

// Length of the valid UTF-8 sequence at the start of `s` (1-4), or 0 when it
// is not valid; `consumed` then says how many bytes form the maximal invalid
// subpart (always at least 1), which becomes one U+FFFD.
std::size_t utf8_sequence(std::string_view s, std::size_t& consumed) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 < 0x80) {
        return 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
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
        consumed = 1;
        return 0;
    }
    std::size_t i = 1;
    for (; i < len && i < s.size(); ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        const unsigned char min = i == 1 ? lo : 0x80;
        const unsigned char max = i == 1 ? hi : 0xBF;
        if (b < min || b > max) {
            break;
        }
    }
    if (i == len) {
        return len;
    }
    consumed = i;
    return 0;
}

} // namespace

std::string json_quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    while (!text.empty()) {
        const char c = text.front();
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
            text.remove_prefix(1);
        } else if (u < 0x20 || u == 0x7F) {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", u);
            text.remove_prefix(1);
        } else {
            std::size_t consumed = 0;
            const std::size_t len = utf8_sequence(text, consumed);
            if (len == 0) {
                out += k_replacement;
                text.remove_prefix(consumed);
            } else {
                out.append(text.data(), len);
                text.remove_prefix(len);
            }
        }
    }
    out += '"';
    return out;
}

} // namespace rua
