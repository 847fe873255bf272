// The failure kind read through walk_mime + Kind::scan_message, one fixture
// per decision (tests/fixtures/failure), each checked against its exact
// `ruactl parse` line; plus the MIME entities the finder relies on.
#include "failure_util.hpp"

#include <rua/json.hpp>

using failure_test::fixture;
using failure_test::parse_one;
using failure_test::scan;

namespace {

constexpr const char* k_source =
    R"("authenticity":"unknown","authserv_id":null,"source":{"file":null,"part":0,"filename":null,"content_type":null,"compression":null})";

std::string golden(const std::string& head, const std::string& warnings = "[]") {
    return head + "," + k_source + ",\"warnings\":" + warnings + "}";
}

} // namespace

TEST_CASE("the MIME walk lists every entity with its parent and leaf number") {
    const auto raw = fixture("arf_rfc822.eml");
    const auto tree = rua::detail::walk_mime(raw, rua::Limits{});
    REQUIRE(tree.entities.size() == 5);
    CHECK(tree.entities[0].parent == -1);
    CHECK(tree.entities[0].type == "multipart");
    CHECK(tree.entities[0].subtype == "report");
    CHECK(tree.entities[0].leaf_part == 0);
    CHECK(tree.entities[1].parent == 0);
    CHECK(tree.entities[1].leaf_part == 1);
    CHECK(tree.entities[2].subtype == "feedback-report");
    CHECK(tree.entities[2].leaf_part == 2);
    CHECK(tree.entities[3].subtype == "rfc822");
    CHECK(tree.entities[3].leaf_part == 0);
    CHECK(tree.entities[4].parent == 3);
    CHECK(tree.entities[4].leaf_part == 3);
    CHECK(tree.entities[4].body == "Hello Alice, see you on Friday.\r\n");
    // The leaves are what they were before entities existed.
    REQUIRE(tree.leaves.size() == 3);
    CHECK(tree.leaves[2].content_type == "text/plain");
}

TEST_CASE("ARF with the original as message/rfc822 (CRLF, folded, RFC 2047 subject)") {
    const auto raw = fixture("arf_rfc822.eml");
    const auto findings = scan(raw);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].parts == std::vector<int>{1, 2, 3});
    CHECK(findings[0].part == 2);
    CHECK(findings[0].content_type == "message/feedback-report");
    CHECK(findings[0].format == "arf");
    CHECK(findings[0].bytes == raw);
    const auto report = parse_one(raw);
    CHECK(report.to_json() ==
          golden(R"({"kind":"failure","format":"arf","feedback_type":"auth-failure",)"
                 R"("user_agent":"ExampleFilter/2.1","version":"1","arrival_date":1658210268,)"
                 R"("source_ip":"192.0.2.2","reported_domain":"sender.example",)"
                 R"("original_mail_from":"bounce@forwarder.example",)"
                 R"("original_rcpt_to":["alice@receiver.example","bob@receiver.example"],)"
                 R"("reporting_mta":"mx1.receiver.example","auth_failure":["dmarc"],)"
                 R"("delivery_result":"reject","identity_alignment":["dkim"],)"
                 R"("dkim_domain":"sender.example","dkim_identity":"@sender.example",)"
                 R"("dkim_selector":"s2022","spf_dns":null,"authentication_results":)"
                 R"(["receiver.example; dmarc=fail (p=reject) header.from=sender.example; )"
                 R"(spf=pass smtp.mailfrom=bounce@forwarder.example"],)"
                 R"("original":{"from":"john@sender.example","to":["alice@receiver.example",)"
                 R"("bob@receiver.example"],"subject":"Café meeting on Friday",)"
                 R"("message_id":"msg-42@sender.example","date":1658210260,)"
                 R"("headers_only":false,"body_bytes":33})"));
    CHECK(report.kind() == "failure");
    CHECK(report.reporter() == "mx1.receiver.example");
    CHECK(report.domains() == std::vector<std::string>{"sender.example"});
    CHECK(report.items() == 1);
    CHECK(report.item_noun() == "message");
    CHECK(report.identifier().size() == 16);
    CHECK_FALSE(report.not_storable());
}

