// Lenient base64 and quoted-printable decoding of MIME bodies. Works on the
// raw message bytes in one decoding pass with one output buffer; must never
// read past the input or throw for anything but bytes that cannot be base64.
#include "base64.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace rua::detail {

namespace {

constexpr int k_skip = -1;    // white space, ignored
constexpr int k_pad = -2;     // '='
constexpr int k_invalid = -3; // anything else

constexpr std::array<int, 256> make_table() {
    std::array<int, 256> table{};
    for (auto& entry : table) {
        entry = k_invalid;
    }
    constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    }
    for (char c : std::string_view(" \t\r\n\f\v")) {
        table[static_cast<unsigned char>(c)] = k_skip;
    }
    table[static_cast<unsigned char>('=')] = k_pad;
    return table;
}

constexpr std::array<int, 256> k_table = make_table();

// The fast path's tables: symbol `s` at position p of a group of four is
// its six bits already shifted into place (position 0 highest), and any
// byte that is not a symbol sets k_not_symbol, which no sum of symbols
// reaches; OR-ing four lookups decodes a group or tells it is not plain.
constexpr std::uint32_t k_not_symbol = 0x80000000U;

constexpr std::array<std::uint32_t, 256> make_shifted(int shift) {
    std::array<std::uint32_t, 256> table{};
    for (std::size_t i = 0; i < table.size(); ++i) {
        const int value = k_table[i];
        table[i] = value >= 0 ? static_cast<std::uint32_t>(value) << shift : k_not_symbol;
    }
    return table;
}

constexpr std::array<std::uint32_t, 256> k_shift18 = make_shifted(18);
constexpr std::array<std::uint32_t, 256> k_shift12 = make_shifted(12);
constexpr std::array<std::uint32_t, 256> k_shift6 = make_shifted(6);
constexpr std::array<std::uint32_t, 256> k_shift0 = make_shifted(0);

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

} // namespace

std::string decode_base64(std::string_view text) {
    // Written through a pointer into a buffer of the largest possible size,
    // then cut to length: a push_back per byte cost a capacity check each.
    // Line breaks carry nothing, so they are left out of the size: the
    // buffer's pages are all touched, and a 17 MB report should not hold an
    // unused half megabyte.
    const auto breaks = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n') +
                                                 std::count(text.begin(), text.end(), '\r'));
    std::string out((text.size() - breaks) / 4 * 3 + 3, '\0');
    char* const begin = out.data();
    char* put = begin;
    std::uint32_t group = 0;
    int count = 0; // symbols in the current group of four
    auto flush = [&] {
        // Two symbols carry one byte, three carry two (padding or not).
        if (count == 1) {
            throw BadInput("invalid base64: a lone symbol at the end of a block");
        }
        if (count >= 2) {
            *put++ = static_cast<char>((group >> 16) & 0xff);
        }
        if (count >= 3) {
            *put++ = static_cast<char>((group >> 8) & 0xff);
        }
        group = 0;
        count = 0;
    };
    const auto* const bytes = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    std::size_t i = 0;
    while (i < size) {
        if (count == 0) {
            // Fast path: runs of whole groups (a MIME line holds 19) decode
            // with four lookups and three stores each; line breaks between
            // groups are skipped here, and padding, other white space or a
            // bad byte sends one byte to the careful path.
            while (i + 4 <= size) {
                const std::uint32_t quad = k_shift18[bytes[i]] | k_shift12[bytes[i + 1]] |
                                           k_shift6[bytes[i + 2]] | k_shift0[bytes[i + 3]];
                if ((quad & k_not_symbol) != 0) {
                    if (bytes[i] == '\r' || bytes[i] == '\n') {
                        ++i; // a line break between groups carries nothing
                        continue;
                    }
                    break;
                }
                put[0] = static_cast<char>((quad >> 16) & 0xff);
                put[1] = static_cast<char>((quad >> 8) & 0xff);
                put[2] = static_cast<char>(quad & 0xff);
                put += 3;
                i += 4;
            }
            if (i >= size) {
                break;
            }
        }
        const int value = k_table[bytes[i]];
        if (value == k_skip) {
            ++i;
            continue;
        }
        if (value == k_pad) {
            // Padding ends a block; encoders that concatenate blocks pad
            // in the middle of the data, so decoding goes on after it.
            if (count > 0) {
                group <<= 6 * (4 - count);
                flush();
            }
            ++i;
            continue;
        }
        if (value == k_invalid) {
            throw BadInput(
                fmt::format("invalid base64: unexpected byte 0x{:02x} at offset {}", bytes[i], i));
        }
        group = (group << 6) | static_cast<std::uint32_t>(value);
        if (++count == 4) {
            put[0] = static_cast<char>((group >> 16) & 0xff);
            put[1] = static_cast<char>((group >> 8) & 0xff);
            put[2] = static_cast<char>(group & 0xff);
            put += 3;
            group = 0;
            count = 0;
        }
        ++i;
    }
    if (count > 0) {
        group <<= 6 * (4 - count);
        flush();
    }
    out.resize(static_cast<std::size_t>(put - begin));
    return out;
}

std::string decode_quoted_printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '=') {
            out.push_back(c);
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '\n') {
            i += 1; // soft line break, LF only
            continue;
        }
        if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') {
            i += 2; // soft line break
            continue;
        }
        if (i + 2 < text.size()) {
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        out.push_back(c); // a stray '=' stays literal
    }
    return out;
}

} // namespace rua::detail
