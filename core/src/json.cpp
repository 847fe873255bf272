// JSON string literals for every JSON the core writes (`ruactl parse`, the
// summaries). Must never emit invalid UTF-8, a raw control character or a
// newline.
#include "text.hpp"

#include <rua/json.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <iterator>

namespace rua {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD

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
            const std::size_t len = detail::utf8_sequence(text, &consumed);
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
