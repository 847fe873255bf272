// Base64 decoded as it is read (base64_source.hpp): exactly decode_base64's
// bytes for plain text, in any read size; odd text is left to decode_base64.
#include "base64.hpp"
#include "base64_source.hpp"
#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

std::string encode(const std::string& bytes, std::size_t line_length) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t column = 0;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const auto at = [&](std::size_t k) {
            return k < bytes.size() ? static_cast<unsigned char>(bytes[k]) : 0u;
        };
        const unsigned n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        const char group[4] = {k_alphabet[(n >> 18) & 63], k_alphabet[(n >> 12) & 63],
                               i + 1 < bytes.size() ? k_alphabet[(n >> 6) & 63] : '=',
                               i + 2 < bytes.size() ? k_alphabet[n & 63] : '='};
        for (const char c : group) {
            out += c;
            if (++column == line_length) {
                out += "\r\n";
                column = 0;
            }
        }
    }
    return out;
}

std::string drain(rua::detail::ByteSource& source, std::size_t step) {
    std::string out;
    std::string buffer(step, '\0');
    for (std::size_t n = 0; (n = source.read(buffer.data(), step)) > 0;) {
        out.append(buffer, 0, n);
    }
    return out;
}

} // namespace

TEST_CASE("Base64Source gives decode_base64's bytes for any read size and line length") {
    for (const std::size_t size : {0u, 1u, 2u, 3u, 100u, 200000u}) {
        const std::string bytes = fixtures::bytes_sample(size);
        for (const std::size_t line : {76u, 61u, 1000000u}) {
            const std::string text = encode(bytes, line);
            REQUIRE(rua::detail::plain_base64(text));
            REQUIRE(rua::detail::decode_base64(text) == bytes);
            for (const std::size_t step : {1u, 4096u, 65536u}) {
                if (size > 1000 && step == 1) {
                    continue;
                }
                rua::detail::Base64Source source(text);
                const bool same = drain(source, step) == bytes;
                CHECK_MESSAGE(same, "size " << size << " line " << line << " step " << step);
            }
            std::string chunks;
            rua::detail::Base64Bytes(text).read([&](std::string_view c) { chunks.append(c); });
            const bool same = chunks == bytes;
            CHECK(same);
        }
    }
}

TEST_CASE("only plain base64 is decoded in chunks") {
    CHECK(rua::detail::plain_base64("QUJD\r\nREVG\r\n"));
    CHECK(rua::detail::plain_base64("QQ=="));
    CHECK_FALSE(rua::detail::plain_base64("QQ==QUJD")); // concatenated blocks
    CHECK_FALSE(rua::detail::plain_base64("QUJ"));      // missing padding
    CHECK_FALSE(rua::detail::plain_base64("QU*D"));     // not base64
    CHECK_FALSE(rua::detail::plain_base64("Q==="));
}
