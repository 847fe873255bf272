// The MIME stage alone: lenient transfer decoding, filename sanitising and
// the walk over multipart and message/rfc822 trees with its bounds.
#include "base64.hpp"
#include "filename.hpp"
#include "fixtures.hpp"
#include "mime.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>

using namespace rua::detail;

TEST_CASE("base64 decoding accepts long lines, LF, stray white space and missing padding") {
    const std::string data = "The quick brown fox jumps over the lazy dog.";
    CHECK(decode_base64(fixtures::base64(data, 76, true)) == data);
    CHECK(decode_base64(fixtures::base64(data, 0)) == data);
    CHECK(decode_base64(fixtures::base64(data, 7, false)) == data);
    CHECK(decode_base64("  SGVs\tbG8 \r\n") == "Hello");
    CHECK(decode_base64("SGVsbG8") == "Hello"); // padding missing
    CHECK(decode_base64("SGk=SGk=") == "HiHi"); // concatenated blocks
    CHECK(decode_base64("") == "");
}

TEST_CASE("base64 one- and two-byte tails decode with or without padding") {
    CHECK(decode_base64("TQ==") == "M");
    CHECK(decode_base64("TQ") == "M");
    CHECK(decode_base64("TQ=") == "M");
    CHECK(decode_base64("TWE=") == "Ma");
    CHECK(decode_base64("TWE") == "Ma");
    CHECK(decode_base64("TWFu") == "Man");
    CHECK(decode_base64("TWFuTQ==") == "ManM");
    CHECK(decode_base64("TWFuTQ") == "ManM");
    CHECK(decode_base64("TQ==\r\n") == "M");
    // Every byte value survives as a one-byte tail.
    for (int b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        CAPTURE(b);
        CHECK(decode_base64(fixtures::base64(one, 0)) == one);
    }
}

TEST_CASE("base64 decoding rejects bytes outside the alphabet with their offset") {
    CHECK_THROWS_WITH_AS(decode_base64("SGVs!bG8="),
                         "invalid base64: unexpected byte 0x21 at offset 4", rua::BadInput);
    CHECK_THROWS_WITH_AS(decode_base64("SGVsb"),
                         "invalid base64: a lone symbol at the end of a block", rua::BadInput);
}

TEST_CASE("quoted-printable decoding handles escapes, soft breaks and stray equals") {
    CHECK(decode_quoted_printable("caf=C3=A9 =3D ok") == "caf\xc3\xa9 = ok");
    CHECK(decode_quoted_printable("long=\r\nline=\nend") == "longlineend");
    CHECK(decode_quoted_printable("a=zz b=") == "a=zz b=");
}

TEST_CASE("filenames are reduced to a safe basename") {
    CHECK(sanitize_filename("report.xml.gz") == "report.xml.gz");
    CHECK(sanitize_filename("../../etc/passwd") == "passwd");
    CHECK(sanitize_filename("C:\\Users\\x\\r.zip") == "r.zip");
    CHECK(sanitize_filename("a\r\nb\x7f.xml") == "ab.xml");
    CHECK(sanitize_filename("x..y") == "x.y");
    CHECK(sanitize_filename("..") == std::nullopt);
    CHECK(sanitize_filename("dir/") == std::nullopt);
    CHECK(sanitize_filename(std::string(300, 'a'))->size() == k_max_filename_bytes);
    // A cut never splits a UTF-8 character.
    CHECK(sanitize_filename(std::string(199, 'a') + "\xc3\xa9")->size() == 199);
}

TEST_CASE("zip member paths that leave the directory are unsafe") {
    CHECK(is_unsafe_path("../../etc/passwd.xml"));
    CHECK(is_unsafe_path("a/../../x.xml"));
    CHECK(is_unsafe_path("/etc/x.xml"));
    CHECK(is_unsafe_path("dir\\x.xml"));
    CHECK(is_unsafe_path("C:x.xml"));
    CHECK(is_unsafe_path(""));
    CHECK_FALSE(is_unsafe_path("google.com!example.com!1!2.xml"));
    CHECK_FALSE(is_unsafe_path("sub/dir/report..xml"));
}

TEST_CASE("printable escapes control characters and quotes") {
    CHECK(printable("a\"b\nc") == "a\\x22b\\x0ac");
    CHECK(printable("abcdef", 3) == "abc...");
}

TEST_CASE("a multipart message yields its leaves in order with labels") {
    const auto message = fixtures::multipart({
        {"Content-Type: text/plain; charset=us-ascii\r\n", "Hello.\r\n"},
        fixtures::attachment("application/gzip", "x.xml.gz", "payload"),
    });
    const auto tree = walk_mime(message, rua::Limits{});
    REQUIRE(tree.leaves.size() == 2);
    CHECK(tree.leaves[0].part == 1);
    CHECK(tree.leaves[0].content_type == "text/plain");
    CHECK(tree.leaves[0].body == "Hello.\r\n");
    CHECK(tree.leaves[1].part == 2);
    CHECK(tree.leaves[1].content_type == "application/gzip");
    CHECK(tree.leaves[1].filename == "x.xml.gz");
    CHECK(tree.leaves[1].transfer_encoding == "base64");
    CHECK(decode_body(tree.leaves[1]) == "payload");
}

TEST_CASE("a message without multipart is its own single leaf") {
    const std::string message = "From: noreply-dmarc-support@google.com\n"
                                "Content-Type: application/zip; \n"
                                "  name=\"google.com!example.com!1!2.zip\"\n"
                                "Content-Transfer-Encoding: base64\n\n" +
                                fixtures::base64("zipdata", 76, false);
    const auto tree = walk_mime(message, rua::Limits{});
    REQUIRE(tree.leaves.size() == 1);
    CHECK(tree.leaves[0].part == 1);
    CHECK(tree.leaves[0].content_type == "application/zip");
    CHECK(tree.leaves[0].filename == "google.com!example.com!1!2.zip");
    CHECK(decode_body(tree.leaves[0]) == "zipdata");
}

