// The RFC 2047 decoder (rfc2047.hpp): finds "=?charset?enc?text?=" words by
// hand, decodes B (base64) and Q (quoted-printable with '_' for space), then
// converts the charset. A word that is not well formed stays as written.
#include "kinds/failure/rfc2047.hpp"

#include "base64.hpp"
#include "text.hpp"

#include <rua/errors.hpp>

#include <vmime/charset.hpp>
#include <vmime/exception.hpp>

#include <new>
#include <optional>

namespace rua::detail::failure {

namespace {

struct Word {
    std::size_t end = 0; // one past "?="
    std::string text;    // decoded to UTF-8
};

std::string latin1_to_utf8(std::string_view bytes) {
    std::string out;
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x80) {
            out.push_back(c);
        } else {
            out.push_back(static_cast<char>(0xC0 | (u >> 6)));
            out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
        }
    }
    return out;
}

std::string to_utf8(const std::string& charset, const std::string& bytes) {
    const std::string name = lower(charset.substr(0, charset.find('*'))); // RFC 2231 language
    if (name == "utf-8" || name == "utf8" || name == "us-ascii" || name == "ascii") {
        return valid_utf8(bytes);
    }
    if (name == "iso-8859-1" || name == "latin1" || name == "iso8859-1") {
        return latin1_to_utf8(bytes);
    }
    try {
        std::string out;
        vmime::charset::convert(bytes, out, vmime::charset(name),
                                vmime::charset(vmime::charsets::UTF_8));
        return valid_utf8(out);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception&) {
        return valid_utf8(bytes);
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    const char l = lower_ascii(c);
    return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

std::string decode_q(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '_') {
            out.push_back(' ');
            continue;
        }
        if (c == '=' && i + 2 < text.size()) {
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(c);
    }
    return out;
}

// The encoded word starting at `pos` ("=?"), or nullopt when it is not one.
std::optional<Word> encoded_word(std::string_view s, std::size_t pos) {
    const auto q1 = s.find('?', pos + 2);
    if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') {
        return std::nullopt;
    }
    const auto end = s.find("?=", q1 + 3);
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    const auto charset = s.substr(pos + 2, q1 - pos - 2);
    const char encoding = lower_ascii(s[q1 + 1]);
    const auto text = s.substr(q1 + 3, end - q1 - 3);
    if (charset.empty() || text.find(' ') != std::string_view::npos) {
        return std::nullopt;
    }
    std::string bytes;
    if (encoding == 'b') {
        try {
            bytes = decode_base64(text);
        } catch (const BadInput&) {
            return std::nullopt;
        }
    } else if (encoding == 'q') {
        bytes = decode_q(text);
    } else {
        return std::nullopt;
    }
    return Word{end + 2, to_utf8(std::string(charset), bytes)};
}

} // namespace

std::string decode_rfc2047(std::string_view value) {
    std::string out;
    std::size_t pos = 0;
    std::size_t pending_space = std::string::npos; // start of white space after a word
    while (pos < value.size()) {
        const auto start = value.find("=?", pos);
        if (start == std::string_view::npos) {
            break;
        }
        auto word = encoded_word(value, start);
        if (!word) {
            out += valid_utf8(value.substr(pos, start + 2 - pos));
            pos = start + 2;
            pending_space = std::string::npos;
            continue;
        }
        const auto between = value.substr(pos, start - pos);
        // White space alone between two encoded words disappears.
        if (!(pending_space != std::string::npos && trim(between).empty())) {
            out += valid_utf8(between);
        }
        out += word->text;
        pos = word->end;
        pending_space = pos;
    }
    out += valid_utf8(value.substr(pos));
    return out;
}

} // namespace rua::detail::failure
