// The failure kind's value readers: lenient dates (each form real senders
// use, read through a whole ARF message), RFC 2047 subjects, addresses,
// Source-IP forms and the SHA-256 behind identifiers and Subject hashes.
#include "failure_util.hpp"
#include "kinds/failure/date.hpp"
#include "kinds/failure/headers.hpp"
#include "kinds/failure/rfc2047.hpp"
#include "sha256.hpp"

using namespace rua::detail::failure;
using rua::detail::sha256_hex;

namespace {

rua::FailureReport with_arrival(const std::string& date) {
    return failure_test::parse_one(failure_test::arf("Feedback-Type: auth-failure\n"
                                                     "Reported-Domain: sender.example\n"
                                                     "Arrival-Date: " +
                                                     date + "\n"));
}

} // namespace

TEST_CASE("Arrival-Date is read leniently in every form real senders use") {
    struct Case {
        const char* text;
        std::int64_t seconds;
    };
    const Case cases[] = {
        {"Tue, 19 Jul 2022 07:57:48 +0200", 1658210268},           // RFC 5322
        {"Thu, 8 Mar 2005 14:00:00 EDT", 1110304800},              // obsolete zone, wrong weekday
        {"Wed, 14 Apr 2010 12:15:31 -0700 (PDT)", 1271272531},     // zone comment
        {"Mon, 1 Oct 2018 11:20:27 -0000 (EST)", 1538392827},      // -0000 is UTC
        {"Tue, 19 Jul 2022 00:57:48 CST", 1658213868},             // obsolete zone
        {"Fri, 28 Sep 2018 16:48 +0800", 1538124480},              // no seconds
        {"8 Oct 11 20:15:58 +0000", 1318104958},                   // two-digit year, no weekday
        {"31 Dec 99 23:59 GMT", 946684740},                        // two-digit year before 2000
        {"2022-07-19T05:57:48Z", 1658210268},                      // ISO 8601
        {"2022-07-19 07:57:48+02:00", 1658210268},                 // ISO 8601, offset
        {"2022-07-19T05:57:48.250Z", 1658210268},                  // ISO 8601, fraction
        {"Fri, 28 Sep 2018 08:48:36.716 +0000 (UTC)", 1538124516}, // fractional seconds
    };
    for (const auto& c : cases) {
        INFO(c.text);
        const auto report = with_arrival(c.text);
        CHECK(report.arrival_date == c.seconds);
        CHECK(report.warnings.empty());
    }
}

TEST_CASE("an unreadable Arrival-Date gives null and a warning") {
    for (const char* text : {"yesterday", "32 Jan 2022 10:00:00 +0000", "Tue, 19 Jul 2022",
                             "2022-13-01T00:00:00Z", "19 Jul 2022 25:00:00 +0000"}) {
        INFO(text);
        const auto report = with_arrival(text);
        CHECK_FALSE(report.arrival_date);
        CHECK(report.warnings ==
              std::vector<std::string>{std::string("Arrival-Date is not a readable date: \"") +
                                       text + "\""});
    }
}

TEST_CASE("dates are printed back in RFC 5322 form") {
    CHECK(format_date(1658210268) == "Tue, 19 Jul 2022 05:57:48 +0000");
    CHECK(format_date(0) == "Thu, 1 Jan 1970 00:00:00 +0000");
    CHECK(parse_date(format_date(951782400)) == 951782400); // 29 Feb 2000
}

TEST_CASE("Source-IP with a trailing comment or brackets gives the bare canonical address") {
    const auto ip = [](const std::string& value) {
        auto report = failure_test::parse_one(failure_test::arf(
            "Feedback-Type: auth-failure\nReported-Domain: s.example\nSource-IP: " + value + "\n"));
        return report.source_ip ? report.source_ip->text() : std::string("null");
    };
    CHECK(ip("148.163.85.135 (sainay.interpublication.org)") == "148.163.85.135");
    CHECK(ip("[192.0.2.1]") == "192.0.2.1");
    CHECK(ip("2001:DB8::0:1(host)") == "2001:db8::1");
    CHECK(ip("192.0.2.1.5") == "null");
}

TEST_CASE("the original's Subject is RFC 2047-decoded and unfolded") {
    CHECK(decode_rfc2047("=?utf-8?B?Q2Fmw6kgbWVldGluZw==?= =?utf-8?Q?_on_Friday?=") ==
          "Café meeting on Friday");
    CHECK(decode_rfc2047("=?ISO-8859-1?Q?Caf=E9?= ouvert") == "Café ouvert");
    CHECK(decode_rfc2047("=?windows-1252?Q?=80uro?=") == "€uro");
    CHECK(decode_rfc2047("plain =?bogus") == "plain =?bogus");
    CHECK(decode_rfc2047("=?utf-8?X?abc?=") == "=?utf-8?X?abc?=");
    CHECK(decode_rfc2047("bad \xff byte") == "bad \xEF\xBF\xBD byte");
    const auto report = failure_test::parse_one(
        failure_test::arf("Feedback-Type: auth-failure\nReported-Domain: s.example\n",
                          "From: a@s.example\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n"
                          " aus\n\tBerlin\n\nBody\n"));
    CHECK(report.original.subject == "Grüße aus Berlin");
}

TEST_CASE("addresses and Message-IDs are read with or without angle brackets") {
    CHECK(addresses("\"Smith, John\" <john@a.example>, bob@b.example (Bob), <c@c.example>", 10) ==
          std::vector<std::string>{"john@a.example", "bob@b.example", "c@c.example"});
    CHECK(addresses("undisclosed-recipients:;", 10).empty());
    CHECK(addresses("Team: x@a.example, y@a.example;", 10) ==
          std::vector<std::string>{"x@a.example", "y@a.example"});
    CHECK(bare_address("<bounce@forwarder.example>") == "bounce@forwarder.example");
    CHECK(bare_address("bounce@forwarder.example") == "bounce@forwarder.example");
    CHECK(bare_address("<>") == "");
    CHECK(bare_message_id("<m1@example.com>") == "m1@example.com");
    CHECK(bare_message_id("m1@example.com") == "m1@example.com");
    CHECK(bare_message_id(" <m1@example.com> (comment)") == "m1@example.com");
    CHECK(address_domain("x@Mail.Example.") == "mail.example");
}

TEST_CASE("the hash behind identifiers and Subject hashes is SHA-256 (FIPS 180-4 vectors)") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