TEST_CASE("ARF with text/rfc822-headers: LF, Source-IP comment, bare addresses, Received-Date") {
    const auto report = parse_one(fixture("arf_headers.eml"));
    CHECK(report.to_json() ==
          golden(R"({"kind":"failure","format":"arf","feedback_type":"auth-failure",)"
                 R"("user_agent":"OpenDMARC-Filter/1.4.2","version":"1.0",)"
                 R"("arrival_date":1271272531,"source_ip":"198.51.100.7",)"
                 R"("reported_domain":"shop.example","original_mail_from":"info@shop.example",)"
                 R"("original_rcpt_to":["carol@mta.example"],"reporting_mta":null,)"
                 R"("auth_failure":["dmarc","spf"],"delivery_result":null,)"
                 R"("identity_alignment":["none"],"dkim_domain":null,"dkim_identity":null,)"
                 R"("dkim_selector":null,"spf_dns":null,"authentication_results":[],)"
                 R"("original":{"from":"info@shop.example","to":["carol@mta.example"],)"
                 R"("subject":"Quarterly numbers","message_id":"q-2010-04@shop.example",)"
                 R"("date":1271272500,"headers_only":true,"body_bytes":null})"));
    CHECK(report.reporter() == "OpenDMARC-Filter/1.4.2");
}

TEST_CASE("text/rfc822-header (the singular typo) counts as headers only") {
    const auto report = parse_one(fixture("arf_header_typo.eml"));
    CHECK(report.to_json() ==
          golden(R"({"kind":"failure","format":"arf","feedback_type":"auth-failure",)"
                 R"("user_agent":"IspReporter/0.9","version":"1","arrival_date":null,)"
                 R"("source_ip":"2001:db8::1","reported_domain":"news.example",)"
                 R"("original_mail_from":null,"original_rcpt_to":[],"reporting_mta":null,)"
                 R"("auth_failure":["dmarc"],"delivery_result":null,"identity_alignment":[],)"
                 R"("dkim_domain":null,"dkim_identity":null,"dkim_selector":null,)"
                 R"("spf_dns":null,"authentication_results":[],)"
                 R"("original":{"from":"letters@news.example","to":["dave@isp.example"],)"
                 R"("subject":"Weekly letter","message_id":"w-17@news.example","date":null,)"
                 R"("headers_only":true,"body_bytes":null})"));
}

TEST_CASE("the plain-text notice form is read with its inline headers") {
    const auto raw = fixture("text_form.eml");
    const auto findings = scan(raw);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].format == "text");
    CHECK(findings[0].parts == std::vector<int>{1});
    CHECK(findings[0].part == 1);
    CHECK(findings[0].bytes == raw);
    const auto report = parse_one(raw);
    CHECK(report.to_json() ==
          golden(R"({"kind":"failure","format":"text","feedback_type":"auth-failure",)"
                 R"("user_agent":null,"version":null,"arrival_date":1744060569,)"
                 R"("source_ip":"203.0.113.68","reported_domain":"owner.example",)"
                 R"("original_mail_from":null,"original_rcpt_to":[],"reporting_mta":null,)"
                 R"("auth_failure":["dmarc"],"delivery_result":null,"identity_alignment":[],)"
                 R"("dkim_domain":null,"dkim_identity":null,"dkim_selector":null,)"
                 R"("spf_dns":null,"authentication_results":[],)"
                 R"("original":{"from":"user@owner.example","to":["user@owner.example"],)"
                 R"("subject":"Payment from your account.",)"
                 R"("message_id":"1341-AECE@owner.example","date":1744042206,)"
                 R"("headers_only":true,"body_bytes":null})"));
}

TEST_CASE("a failure report forwarded inside message/rfc822 is found, its leaves claimed") {
    const auto inner = fixture("arf_rfc822.eml");
    const std::string raw = "From: postmaster@receiver.example\r\n"
                            "Subject: Fwd: DMARC failure report\r\n"
                            "MIME-Version: 1.0\r\n"
                            "Content-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n"
                            "--fwd\r\nContent-Type: text/plain\r\n\r\nHave a look.\r\n"
                            "--fwd\r\nContent-Type: message/rfc822\r\n\r\n" +
                            inner + "\r\n--fwd--\r\n";
    const auto findings = scan(raw);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].parts == std::vector<int>{2, 3, 4});
    CHECK(findings[0].part == 3);
    CHECK(findings[0].bytes == inner);
    REQUIRE(findings[0].report != nullptr);
    CHECK(findings[0].report->to_json() == parse_one(inner).to_json());
}

