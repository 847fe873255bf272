// The tlsrpt kind end to end on well-formed reports: the RFC 8460 example
// against its golden `ruactl parse` line, the Report interface (identifier,
// reporter, domains, items), the fingerprint, and rua::ingest on an e-mail
// with an application/tlsrpt+gzip attachment and on a bare .json.gz.
#include "unit/fixtures.hpp"
#include "unit/kinds/tlsrpt/tlsrpt_fixtures.hpp"

#include <rua/ingest.hpp>
#include <rua/kinds/tlsrpt.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tlsrpt_test::fixture;
using tlsrpt_test::parse;
using Strings = std::vector<std::string>;

namespace {

std::string chomp(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    return text;
}

const rua::TlsReport& only_tls_report(const rua::IngestResult& result) {
    REQUIRE(result.reports.size() == 1);
    REQUIRE(result.reports[0]->kind() == "tlsrpt");
    return rua::report_as<rua::TlsReport>(*result.reports[0]);
}

} // namespace

TEST_CASE("tlsrpt: the RFC 8460 example parses to its golden JSON line") {
    const rua::IngestResult result =
        rua::ingest(fixture("rfc8460-example.json"), rua::Limits{}, "rfc8460-example.json");
    const rua::TlsReport& report = only_tls_report(result);
    CHECK(report.to_json() == chomp(fixture("rfc8460-example.golden")));
}

TEST_CASE("tlsrpt: the RFC 8460 example through the Kind") {
    const auto report = parse(fixture("rfc8460-example.json"));
    REQUIRE(report);
    CHECK(report->kind() == "tlsrpt");
    CHECK(report->identifier() == "5065427c-23d3-47ca-b6e0-946ea0e8c4be");
    CHECK(report->reporter() == "Company-X");
    CHECK(report->domains() == Strings{"company-y.example"});
    CHECK(report->items() == 1);
    CHECK(report->item_noun() == "policy");
    CHECK(report->begin == 1459468800);
    CHECK(report->end == 1459555199);
    const auto& policy = report->policies.at(0);
    CHECK(policy.policy_string == Strings{"version: STSv1", "mode: testing",
                                          "mx: *.mail.company-y.example", "max_age: 86400"});
    CHECK(policy.mx_host == Strings{"*.mail.company-y.example"});
    CHECK(policy.successful == 5326);
    CHECK(policy.failed == 303);
    REQUIRE(policy.failure_details.size() == 3);
    CHECK(policy.failure_details[0].sending_mta_ip->text() == "2001:db8:abcd:12::1");
    CHECK(policy.failure_details[2].failure_reason_code == "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED");
    CHECK(report->warnings == Strings{"policy 1: mx-host is a string, not a list"});
}

TEST_CASE("tlsrpt: domains are every policy-domain, lower-cased, each once") {
    const std::string policy_a =
        R"({"policy":{"policy-type":"sts","policy-domain":"Example.COM"},)"
        R"("summary":{"total-successful-session-count":1,"total-failure-session-count":0}})";
    const std::string policy_b =
        R"({"policy":{"policy-type":"tlsa","policy-domain":"mail.example.net"},)"
        R"("summary":{"total-successful-session-count":1,"total-failure-session-count":0}})";
    const auto report =
        parse(tlsrpt_test::report_with_policy(policy_a + "," + policy_b + "," + policy_a));
    REQUIRE(report);
    CHECK(report->items() == 3);
    CHECK(report->domains() == Strings{"example.com", "mail.example.net"});
    CHECK(report->policies[0].policy_domain == "example.com"); // normalised (rua/address.hpp)
}

TEST_CASE("tlsrpt: the fingerprint covers content, never warnings or source") {
    const auto a = parse(fixture("rfc8460-example.json"));
    const auto b = parse(fixture("rfc8460-example.json"));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->fingerprint().rfind("s24;rua-tlsrpt-fingerprint-1", 0) == 0);
    b->warnings.clear();
    b->source.file = "elsewhere.json";
    b->source.compression = "gzip";
    CHECK(a->fingerprint() == b->fingerprint());
    b->policies[0].failure_details[1].failed_session_count = 201;
    CHECK(a->fingerprint() != b->fingerprint());
    b->policies[0].failure_details[1].failed_session_count = 200;
    b->policies[0].mx_host.emplace_back("mx9.example");
    CHECK(a->fingerprint() != b->fingerprint());
}

TEST_CASE("tlsrpt: an e-mail with an application/tlsrpt+gzip attachment") {
    const std::string json = fixture("rfc8460-example.json");
    const std::string message = fixtures::multipart(
        {{"Content-Type: text/plain\r\n\r\n", "This is an aggregate TLS report.\r\n"},
         fixtures::attachment("application/tlsrpt+gzip",
                              "company-x.example!company-y.example!1459468800!1459555199.json.gz",
                              fixtures::gzip(json))},
        "b0undary",
        "Subject: Report Domain: company-y.example Submitter: company-x.example\r\n"
        "TLS-Report-Domain: company-y.example\r\n");
    const rua::IngestResult result = rua::ingest(message, rua::Limits{}, "Q1234");
    const rua::TlsReport& report = only_tls_report(result);
    CHECK(report.report_id == "5065427c-23d3-47ca-b6e0-946ea0e8c4be");
    CHECK(report.source.file == "Q1234");
    CHECK(report.source.part == 2);
    CHECK(report.source.content_type == "application/tlsrpt+gzip");
    CHECK(report.source.compression == "gzip");
    REQUIRE(result.attachments.size() == 1);
    CHECK(result.attachments[report.attachment].bytes == fixtures::gzip(json));
    CHECK(result.first_error().empty());
}

TEST_CASE("tlsrpt: a bare .json.gz file") {
    const rua::IngestResult result =
        rua::ingest(fixtures::gzip(fixture("no-policy-found.json")), rua::Limits{}, "x.json.gz");
    const rua::TlsReport& report = only_tls_report(result);
    CHECK(report.source.part == 0);
    CHECK(report.source.compression == "gzip");
    CHECK(report.policies.at(0).policy_type == "no-policy-found");
}

TEST_CASE("tlsrpt: an application/tlsrpt+json attachment, uncompressed") {
    const std::string message = fixtures::multipart({fixtures::attachment(
        "application/tlsrpt+json", "r.json", fixture("counts-as-strings.json"))});
    const rua::IngestResult result = rua::ingest(message, rua::Limits{}, "Q9");
    const rua::TlsReport& report = only_tls_report(result);
    CHECK(report.source.compression == "none");
    CHECK(report.policies.at(0).successful == 12);
}

TEST_CASE("tlsrpt: a JSON attachment that is no TLS report is not a report") {
    const std::string message = fixtures::multipart(
        {fixtures::attachment("application/json", "x.json", R"({"hello":"world"})")});
    const rua::IngestResult result = rua::ingest(message, rua::Limits{}, "Q7");
    CHECK(result.reports.empty());
    CHECK_FALSE(result.first_error().empty());
}

TEST_CASE("tlsrpt: a refused TLS report is an error diagnostic of its part") {
    const std::string message = fixtures::multipart({fixtures::attachment(
        "application/tlsrpt+gzip", "r.json.gz", fixtures::gzip(R"({"organization-name":"X"})"))});
    const rua::IngestResult result = rua::ingest(message, rua::Limits{}, "Q8");
    CHECK(result.reports.empty());
    CHECK(result.first_error() ==
          R"(part 1 (application/tlsrpt+gzip, "r.json.gz"): missing report-id)");
}
