// Real senders' quirks the tlsrpt kind tolerates: one fixture each
// (tests/fixtures/tlsrpt), the value read and the one warning it leaves.
#include "unit/kinds/tlsrpt/tlsrpt_fixtures.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tlsrpt_test::fixture;
using tlsrpt_test::parse;
using Strings = std::vector<std::string>;

namespace {

constexpr std::int64_t k_2024_01_09 = 1704758400; // 2024-01-09T00:00:00Z

} // namespace

TEST_CASE("tlsrpt: a failure detail without sending-mta-ip (Microsoft) keeps it null") {
    const auto report = parse(fixture("microsoft-no-sending-ip.json"));
    REQUIRE(report);
    const auto& failure = report->policies.at(0).failure_details.at(0);
    CHECK_FALSE(failure.sending_mta_ip.has_value());
    CHECK(failure.receiving_mx_hostname == "mx.example.net");
    CHECK(report->to_json().find(R"("sending_mta_ip":null)") != std::string::npos);
    CHECK(report->warnings == Strings{"policy 1, failure detail 1: no sending-mta-ip"});
}

TEST_CASE("tlsrpt: contact-info null is read as absent") {
    const auto report = parse(fixture("contact-info-null.json"));
    REQUIRE(report);
    CHECK_FALSE(report->contact_info.has_value());
    CHECK(report->to_json().find(R"("contact_info":null)") != std::string::npos);
    CHECK(report->warnings == Strings{"contact-info is null"});
}

TEST_CASE("tlsrpt: a missing contact-info is tolerated") {
    const auto report = parse(fixture("contact-info-missing.json"));
    REQUIRE(report);
    CHECK_FALSE(report->contact_info.has_value());
    CHECK(report->warnings == Strings{"no contact-info"});
}

TEST_CASE("tlsrpt: a capitalised policy-type is lower-cased") {
    const auto report = parse(fixture("policy-type-capitalised.json"));
    REQUIRE(report);
    CHECK(report->policies.at(0).policy_type == "sts");
    CHECK(report->warnings == Strings{R"(policy 1: policy-type "STS" lower-cased)"});
}

TEST_CASE("tlsrpt: date-times with +00:00 instead of Z") {
    const auto report = parse(fixture("datetime-offset-utc.json"));
    REQUIRE(report);
    CHECK(report->begin == k_2024_01_09);
    CHECK(report->end == k_2024_01_09 + 86399);
    CHECK(report->warnings ==
          Strings{"start-datetime has offset +00:00 instead of Z (converted to UTC)",
                  "end-datetime has offset +00:00 instead of Z (converted to UTC)"});
}

TEST_CASE("tlsrpt: fractions of a second are floored") {
    const auto report = parse(fixture("datetime-fraction.json"));
    REQUIRE(report);
    CHECK(report->begin == k_2024_01_09);
    CHECK(report->end == k_2024_01_09 + 86399);
    CHECK(report->warnings == Strings{"start-datetime has a fraction of a second (floored)",
                                      "end-datetime has a fraction of a second (floored)"});
}

TEST_CASE("tlsrpt: other offsets are converted to UTC") {
    const auto report = parse(fixture("datetime-other-offset.json"));
    REQUIRE(report);
    CHECK(report->begin == k_2024_01_09);       // 02:00+02:00
    CHECK(report->end == k_2024_01_09 + 86399); // 18:59:59-05:00
    CHECK(report->warnings ==
          Strings{"start-datetime has offset +02:00 instead of Z (converted to UTC)",
                  "end-datetime has offset -05:00 instead of Z (converted to UTC)"});
}

TEST_CASE("tlsrpt: date-times without a time zone are taken as UTC") {
    const auto report = parse(fixture("datetime-no-zone.json"));
    REQUIRE(report);
    CHECK(report->begin == 1673308800); // 2023-01-10T00:00:00Z
    CHECK(report->end == 1673395199);
    CHECK(report->warnings == Strings{"start-datetime has no time zone (taken as UTC)",
                                      "end-datetime has no time zone (taken as UTC)"});
}

TEST_CASE("tlsrpt: an unknown result-type is kept lower-cased and flagged") {
    const auto report = parse(fixture("unknown-result-type.json"));
    REQUIRE(report);
    CHECK(report->policies.at(0).failure_details.at(0).result_type == "quantum-tunnel-failure");
    CHECK(report->warnings ==
          Strings{R"(policy 1, failure detail 1: result-type "Quantum-Tunnel-Failure" lower-cased)",
                  R"(policy 1, failure detail 1: unknown result-type "quantum-tunnel-failure")"});
}

TEST_CASE("tlsrpt: failure-details absent gives an empty list") {
    const auto report = parse(fixture("no-failure-details.json"));
    REQUIRE(report);
    CHECK(report->policies.at(0).failure_details.empty());
    CHECK(report->policies.at(0).failed == 2);
    CHECK(report->to_json().find(R"("failure_details":[])") != std::string::npos);
    CHECK(report->warnings == Strings{"policy 1: 2 failed sessions but no failure-details"});
}

TEST_CASE("tlsrpt: failure-details absent with no failed session is not flagged") {
    const auto report = parse(fixture("contact-info-null.json"));
    REQUIRE(report);
    CHECK(report->policies.at(0).failure_details.empty());
    CHECK(report->warnings == Strings{"contact-info is null"});
}

TEST_CASE("tlsrpt: counts given as strings are read as numbers") {
    const auto report = parse(fixture("counts-as-strings.json"));
    REQUIRE(report);
    const auto& policy = report->policies.at(0);
    CHECK(policy.successful == 12);
    CHECK(policy.failed == 1);
    CHECK(policy.failure_details.at(0).failed_session_count == 1);
    CHECK(report->warnings ==
          Strings{"policy 1: total-successful-session-count is a string",
                  "policy 1: total-failure-session-count is a string",
                  "policy 1, failure detail 1: failed-session-count is a string"});
}

