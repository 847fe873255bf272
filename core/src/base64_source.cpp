// Base64Source and Base64Bytes; see base64_source.hpp.
#include "base64_source.hpp"

#include "base64.hpp"

#include <algorithm>
#include <cstring>

namespace rua::detail {

namespace {

// Symbols decoded per chunk: a multiple of four, ~48 KiB of output.
constexpr std::size_t k_chunk_symbols = 65536;

bool is_symbol(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The longest prefix of `text` holding at most k_chunk_symbols symbols and a
// multiple of four of them (all of `text` when fewer remain).
std::size_t chunk_end(std::string_view text) {
    std::size_t symbols = 0;
    std::size_t cut = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_space(text[i])) {
            ++symbols;
            if (symbols % 4 == 0) {
                cut = i + 1;
                if (symbols == k_chunk_symbols) {
                    return cut;
                }
            }
        }
    }
    return text.size();
}

} // namespace

bool plain_base64(std::string_view text) {
    std::size_t padding = 0;
    std::size_t symbols = 0;
    for (const char c : text) {
        if (c == '=') {
            ++padding;
        } else if (is_symbol(c)) {
            if (padding > 0) {
                return false; // '=' before the end: concatenated blocks
            }
            ++symbols;
        } else if (!is_space(c)) {
            return false;
        }
    }
    return padding <= 2 && (symbols + padding) % 4 == 0;
}

bool Base64Source::fill() {
    if (m_text.empty()) {
        return false;
    }
    const std::size_t end = chunk_end(m_text);
    m_decoded = decode_base64(m_text.substr(0, end));
    m_text.remove_prefix(end);
    m_served = 0;
    return true;
}

std::size_t Base64Source::read(char* buffer, std::size_t max) {
    while (m_served == m_decoded.size()) {
        if (!fill()) {
            return 0;
        }
    }
    const std::size_t n = std::min(max, m_decoded.size() - m_served);
    std::memcpy(buffer, m_decoded.data() + m_served, n);
    m_served += n;
    return n;
}

std::size_t Base64Source::size_hint() const {
    return (m_decoded.size() - m_served) + m_text.size() / 4 * 3;
}

void Base64Bytes::read(const std::function<void(std::string_view)>& fn) const {
    std::string_view text = m_text;
    while (!text.empty()) {
        const std::size_t end = chunk_end(text);
        fn(decode_base64(text.substr(0, end)));
        text.remove_prefix(end);
    }
}

} // namespace rua::detail
