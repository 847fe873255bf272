// The fast, table-driven base64 decoder (core/src/base64.cpp) against a
// plain one-symbol-at-a-time reference: the same bytes for every mix of
// line lengths, CRLF or LF, stray white space and padding between blocks.
#include "base64.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode(std::string_view bytes) {
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const auto v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6) {
            out += k_alphabet[(v >> shift) & 63];
        }
    }
    if (i < bytes.size()) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        if (i + 1 < bytes.size()) {
            v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        }
        out += k_alphabet[(v >> 18) & 63];
        out += k_alphabet[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? k_alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

} // namespace

TEST_CASE("base64 decodes blocks split by any line breaks and white space to the same bytes") {
    // A fixed seed: the same inputs every run, so a failure can be replayed.
    std::mt19937 random(20261201); // NOLINT(cert-msc32-c,cert-msc51-cpp)
    for (int round = 0; round < 300; ++round) {
        // One to three encoded blocks, concatenated (padding mid-stream).
        std::string expected;
        std::string encoded;
        const int blocks = 1 + static_cast<int>(random() % 3);
        for (int b = 0; b < blocks; ++b) {
            std::string bytes(random() % 200, '\0');
            for (auto& c : bytes) {
                c = static_cast<char>(random() & 0xff);
            }
            expected += bytes;
            encoded += encode(bytes);
        }
        const std::size_t line = 1 + random() % 80;
        const char* const breaks[] = {"\r\n", "\n", " ", "\t", "\r\n "};
        std::string text;
        for (std::size_t i = 0; i < encoded.size(); ++i) {
            if (i > 0 && i % line == 0) {
                text += breaks[random() % 5];
            }
            text += encoded[i];
        }
        text += "\r\n";
        CAPTURE(text);
        CHECK(rua::detail::decode_base64(text) == expected);
    }
}
