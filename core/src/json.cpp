// JSON string literals for every JSON the core writes (`ruactl parse`, the
// summaries). Must never emit invalid UTF-8, a raw control character or a
// newline.
#include "text.hpp"

#include <rua/json.hpp>

#include <array>
#include <cstdint>

namespace rua {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD

// The bytes that pass through as they are: printable ASCII but '"' and '\'.
constexpr std::array<bool, 256> make_plain() {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 0x7F; ++c) {
        plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    }
    return plain;
}

constexpr std::array<bool, 256> k_plain = make_plain();

} // namespace

void json_append_quoted(std::string& out, std::string_view text) {
    static constexpr char k_hex[] = "0123456789abcdef";
    // Most values are plain ASCII: one run of them is one append.
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    const auto* const data = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    std::size_t i = 0;
    while (i < size) {
        std::size_t run = i;
        while (run < size && k_plain[data[run]]) {
            ++run;
        }
        if (run > i) {
            out.append(text.data() + i, run - i);
            i = run;
            if (i == size) {
                break;
            }
        }
        const unsigned char u = data[i];
        if (u == '"' || u == '\\') {
            out += '\\';
            out += static_cast<char>(u);
            ++i;
        } else if (u < 0x20 || u == 0x7F) {
            out += "\\u00";
            out += k_hex[u >> 4];
            out += k_hex[u & 0xf];
            ++i;
        } else {
            std::size_t consumed = 0;
            const std::string_view rest = text.substr(i);
            const std::size_t len = detail::utf8_sequence(rest, &consumed);
            if (len == 0) {
                out += k_replacement;
                i += consumed;
            } else {
                out.append(rest.data(), len);
                i += len;
            }
        }
    }
    out += '"';
}

std::string json_quote(std::string_view text) {
    std::string out;
    json_append_quoted(out, text);
    return out;
}

} // namespace rua