TEST_CASE("ARF whose Feedback-Type is abuse is read, and is not storable as a DMARC failure") {
    const auto report = parse_one(fixture("abuse.eml"));
    CHECK(report.feedback_type == "abuse");
    CHECK(
        report.to_json() ==
        golden(R"({"kind":"failure","format":"arf","feedback_type":"abuse",)"
               R"("user_agent":"SomeGenerator/1.0","version":"1","arrival_date":null,)"
               R"("source_ip":"192.0.2.1","reported_domain":"sender.example",)"
               R"("original_mail_from":null,"original_rcpt_to":[],"reporting_mta":null,)"
               R"("auth_failure":[],"delivery_result":null,"identity_alignment":[],)"
               R"("dkim_domain":null,"dkim_identity":null,"dkim_selector":null,)"
               R"("spf_dns":null,"authentication_results":[],)"
               R"("original":{"from":"somespammer@sender.example","to":[],)"
               R"("subject":"Earn money","message_id":"8787KJKJ3K4J3K4J3K4J3.mail@sender.example",)"
               R"("date":null,"headers_only":false,"body_bytes":6})"));
    const auto refusal = report.not_storable();
    REQUIRE(refusal);
    CHECK(refusal->code == "not_dmarc_failure");
    CHECK(refusal->detail == "ARF feedback type abuse is not a DMARC failure report");
}

TEST_CASE("several values, a second Reported-Domain, bad dates and addresses are flagged") {
    const auto report = parse_one(fixture("odd_fields.eml"));
    CHECK(report.dkim_domain == "a.org");
    CHECK(report.reported_domain == "first.example");
    CHECK_FALSE(report.arrival_date);
    CHECK_FALSE(report.source_ip);
    CHECK(report.warnings ==
          std::vector<std::string>{"Arrival-Date is not a readable date: \"sometime last week\"",
                                   "Source-IP is not an IP address: \"192.0.2.300\"",
                                   "Reported-Domain appears 2 times; the first is used",
                                   "DKIM-Domain holds several values; the first is used"});
}

TEST_CASE("field names are matched in any case and the pre-RFC Received-Date is read") {
    const auto report = parse_one(failure_test::arf("feedback-type: AUTH-FAILURE\n"
                                                    "REPORTED-DOMAIN: sender.example\n"
                                                    "received-date: 8 Oct 2011 20:15:58 +0000\n"
                                                    "auth-failure: DMARC\n"));
    CHECK(report.feedback_type == "auth-failure");
    CHECK(report.reported_domain == "sender.example");
    CHECK(report.arrival_date == 1318104958);
    CHECK(report.auth_failure == std::vector<std::string>{"dmarc"});
    CHECK(report.warnings.empty());
}

TEST_CASE("Arrival-Date wins over Received-Date; absent lists are empty") {
    const auto report = parse_one(failure_test::arf("Feedback-Type: auth-failure\n"
                                                    "Reported-Domain: sender.example\n"
                                                    "Received-Date: 8 Oct 2011 20:15:58 +0000\n"
                                                    "Arrival-Date: 9 Oct 2011 20:15:58 +0000\n"));
    CHECK(report.arrival_date == 1318191358);
    CHECK(report.original_rcpt_to.empty());
    CHECK(report.auth_failure.empty());
    CHECK(report.identity_alignment.empty());
    CHECK(report.authentication_results.empty());
}

TEST_CASE("the account domain falls back to the original's From domain") {
    const auto report = parse_one(failure_test::arf("Feedback-Type: auth-failure\n",
                                                    "From: Someone <Some.One@Mail.Example>\n\n"));
    CHECK_FALSE(report.reported_domain);
    CHECK(report.domains() == std::vector<std::string>{"mail.example"});
}

TEST_CASE("CRLF and LF messages give the same report") {
    const auto crlf = fixture("arf_rfc822.eml");
    const auto lf = failure_test::with_lf(crlf);
    const auto a = parse_one(crlf);
    const auto b = parse_one(lf);
    CHECK(a.fingerprint() == b.fingerprint());
    // The body differs by its line endings only.
    CHECK(b.original.body_bytes == 32);
    CHECK(a.feedback_type == b.feedback_type);
    CHECK(a.authentication_results == b.authentication_results);
    CHECK(a.original.subject == b.original.subject);
}

TEST_CASE("a message with no failure report yields no finding") {
    CHECK(scan("From: a@example.com\r\nSubject: hi\r\n\r\nJust a note about DMARC.\r\n").empty());
    CHECK(scan("Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
               "--b\r\nContent-Type: application/gzip\r\n\r\nxx\r\n--b--\r\n")
              .empty());
}

TEST_CASE("a headers part is read up to its first blank line, leading blank lines skipped") {
    const std::string raw = "Content-Type: multipart/report; report-type=feedback-report; "
                            "boundary=b\n\n--b\nContent-Type: message/feedback-report\n\n"
                            "Feedback-Type: auth-failure\n--b\n"
                            "Content-Type: text/rfc822-headers\n\n\n"
                            "From: a@sender.example\nSubject: Hi\n\nBody: not a header\n--b--\n";
    const auto report = parse_one(raw);
    CHECK(report.original.headers.size() == 2);
    CHECK(report.original.subject == "Hi");
    CHECK(report.domains() == std::vector<std::string>{"sender.example"});
}
