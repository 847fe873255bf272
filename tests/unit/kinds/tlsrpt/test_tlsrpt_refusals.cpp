// What the tlsrpt kind refuses, each with its exact one-line reason: missing
// members, wrong types, bad counts and date-times, invalid JSON. Table-driven.
#include "kinds/tlsrpt/parse.hpp"
#include "unit/kinds/tlsrpt/tlsrpt_fixtures.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>

#include <string>

using tlsrpt_test::refusal;
using tlsrpt_test::report_with_policy;

namespace {

const std::string k_date = R"("date-range":{"start-datetime":"2024-01-09T00:00:00Z",)"
                           R"("end-datetime":"2024-01-09T23:59:59Z"})";
const std::string k_policies =
    R"("policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},)"
    R"("summary":{"total-successful-session-count":1,"total-failure-session-count":0}}])";

std::string with_summary(const std::string& successful, const std::string& failed) {
    return report_with_policy(R"({"policy":{"policy-type":"sts","policy-domain":"example.com"},)"
                              R"("summary":{"total-successful-session-count":)" +
                              successful + R"(,"total-failure-session-count":)" + failed + "}}");
}

struct Case {
    const char* what;
    std::string json;
    std::string message;
};

} // namespace

TEST_CASE("tlsrpt: reports missing a required member are refused") {
    const Case cases[] = {
        {"no report-id", R"({"organization-name":"X",)" + k_date + "," + k_policies + "}",
         "missing report-id"},
        {"no organization-name", R"({"report-id":"r1",)" + k_date + "," + k_policies + "}",
         "missing organization-name"},
        {"no date-range", R"({"organization-name":"X","report-id":"r1",)" + k_policies + "}",
         "missing date-range"},
        {"date-range without end",
         R"({"organization-name":"X","report-id":"r1","date-range":)"
         R"({"start-datetime":"2024-01-09T00:00:00Z"},)" +
             k_policies + "}",
         "missing date-range/end-datetime"},
        {"date-range without start",
         R"({"organization-name":"X","report-id":"r1","date-range":)"
         R"({"end-datetime":"2024-01-09T00:00:00Z"},)" +
             k_policies + "}",
         "missing date-range/start-datetime"},
        {"no policies", R"({"organization-name":"X","report-id":"r1",)" + k_date + "}",
         "missing policies"},
        {"empty policies",
         R"({"organization-name":"X","report-id":"r1",)" + k_date + R"(,"policies":[]})",
         "policies is empty"},
        {"empty report-id",
         R"({"organization-name":"X","report-id":"",)" + k_date + "," + k_policies + "}",
         "report-id is empty"},
        {"policy without policy-domain",
         report_with_policy(R"({"policy":{"policy-type":"sts"},)"
                            R"("summary":{"total-successful-session-count":1}})"),
         "policy 1: missing policy-domain"},
        {"policy without policy-type",
         report_with_policy(R"({"policy":{"policy-domain":"example.com"}})"),
         "policy 1: missing policy-type"},
        {"policy entry without policy", report_with_policy(R"({"summary":{}})"),
         "policy 1: missing policy"},
        {"failure detail without result-type",
         report_with_policy(R"({"policy":{"policy-type":"sts","policy-domain":"example.com"},)"
                            R"("failure-details":[{"failed-session-count":1}]})"),
         "policy 1, failure detail 1: missing result-type"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        CHECK(refusal(c.json) == c.message);
    }
}

TEST_CASE("tlsrpt: members of the wrong JSON type are refused") {
    const Case cases[] = {
        {"top-level list", "[]", "JSON top-level value is not an object"},
        {"numeric organization-name",
         R"({"organization-name":5,"report-id":"r1",)" + k_date + "," + k_policies + "}",
         "organization-name is not a string"},
        {"date-range as text", R"({"organization-name":"X","date-range":"today"})",
         "date-range is not an object"},
        {"policies as object", R"({"organization-name":"X","policies":{}})",
         "policies is not a list"},
        {"policy entry as text", R"({"organization-name":"X","policies":["sts"]})",
         "policy 1 is not an object"},
        {"policy-string item not text",
         report_with_policy(R"({"policy":{"policy-type":"sts","policy-string":[1]}})"),
         "policy 1: policy-string item is not a string"},
        {"failure detail as list",
         report_with_policy(R"({"policy":{"policy-type":"sts","policy-domain":"e.com"},)"
                            R"("failure-details":[[]]})"),
         "policy 1: failure detail 1 is not an object"},
        {"duplicate member", R"({"report-id":"a","report-id":"b"})", "duplicate member report-id"},
        {"mx-host twice, two spellings",
         report_with_policy(R"({"policy":{"mx-host":"a","mx-host-pattern":["b"]}})"),
         "policy 1: duplicate member mx-host"},
        {"bad date-time",
         R"({"organization-name":"X","date-range":{"start-datetime":"2024-02-30T00:00:00Z"}})",
         R"(start-datetime "2024-02-30T00:00:00Z" is not an RFC 3339 date-time)"},
        {"date only", R"({"organization-name":"X","date-range":{"end-datetime":"2024-02-03"}})",
         R"(end-datetime "2024-02-03" is not an RFC 3339 date-time)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        CHECK(refusal(c.json) == c.message);
    }
}

TEST_CASE("tlsrpt: counts must be whole numbers from 0 to max_count") {
    const Case cases[] = {
        {"negative", with_summary("1", "-1"),
         "policy 1: total-failure-session-count is negative (-1)"},
        {"2^63", with_summary("9223372036854775808", "0"),
         "policy 1: total-successful-session-count 9223372036854775808 exceeds 2^63 - 1"},
        {"2^64", with_summary("18446744073709551616", "0"),
         "policy 1: total-successful-session-count 18446744073709551616 exceeds 2^63 - 1"},
        {"2^64 in a string", with_summary(R"("18446744073709551616")", "0"),
         "policy 1: total-successful-session-count 18446744073709551616 exceeds 2^63 - 1"},
        {"past max_count", with_summary("1000000000001", "0"),
         "policy 1: total-successful-session-count 1000000000001 exceeds the count bound "
         "1000000000000"},
        {"fraction", with_summary("1.5", "0"),
         "policy 1: total-successful-session-count 1.5 is not an integer"},
        {"exponent", with_summary("1e3", "0"),
         "policy 1: total-successful-session-count 1e3 is not an integer"},
        {"not a number in a string", with_summary(R"("twelve")", "0"),
         R"(policy 1: total-successful-session-count "twelve" is not a number)"},
        {"negative in a string", with_summary(R"("-3")", "0"),
         "policy 1: total-successful-session-count is negative (-3)"},
        {"boolean", with_summary("true", "0"),
         "policy 1: total-successful-session-count is not a number"},
        {"null", with_summary("null", "0"),
         "policy 1: total-successful-session-count is not a number"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        CHECK(refusal(c.json) == c.message);
    }
}

TEST_CASE("tlsrpt: max_count is the bound, inclusive") {
    rua::Limits limits;
    limits.max_count = 100;
    CHECK(refusal(with_summary("100", "0"), limits) == "parsed");
    CHECK(refusal(with_summary("101", "0"), limits) ==
          "policy 1: total-successful-session-count 101 exceeds the count bound 100");
}

TEST_CASE("tlsrpt: invalid JSON is refused with its byte offset") {
    const Case cases[] = {
        {"truncated", R"({"organization-name":"X",)",
         "invalid JSON at byte offset 25: syntax error while parsing object key - unexpected end "
         "of input; expected string literal"},
        {"comment", R"({"organization-name":"X", /* no */ "report-id":"r"})",
         "invalid JSON at byte offset 26: syntax error while parsing object key - invalid literal; "
         "expected string literal"},
        {"raw control character", "{\"organization-name\":\"X\ty\"}",
         "invalid JSON at byte offset 23: syntax error while parsing value - invalid string: "
         "control character U+0009 (HT) must be escaped to \\u0009 or \\t"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        CHECK(refusal(c.json) == c.message);
    }
}

TEST_CASE("tlsrpt: bytes after the report are invalid JSON") {
    const std::string valid =
        report_with_policy(R"({"policy":{"policy-type":"sts","policy-domain":"example.com"}})");
    REQUIRE(refusal(valid) == "parsed");
    CHECK(refusal(valid + " x") == "invalid JSON at byte offset " +
                                       std::to_string(valid.size() + 1) +
                                       ": syntax error while parsing value - invalid literal; "
                                       "expected end of input");
}

TEST_CASE("tlsrpt: a top-level scalar is refused (sniffing never offers one)") {
    for (const char* json : {R"("organization-name")", "42", "null", "true"}) {
        CAPTURE(json);
        rua::detail::MemorySource source(json);
        CHECK_THROWS_WITH_AS(rua::detail::parse_tlsrpt(source, rua::Limits{}),
                             "JSON top-level value is not an object", rua::BadInput);
    }
}

TEST_CASE("tlsrpt: invalid UTF-8 in a string is refused") {
    CHECK(refusal("{\"organization-name\":\"Bad \xff name\"}") ==
          "invalid JSON at byte offset 26: syntax error while parsing value - invalid string: "
          "ill-formed UTF-8 byte");
    CHECK(refusal("{\"report-id\":\"\xc0\xaf\"}") ==
          "invalid JSON at byte offset 14: syntax error while parsing value - invalid string: "
          "ill-formed UTF-8 byte");
}

TEST_CASE("tlsrpt: a string longer than max_field_bytes is refused") {
    rua::Limits limits;
    limits.max_field_bytes = 20;
    CHECK(refusal(R"({"organization-name":"0123456789abcdefghijk"})", limits) ==
          "organization-name longer than 20 bytes");
    CHECK(refusal(R"({"organization-name":"0123456789abcdefghij"})", limits) ==
          "missing report-id");
    CHECK(refusal(R"({"organization-name":"X","x-0123456789abcdefghij":1})", limits) ==
          "member name longer than 20 bytes");
    CHECK(refusal(R"({"organization-name":"X","x":["0123456789abcdefghijk"]})", limits) ==
          "a string longer than 20 bytes");
    // Each item counts its bytes plus one: 10 + 1 + 9 + 1 > 20.
    CHECK(refusal(R"({"organization-name":"X","policies":[{"policy":)"
                  R"({"policy-string":["0123456789","012345678"]}}]})",
                  limits) == "policy 1: policy-string longer than 20 bytes");
}
