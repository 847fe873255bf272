// UTF-8 validation of a streamed XML document, for a precise error message.
// Decides from the byte order mark and the XML declaration whether the
// document is UTF-8 (no declaration, or encoding="UTF-8"); any other
// declared encoding is left to Xerces' transcoders.
#include "utf8_guard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <iterator>

namespace rua::detail {

namespace {

constexpr std::size_t k_max_declaration = 512;

// Characters in [begin, end): every byte but UTF-8 continuation bytes.
std::uint64_t characters(const unsigned char* begin, const unsigned char* end) {
    return static_cast<std::uint64_t>(
        std::count_if(begin, end, [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return text;
}

// The value of encoding="..." in an XML declaration, or "" when absent.
std::string declared_encoding(const std::string& declaration) {
    const std::size_t at = declaration.find("encoding");
    if (at == std::string::npos) {
        return {};
    }
    std::size_t i = declaration.find('=', at);
    if (i == std::string::npos) {
        return {};
    }
    i = declaration.find_first_of("\"'", i);
    if (i == std::string::npos) {
        return {};
    }
    const std::size_t end = declaration.find(declaration[i], i + 1);
    if (end == std::string::npos) {
        return {};
    }
    return lower(declaration.substr(i + 1, end - i - 1));
}

} // namespace

std::string Utf8Guard::bad_sequence() const {
    std::string out = m_sequence.size() > 1 ? "bytes" : "byte";
    for (const char c : m_sequence) {
        fmt::format_to(std::back_inserter(out), " 0x{:02x}", static_cast<unsigned char>(c));
    }
    return out + (m_sequence.size() > 1 ? " are" : " is") + " not UTF-8";
}

std::string Utf8Guard::error_here(const std::string& what) const {
    return "invalid UTF-8 at line " + std::to_string(m_line) + ", column " +
           std::to_string(m_column) + ": " + what;
}

void Utf8Guard::decide() {
    const std::string& h = m_head;
    if (h.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        m_mode = Mode::checking;
        return;
    }
    // UTF-16/32 (a BOM or NUL bytes up front) is Xerces' business.
    if (h.find('\0') < 4 || h.compare(0, 2, "\xFE\xFF") == 0 || h.compare(0, 2, "\xFF\xFE") == 0) {
        m_mode = Mode::off;
        return;
    }
    if (h.compare(0, 5, "<?xml") != 0) {
        m_mode = Mode::checking; // no declaration: UTF-8 by definition
        return;
    }
    const std::size_t end = h.find("?>");
    const std::string encoding = declared_encoding(h.substr(0, end));
    m_mode =
        encoding.empty() || encoding == "utf-8" || encoding == "utf8" ? Mode::checking : Mode::off;
}

std::string Utf8Guard::feed(const unsigned char* data, std::size_t size) {
    if (m_mode == Mode::sniffing) {
        m_head.append(reinterpret_cast<const char*>(data), size);
        const bool declaration_complete =
            m_head.compare(0, 5, "<?xml") != 0 || m_head.find("?>") != std::string::npos;
        if (m_head.size() < 5 && size > 0) {
            return {};
        }
        if (!declaration_complete && m_head.size() < k_max_declaration && size > 0) {
            return {};
        }
        decide();
        const std::string head = std::move(m_head);
        m_head.clear();
        if (m_mode == Mode::checking) {
            // A byte order mark is not a character of the first line.
            const std::size_t skip = head.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
            return check(reinterpret_cast<const unsigned char*>(head.data()) + skip,
                         head.size() - skip);
        }
        return {};
    }
    if (m_mode == Mode::checking) {
        return check(data, size);
    }
    return {};
}

std::string Utf8Guard::finish() {
    if (m_mode == Mode::sniffing) {
        std::string error = feed(nullptr, 0);
        if (!error.empty()) {
            return error;
        }
    }
    if (m_mode == Mode::checking && m_need > 0) {
        return error_here(bad_sequence() + " (cut short by the end of the document)");
    }
    return {};
}

std::string Utf8Guard::check(const unsigned char* data, std::size_t size) {
    // Fast path: skip ASCII eight bytes at a time; lines and columns are
    // counted per chunk (vectorisable) or, on an error, up to the error.
    std::size_t i = 0;
    std::ptrdiff_t lead = -1; // index of the current sequence's first byte
    while (i < size) {
        if (m_need == 0) {
            while (i + 8 <= size) {
                std::uint64_t word;
                std::memcpy(&word, data + i, 8);
                if ((word & 0x8080808080808080ULL) != 0) {
                    break;
                }
                i += 8;
            }
            while (i < size && data[i] < 0x80) {
                ++i;
            }
            if (i == size) {
                break;
            }
        }
        const unsigned char b = data[i];
        if (m_need > 0) {
            m_sequence += static_cast<char>(b);
            if (b < m_lo || b > m_hi) {
                return error_at(data, lead);
            }
            --m_need;
            m_lo = 0x80;
            m_hi = 0xBF;
            ++i;
            continue;
        }
        lead = static_cast<std::ptrdiff_t>(i);
        m_sequence.assign(1, static_cast<char>(b));
        if (b >= 0xC2 && b <= 0xDF) {
            m_need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            m_need = 2;
            m_lo = b == 0xE0 ? 0xA0 : 0x80;
            m_hi = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            m_need = 3;
            m_lo = b == 0xF0 ? 0x90 : 0x80;
            m_hi = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            return error_at(data, lead);
        }
        ++i;
    }
    advance(data, size);
    return {};
}

void Utf8Guard::advance(const unsigned char* data, std::size_t size) {
    const unsigned char* end = data + size;
    const unsigned char* line_start = data;
    for (const void* hit = std::memchr(data, '\n', size); hit != nullptr;
         hit = std::memchr(line_start, '\n', static_cast<std::size_t>(end - line_start))) {
        ++m_line;
        m_column = 0;
        line_start = static_cast<const unsigned char*>(hit) + 1;
    }
    m_column += characters(line_start, end);
}

std::string Utf8Guard::error_at(const unsigned char* data, std::ptrdiff_t lead) {
    // A sequence begun in an earlier chunk: its first byte was the last
    // character counted, so m_line and m_column already point at it.
    if (lead >= 0) {
        advance(data, static_cast<std::size_t>(lead));
        ++m_column;
    }
    return error_here(bad_sequence());
}

} // namespace rua::detail