TEST_CASE("RFC 2231 continued filenames are decoded and sanitised") {
    const auto message =
        fixtures::multipart({{"Content-Type: application/octet-stream;\r\n"
                              " name*0=\"amazonses.com!example.com!1745884800!1745971200.xm\";\r\n"
                              " name*1=\"l.gz\"\r\nContent-Disposition: attachment;\r\n"
                              " filename*=utf-8''..%2F..%2Fr%C3%A9port.xml.gz\r\n",
                              "data"}});
    const auto tree = walk_mime(message, rua::Limits{});
    REQUIRE(tree.leaves.size() == 1);
    CHECK(tree.leaves[0].filename == "r\xc3\xa9port.xml.gz");
    const auto by_name = walk_mime(
        fixtures::multipart({{"Content-Type: application/octet-stream;\r\n"
                              " name*0=\"amazonses.com!example.com!1745884800!1745971200.xm\";\r\n"
                              " name*1=\"l.gz\"\r\n",
                              "data"}}),
        rua::Limits{});
    REQUIRE(by_name.leaves.size() == 1);
    CHECK(by_name.leaves[0].filename == "amazonses.com!example.com!1745884800!1745971200.xml.gz");
}

TEST_CASE("a Trustwave ContentType header without the hyphen labels the part") {
    const auto message =
        fixtures::multipart({{"ContentType: application/gzip; name=\"t.xml.gz\"\r\n"
                              "Content-Transfer-Encoding: base64\r\n",
                              fixtures::base64("gz")}});
    const auto tree = walk_mime(message, rua::Limits{});
    REQUIRE(tree.leaves.size() == 1);
    CHECK(tree.leaves[0].content_type == "application/gzip");
    CHECK(tree.leaves[0].filename == "t.xml.gz");
}

TEST_CASE("message/rfc822 parts are descended into") {
    const auto inner = fixtures::multipart(
        {fixtures::attachment("application/gzip", "inner.xml.gz", "inner")}, "inner-b");
    const auto outer =
        fixtures::multipart({{"Content-Type: text/plain\r\n", "See the forwarded report.\r\n"},
                             {"Content-Type: message/rfc822\r\n", inner}});
    const auto tree = walk_mime(outer, rua::Limits{});
    REQUIRE(tree.leaves.size() == 2);
    CHECK(tree.leaves[1].part == 2);
    CHECK(tree.leaves[1].filename == "inner.xml.gz");
    CHECK(decode_body(tree.leaves[1]) == "inner");
}

TEST_CASE("nesting beyond max_mime_depth is refused with a clear error") {
    std::string message = fixtures::multipart({fixtures::attachment("text/xml", "r.xml", "<a/>")});
    for (int level = 0; level < 6; ++level) {
        message = fixtures::multipart({{"Content-Type: message/rfc822\r\n", message}},
                                      "level" + std::to_string(level));
    }
    CHECK_THROWS_WITH_AS(walk_mime(message, rua::Limits{}), "MIME nesting deeper than 4 levels",
                         rua::LimitExceeded);
    rua::Limits deep;
    deep.max_mime_depth = 20;
    CHECK(walk_mime(message, deep).leaves.size() == 1);
}

TEST_CASE("more leaves than max_parts are refused") {
    std::vector<fixtures::Part> parts(5, {"Content-Type: text/plain\r\n", "x"});
    rua::Limits limits;
    limits.max_parts = 4;
    CHECK_THROWS_WITH_AS(walk_mime(fixtures::multipart(parts), limits),
                         "message has more than 4 MIME parts", rua::LimitExceeded);
    limits.max_parts = 5;
    CHECK(walk_mime(fixtures::multipart(parts), limits).leaves.size() == 5);
}

TEST_CASE("LF-only messages and a space-only separator line are split correctly") {
    const std::string message = "Content-Type: multipart/mixed; boundary=zz\n\n--zz\n"
                                "Content-Type: application/gzip\n \nBODY\n--zz--\n";
    const auto tree = walk_mime(message, rua::Limits{});
    REQUIRE(tree.leaves.size() == 1);
    CHECK(tree.leaves[0].content_type == "application/gzip");
    CHECK(tree.leaves[0].body == "BODY");
}

TEST_CASE("RFC 2047 encoded filenames are decoded") {
    const auto message = fixtures::multipart(
        {{"Content-Type: application/gzip;\r\n name=\"=?UTF-8?B?csOpcG9ydC54bWwuZ3o=?=\"\r\n",
          "x"}});
    const auto tree = walk_mime(message, rua::Limits{});
    REQUIRE(tree.leaves.size() == 1);
    CHECK(tree.leaves[0].filename == "r\xc3\xa9port.xml.gz");
}

TEST_CASE("a header with thousands of unrelated fields still labels the part") {
    std::string noise;
    for (int i = 0; i < 5000; ++i) {
        noise += "X-Noise-" + std::to_string(i) + ": " + std::string(60, 'v') + "\r\n";
    }
    noise += "Subject: " + std::string(200000, 's') + "\r\n";
    const auto message = fixtures::multipart(
        {{noise + "Content-Type: application/gzip; name=\"n.xml.gz\"\r\n", "x"}});
    const auto tree = walk_mime(message, rua::Limits{});
    REQUIRE(tree.leaves.size() == 1);
    CHECK(tree.leaves[0].content_type == "application/gzip");
    CHECK(tree.leaves[0].filename == "n.xml.gz");
}