TEST_CASE("tlsrpt: a report with policy-type no-policy-found") {
    const auto report = parse(fixture("no-policy-found.json"));
    REQUIRE(report);
    const auto& policy = report->policies.at(0);
    CHECK(policy.policy_type == "no-policy-found");
    CHECK(policy.policy_domain == "example.org");
    CHECK(policy.successful == 48);
    CHECK(policy.policy_string.empty());
    CHECK(policy.mx_host.empty());
    CHECK(report->to_json().find(
              R"("policy_string":[],"policy_domain":"example.org","mx_host":[])") !=
          std::string::npos);
    CHECK(report->warnings == Strings{"policy 1: policy-type no-policy-found"});
}

TEST_CASE("tlsrpt: an unparsable IP address is kept null with a warning") {
    const auto report = parse(tlsrpt_test::report_with_policy(
        R"({"policy":{"policy-type":"sts","policy-domain":"example.com"},)"
        R"("summary":{"total-successful-session-count":1,"total-failure-session-count":1},)"
        R"("failure-details":[{"result-type":"validation-failure","sending-mta-ip":"192.0.2.300",)"
        R"("receiving-ip":" 2001:DB8::0001 ","failed-session-count":1}]})"));
    REQUIRE(report);
    const auto& failure = report->policies.at(0).failure_details.at(0);
    CHECK_FALSE(failure.sending_mta_ip.has_value());
    REQUIRE(failure.receiving_ip.has_value());
    CHECK(failure.receiving_ip->text() == "2001:db8::1");
    CHECK(report->warnings ==
          Strings{
              R"(policy 1, failure detail 1: sending-mta-ip "192.0.2.300" is not an IP address)"});
}

TEST_CASE("tlsrpt: mx-host-pattern and additional-info-uri are read as their schema names") {
    const auto report = parse(tlsrpt_test::report_with_policy(
        R"({"policy":{"policy-type":"sts","policy-domain":"example.com.",)"
        R"("mx-host-pattern":["*.example.com"]},)"
        R"("summary":{"total-successful-session-count":1,"total-failure-session-count":1},)"
        R"("failure-details":[{"result-type":"validation-failure","sending-mta-ip":"192.0.2.1",)"
        R"("additional-info-uri":"https://receiver.example/x","failed-session-count":1}]})"));
    REQUIRE(report);
    const auto& policy = report->policies.at(0);
    CHECK(policy.mx_host == Strings{"*.example.com"});
    CHECK(policy.policy_domain == "example.com");
    CHECK(policy.failure_details.at(0).additional_information == "https://receiver.example/x");
    CHECK(
        report->warnings ==
        Strings{"policy 1: trailing dot removed from policy-domain",
                "policy 1: mx-host-pattern read as mx-host",
                "policy 1, failure detail 1: additional-info-uri read as additional-information"});
}

TEST_CASE("tlsrpt: a missing summary counts nothing, with a warning") {
    const auto report = parse(tlsrpt_test::report_with_policy(
        R"({"policy":{"policy-type":"sts","policy-domain":"example.com"},)"
        R"("summary":{"total-successful-session-count":3}})"));
    REQUIRE(report);
    CHECK(report->policies.at(0).successful == 3);
    CHECK(report->policies.at(0).failed == 0);
    CHECK(report->warnings == Strings{"policy 1: no total-failure-session-count (taken as 0)"});
}

TEST_CASE("tlsrpt: unknown members are ignored") {
    const auto report = parse(tlsrpt_test::report_with_policy(
        R"({"x-vendor":{"a":[1,2,{"b":null}]},"policy":{"policy-type":"tlsa",)"
        R"("policy-domain":"example.com","extra":true},)"
        R"("summary":{"total-successful-session-count":1,"total-failure-session-count":0}})"));
    REQUIRE(report);
    CHECK(report->policies.at(0).policy_type == "tlsa");
    CHECK(report->warnings.empty());
}

TEST_CASE("tlsrpt: warnings stop growing after a hundred lines") {
    std::string details;
    for (int i = 0; i < 150; ++i) {
        details += std::string(i > 0 ? "," : "") +
                   R"({"result-type":"validation-failure","failed-session-count":1})";
    }
    const auto report = parse(tlsrpt_test::report_with_policy(
        R"({"policy":{"policy-type":"sts","policy-domain":"example.com"},)"
        R"("summary":{"total-successful-session-count":0,"total-failure-session-count":150},)"
        R"("failure-details":[)" +
        details + "]}"));
    REQUIRE(report);
    REQUIRE(report->warnings.size() == 101);
    CHECK(report->warnings.front() == "policy 1, failure detail 1: no sending-mta-ip");
    CHECK(report->warnings.back() == "50 more warnings not shown");
}

TEST_CASE("tlsrpt: a UTF-8 byte order mark before the object is skipped") {
    const auto report = parse("\xEF\xBB\xBF" + fixture("no-policy-found.json"));
    REQUIRE(report);
    CHECK(report->organization_name == "Google Inc.");
}

TEST_CASE("tlsrpt: a date range that ends before it starts is flagged") {
    std::string json = fixture("no-policy-found.json");
    const std::string start = "2024-09-03T00:00:00Z";
    json.replace(json.find(start), start.size(), "2024-09-05T00:00:00Z");
    const auto report = parse(json);
    REQUIRE(report);
    CHECK(report->begin == 1725494400);
    CHECK(report->end == 1725407999);
    CHECK(report->warnings == Strings{"policy 1: policy-type no-policy-found",
                                      "end-datetime is before start-datetime"});
}
