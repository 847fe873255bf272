// What each Privacy setting keeps of a failure report: masked addresses and
// a hashed Subject under redacted, headers without body, the bounded body
// under full; and the private form (the archived and quarantined stand-in)
// parses back through the same parser as the same report.
#include "failure_util.hpp"
#include "kinds/failure/redact.hpp"
#include "sha256.hpp"

using failure_test::fixture;
using failure_test::parse_one;
using rua::Privacy;
using namespace rua::detail::failure;
using rua::detail::sha256_hex;

namespace {

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

} // namespace

TEST_CASE("local parts of addresses are masked, domains kept") {
    CHECK(mask_address("john@example.com") == "j***@example.com");
    CHECK(mask_address("postmaster") == "p***");
    CHECK(mask_address("@example.com") == "@example.com");
    CHECK(mask_address("") == "");
    CHECK(mask_address("\xc3\xa9lise@example.com") == "\xc3\xa9***@example.com");
    CHECK(mask_text("spf=pass smtp.mailfrom=bounce@fw.example; for <carol@mta.example>") ==
          "spf=pass smtp.mailfrom=b***@fw.example; for <c***@mta.example>");
    CHECK(mask_text("no address @ here, header.d=example.com") ==
          "no address @ here, header.d=example.com");
}

TEST_CASE("redacted keeps masked fields, the Subject as hash and length, and no body") {
    const auto report = parse_one(fixture("arf_rfc822.eml"));
    const auto kept = kept_form(report, Privacy::redacted);
    CHECK(kept.original_mail_from == "b***@forwarder.example");
    CHECK(kept.original_rcpt_to ==
          std::vector<std::string>{"a***@receiver.example", "b***@receiver.example"});
    CHECK(kept.original.from == "j***@sender.example");
    CHECK(kept.original.to ==
          std::vector<std::string>{"a***@receiver.example", "b***@receiver.example"});
    CHECK_FALSE(kept.original.subject);
    CHECK(kept.original.subject_sha256 == sha256_hex("Café meeting on Friday"));
    CHECK(kept.original.subject_length == 23);
    CHECK(kept.original.body.empty());
    CHECK(kept.authentication_results ==
          std::vector<std::string>{"receiver.example; dmarc=fail (p=reject) "
                                   "header.from=sender.example; spf=pass "
                                   "smtp.mailfrom=b***@forwarder.example"});
    CHECK(redacted_subject(report.original) ==
          "[redacted: sha256 " + sha256_hex("Café meeting on Friday").substr(0, 16) +
              " length 23]");
    // What the report says for the key and the domain check is unchanged.
    CHECK(kept.reported_domain == report.reported_domain);
    CHECK(kept.original.message_id == report.original.message_id);
    CHECK(kept.source_ip == report.source_ip);
}

TEST_CASE("headers keeps everything unmasked but the body; full keeps the bounded body") {
    const auto report = parse_one(fixture("arf_rfc822.eml"));
    const auto headers = kept_form(report, Privacy::headers);
    CHECK(headers.original.from == "john@sender.example");
    CHECK(headers.original.subject == "Café meeting on Friday");
    CHECK(headers.original.body.empty());
    CHECK(headers.original.body_bytes == 33);
    const auto full = kept_form(report, Privacy::full);
    CHECK(full.original.body == "Hello Alice, see you on Friday.\r\n");
    rua::Limits limits;
    limits.max_original_body_bytes = 5;
    CHECK(kept_form(parse_one(fixture("arf_rfc822.eml"), limits), Privacy::full).original.body ==
          "Hello");
}

TEST_CASE("the private form is a small ARF e-mail without the body, masked under redacted") {
    const auto report = parse_one(fixture("arf_rfc822.eml"));
    CHECK_FALSE(report.private_form(Privacy::full));
    const auto redacted = report.private_form(Privacy::redacted);
    REQUIRE(redacted);
    CHECK(contains(*redacted, "Content-Type: message/feedback-report\r\n"));
    CHECK(contains(*redacted, "Content-Type: text/rfc822-headers; charset=utf-8\r\n"));
    CHECK(contains(*redacted, "Original-Mail-From: <b***@forwarder.example>\r\n"));
    CHECK(contains(*redacted, "From: <j***@sender.example>\r\n"));
    CHECK(contains(*redacted, "To: <a***@receiver.example>, <b***@receiver.example>\r\n"));
    CHECK(contains(*redacted, "Subject: " + redacted_subject(report.original) + "\r\n"));
    CHECK(contains(*redacted, "Message-ID: <msg-42@sender.example>\r\n"));
    CHECK_FALSE(contains(*redacted, "john"));
    CHECK_FALSE(contains(*redacted, "John Smith"));
    CHECK_FALSE(contains(*redacted, "Hello Alice"));
    CHECK_FALSE(contains(*redacted, "Q2Fmw6kg"));
    const auto headers = report.private_form(Privacy::headers);
    REQUIRE(headers);
    CHECK(contains(*headers, "From: John Smith <john@sender.example>\r\n"));
    CHECK_FALSE(contains(*headers, "Hello Alice"));
}

TEST_CASE("the private form parses back as the same failure report") {
    for (const char* name : {"arf_rfc822.eml", "arf_headers.eml", "arf_header_typo.eml",
                             "text_form.eml", "abuse.eml", "odd_fields.eml"}) {
        for (const auto privacy : {Privacy::redacted, Privacy::headers}) {
            INFO(name << " under " << rua::to_string(privacy));
            const auto report = parse_one(fixture(name));
            const auto form = report.private_form(privacy);
            REQUIRE(form);
            const auto again = parse_one(*form);
            CHECK(again.format == "arf");
            CHECK(again.reported_domain == report.reported_domain);
            CHECK(again.feedback_type == report.feedback_type);
            CHECK(again.source_ip == report.source_ip);
            CHECK(again.domains() == report.domains());
            CHECK(again.original.message_id == report.original.message_id);
            CHECK(again.original.body.empty());
        }
    }
}

TEST_CASE("an ARF report's private form under headers keeps its key") {
    const auto report = parse_one(fixture("arf_headers.eml"));
    const auto again = parse_one(*report.private_form(Privacy::headers));
    CHECK(again.fingerprint() == report.fingerprint());
}
