// The failure kind's exactly-once key (FailureReport::fingerprint): the
// content, never how it arrived. Re-encoded (base64, quoted line endings,
// reordered fields) it stays the same; another original Message-ID, another
// field value or another reported domain makes it another report.
#include "failure_util.hpp"
#include "sha256.hpp"

#include <string>

using failure_test::fixture;
using failure_test::parse_one;

namespace {

std::string base64(std::string_view data) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t line = 0;
    for (std::size_t i = 0; i < data.size(); i += 3) {
        unsigned n = static_cast<unsigned char>(data[i]) << 16;
        if (i + 1 < data.size()) {
            n |= static_cast<unsigned char>(data[i + 1]) << 8;
        }
        if (i + 2 < data.size()) {
            n |= static_cast<unsigned char>(data[i + 2]);
        }
        out.push_back(k_alphabet[(n >> 18) & 63]);
        out.push_back(k_alphabet[(n >> 12) & 63]);
        out.push_back(i + 1 < data.size() ? k_alphabet[(n >> 6) & 63] : '=');
        out.push_back(i + 2 < data.size() ? k_alphabet[n & 63] : '=');
        if (++line == 19) {
            out += "\r\n";
            line = 0;
        }
    }
    return out;
}

// arf_rfc822.eml with its feedback part and its original both base64-encoded.
std::string base64_variant() {
    const auto raw = fixture("arf_rfc822.eml");
    const std::string delimiter = "\r\n--==arf-1==";
    std::string out;
    std::size_t pos = 0;
    for (const std::string type : {"message/feedback-report", "message/rfc822"}) {
        const auto header = raw.find("Content-Type: " + type, pos);
        const auto body = raw.find("\r\n\r\n", header) + 4;
        const auto end = raw.find(delimiter, body);
        out += raw.substr(pos, header - pos);
        out += "Content-Type: " + type + "\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        out += base64(raw.substr(body, end - body));
        pos = end;
    }
    out += raw.substr(pos);
    return out;
}

std::string fields_with(const std::string& extra, const std::string& message_id = "m1") {
    return failure_test::arf(
        "Feedback-Type: auth-failure\nReported-Domain: sender.example\n" + extra,
        "From: a@sender.example\nMessage-ID: <" + message_id + "@sender.example>\n\nBody.\n");
}

} // namespace

TEST_CASE("the same report base64-encoded or with LF line endings has the same key") {
    const auto original = parse_one(fixture("arf_rfc822.eml"));
    const auto encoded = base64_variant();
    REQUIRE(encoded.find("Content-Transfer-Encoding: base64") != std::string::npos);
    const auto re_encoded = parse_one(encoded);
    CHECK(re_encoded.to_json() == original.to_json());
    CHECK(re_encoded.fingerprint() == original.fingerprint());
    CHECK(parse_one(failure_test::with_lf(encoded)).fingerprint() == original.fingerprint());
    CHECK(re_encoded.identifier() == original.identifier());
    CHECK(original.identifier() == rua::detail::sha256_hex(original.fingerprint()).substr(0, 16));
}

TEST_CASE("field order, name case and folding do not change the key") {
    const auto a = parse_one(fields_with("Source-IP: 192.0.2.1\nAuth-Failure: dmarc\n"));
    const auto b = parse_one(fields_with("auth-failure:   dmarc\nSOURCE-IP:\n 192.0.2.1\n"));
    CHECK(a.fingerprint() == b.fingerprint());
}

TEST_CASE("another Message-ID, field value or domain makes another key") {
    const auto a = parse_one(fields_with("Source-IP: 192.0.2.1\n"));
    CHECK(parse_one(fields_with("Source-IP: 192.0.2.1\n", "m2")).fingerprint() != a.fingerprint());
    CHECK(parse_one(fields_with("Source-IP: 192.0.2.9\n")).fingerprint() != a.fingerprint());
    CHECK(parse_one(fields_with("Source-IP: 192.0.2.1\nReported-Domain: other.example\n"))
              .fingerprint() != a.fingerprint());
}

TEST_CASE("the text form's key covers the original's headers") {
    const auto raw = fixture("text_form.eml");
    const auto a = parse_one(raw);
    CHECK(parse_one(failure_test::with_crlf(raw)).fingerprint() == a.fingerprint());
    auto other = raw;
    other.replace(other.find("Payment from"), 7, "Invoice");
    CHECK(parse_one(other).fingerprint() != a.fingerprint());
}

TEST_CASE("the key has a fixed, documented encoding") {
    const auto report = parse_one(fields_with(""));
    CHECK(report.fingerprint() == "s9;failure/1s3;arf2;s13;feedback-types12;auth-failure"
                                  "s15;reported-domains14;sender.examples17;m1@sender.example"
                                  "s14;sender.example");
}
