// Hostile JSON against the tlsrpt kind: every bound must stop the parse at
// the event that breaks it, having read only what came before, and a
// decompression bomb must be stopped by the decompression Budget. Inputs are
// generated while they are read, never held whole.
#include "unit/kinds/tlsrpt/tlsrpt_fixtures.hpp"

#include <rua/errors.hpp>
#include <rua/ingest.hpp>

#include <doctest/doctest.h>

#include <string>

using tlsrpt_test::GeneratedSource;
using tlsrpt_test::parse;

namespace {

// What parse(source) throws, or "parsed".
std::string refusal(rua::detail::ByteSource& source, const rua::Limits& limits) {
    try {
        parse(source, limits);
    } catch (const rua::LimitExceeded& error) {
        return std::string("limit: ") + error.what();
    } catch (const rua::BadInput& error) {
        return error.what();
    }
    return "parsed";
}

constexpr std::size_t k_parser_buffer = 16u << 10; // parse.cpp reads this much at a time

} // namespace

TEST_CASE("tlsrpt: 100k-deep nesting is refused at the depth bound") {
    GeneratedSource source(R"({"report-id":"deep","x-extension":)", 100000,
                           [](std::size_t) { return std::string("[1"); }, "");
    CHECK(refusal(source, rua::Limits{}) == "limit: JSON nesting deeper than 16 levels");
    // Refused at the 17th level: nothing past the first read was generated.
    CHECK(source.produced() <= 2 * k_parser_buffer);
}

TEST_CASE("tlsrpt: the depth bound is max_json_depth") {
    rua::Limits limits;
    limits.max_json_depth = 3;
    const std::string three = R"({"organization-name":"X","x":[[1]]})";
    rua::detail::MemorySource ok(three);
    CHECK(refusal(ok, limits) == "missing report-id");
    const std::string four = R"({"organization-name":"X","x":[[[1]]]})";
    rua::detail::MemorySource deep(four);
    CHECK(refusal(deep, limits) == "limit: JSON nesting deeper than 3 levels");
}

TEST_CASE("tlsrpt: 10^6 failure details are refused at the 11th when the bound is 10") {
    rua::Limits limits;
    limits.max_failure_details = 10;
    GeneratedSource source(
        R"({"organization-name":"X","report-id":"r","policies":[{"policy":{"policy-type":"sts",)"
        R"("policy-domain":"example.com"},"failure-details":[)",
        1000000,
        [](std::size_t i) {
            return R"({"result-type":"validation-failure","sending-mta-ip":"192.0.2.1",)"
                   R"("failed-session-count":)" +
                   std::to_string(i + 1) + "}";
        },
        "]}]}");
    CHECK(refusal(source, limits) == "limit: more than 10 failure details");
    CHECK(source.produced() <= 2 * k_parser_buffer); // the rest was never read
}

TEST_CASE("tlsrpt: failure details are bounded per report, across policies") {
    rua::Limits limits;
    limits.max_failure_details = 2;
    const std::string policy =
        R"({"policy":{"policy-type":"sts","policy-domain":"example.com"},"failure-details":[)"
        R"({"result-type":"dane-required","failed-session-count":1}]})";
    const std::string json = R"({"organization-name":"X","report-id":"r","policies":[)" + policy +
                             "," + policy + "," + policy + "]}";
    rua::detail::MemorySource source(json);
    CHECK(refusal(source, limits) == "limit: more than 2 failure details");
}

TEST_CASE("tlsrpt: policies are bounded by max_policies") {
    rua::Limits limits;
    limits.max_policies = 5;
    GeneratedSource source(
        R"({"organization-name":"X","report-id":"r","policies":[)", 1000000,
        [](std::size_t) {
            return std::string(R"({"policy":{"policy-type":"sts","policy-domain":"a.example"}})");
        },
        "]}");
    CHECK(refusal(source, limits) == "limit: more than 5 policies");
    CHECK(source.produced() <= 2 * k_parser_buffer);
}

TEST_CASE("tlsrpt: 1 GiB of white space in gzip is stopped by the decompression bound") {
    rua::Limits limits;
    limits.max_decompressed_bytes = 16u << 20; // the default (64 MiB) works too, more slowly
    const std::string gz = tlsrpt_test::gzip_with_spaces(
        R"({"organization-name":"Example Receiver","report-id":"ws",)", std::size_t{1} << 30,
        R"("policies":[]})");
    REQUIRE(gz.size() < (4u << 20)); // deflate of white space is tiny
    const rua::IngestResult result = rua::ingest(gz, limits, "bomb.json.gz");
    CHECK(result.reports.empty());
    CHECK(result.first_error() == "input: decompressed size exceeds 16777216 bytes");
}

TEST_CASE("tlsrpt: an integer past 2^64 is refused, not rounded") {
    const std::string json = tlsrpt_test::report_with_policy(
        R"({"policy":{"policy-type":"sts","policy-domain":"example.com"},"failure-details":[)"
        R"({"result-type":"dane-required","failed-session-count":)"
        R"(340282366920938463463374607431768211456}]})");
    CHECK(tlsrpt_test::refusal(json) == "policy 1, failure detail 1: failed-session-count "
                                        "340282366920938463463374607431768211456 exceeds 2^63 - 1");
}

TEST_CASE("tlsrpt: a number too large for a double is invalid JSON") {
    const std::string json = R"({"organization-name":"X","x":1e999})";
    CHECK(tlsrpt_test::refusal(json) ==
          "invalid JSON at byte offset 33: number overflow parsing '1e999'");
}

TEST_CASE("tlsrpt: JSON that is not a TLS report gives no report") {
    for (const char* json : {R"({"feedback_type":"Abuse","organization-name":"X"})", "{}",
                             " \n{ } ", R"({"version":1.0,"report_metadata":{"org_name":"x"}})"}) {
        CAPTURE(json);
        CHECK(parse(json) == nullptr);
    }
}

TEST_CASE("tlsrpt: a non-TLS object is dropped at its first member, unread") {
    GeneratedSource source(R"({"something-else":[)", 1000000,
                           [](std::size_t) { return std::string("\"item\""); }, "]}");
    CHECK(parse(source) == nullptr);
    CHECK(source.produced() <= 2 * k_parser_buffer);
}
