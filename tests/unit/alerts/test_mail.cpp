// The alert e-mail builder (core/src/alerts/mail.cpp): fixed headers, a
// subject that no sender text can break, addresses that cannot smuggle a
// header or another recipient in.
#include "base64.hpp"

#include <rua/alerts.hpp>

#include <doctest/doctest.h>

#include <string>

using rua::alerts::build_mail;
using rua::alerts::MailMessage;

namespace {

MailMessage sample() {
    MailMessage m;
    m.from = "rua-milter@mx.example.net";
    m.to = "dmarc@example.net";
    m.subject = "[rua-milter] compliance alert for example.net";
    m.body = "Compliance fell.\n";
    m.date = "Wed, 02 Dec 2026 03:00:00 +0000";
    m.message_id = "rua-alert-7.1@mx.example.net";
    return m;
}

std::string headers_of(const std::string& text) {
    return text.substr(0, text.find("\r\n\r\n") + 2);
}

} // namespace

TEST_CASE("a plain alert mail has the fixed headers and a base64 body") {
    const auto text = build_mail(sample());
    CHECK(headers_of(text) == "From: rua-milter@mx.example.net\r\n"
                              "To: dmarc@example.net\r\n"
                              "Subject: [rua-milter] compliance alert for example.net\r\n"
                              "Date: Wed, 02 Dec 2026 03:00:00 +0000\r\n"
                              "Message-ID: <rua-alert-7.1@mx.example.net>\r\n"
                              "Auto-Submitted: auto-generated\r\n"
                              "MIME-Version: 1.0\r\n"
                              "Content-Type: text/plain; charset=utf-8\r\n"
                              "Content-Transfer-Encoding: base64\r\n");
    const auto body = text.substr(text.find("\r\n\r\n") + 4);
    CHECK(body == "Q29tcGxpYW5jZSBmZWxsLgo=\r\n");
    CHECK(rua::detail::decode_base64(body) == "Compliance fell.\n");
}

TEST_CASE("a subject with CR LF from a sender is encoded, never a new header") {
    auto m = sample();
    m.subject = "alert for evil.example\r\nBcc: victim@example.org";
    const auto text = build_mail(m);
    const auto headers = headers_of(text);
    CHECK(headers.find("\r\nBcc:") == std::string::npos);
    CHECK(
        headers.find(
            "Subject: =?UTF-8?B?YWxlcnQgZm9yIGV2aWwuZXhhbXBsZQ0KQmNjOiB2aWN0aW1AZXhhbXBsZS5v?=\r\n"
            " =?UTF-8?B?cmc=?=\r\n") != std::string::npos);
}

TEST_CASE("a non-ASCII subject is split into encoded words of whole characters") {
    auto m = sample();
    m.subject = std::string(44, 'a') + "\xc3\xa9"; // 'é' would straddle the 45-byte word
    const auto headers = headers_of(build_mail(m));
    CHECK(headers.find(
              "Subject: =?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=?="
              "\r\n =?UTF-8?B?w6k=?=\r\n") != std::string::npos);
}

TEST_CASE("a subject that looks like an encoded word is encoded itself") {
    auto m = sample();
    m.subject = "=?UTF-8?B?Zm9v?=";
    CHECK(headers_of(build_mail(m)).find("Subject: =?UTF-8?B?PT9VVEYtOD9CP1ptOXY/PQ==?=\r\n") !=
          std::string::npos);
}

TEST_CASE("addresses that would add a header or a recipient are refused") {
    for (const char* bad :
         {"dmarc@example.net\r\nBcc: x@example.org", "a@example.net, b@example.org",
          "Name <a@example.net>", "no-at-sign", "@example.net", "a@", "a b@example.net"}) {
        CAPTURE(bad);
        auto m = sample();
        m.to = bad;
        CHECK_THROWS_AS(build_mail(m), rua::BadInput);
        m = sample();
        m.from = bad;
        CHECK_THROWS_AS(build_mail(m), rua::BadInput);
    }
    auto m = sample();
    m.date = "Wed\r\nBcc: x@example.org";
    CHECK_THROWS_WITH_AS(build_mail(m), "invalid Date", rua::BadInput);
}
