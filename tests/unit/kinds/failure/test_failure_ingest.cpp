// Failure reports through rua::ingest: found once, labelled by their
// feedback part, archived as the report entity, and the original message's
// own attachments never read as reports of their own.
#include "failure_util.hpp"
#include "unit/fixtures.hpp"

#include <rua/ingest.hpp>

using failure_test::fixture;

TEST_CASE("ingest yields one failure report, its source and its archived entity") {
    const auto raw = fixture("arf_rfc822.eml");
    const auto result = rua::ingest(raw, rua::Limits{}, "q1");
    REQUIRE(result.reports.size() == 1);
    const auto& report = *result.reports[0];
    CHECK(report.kind() == "failure");
    CHECK(report.source.file == "q1");
    CHECK(report.source.part == 2);
    CHECK(report.source.content_type == "message/feedback-report");
    REQUIRE(report.attachment < result.attachments.size());
    const auto& attachment = result.attachments[report.attachment];
    CHECK(attachment.format == "arf");
    CHECK(attachment.bytes == raw);
    CHECK(result.first_error().empty());
}

TEST_CASE("an aggregate report inside the original of a failure report is not read as one") {
    const auto original = fixtures::multipart(
        {fixtures::Part{"Content-Type: text/plain\r\n", "See the attachment.\r\n"},
         fixtures::attachment("application/xml", "report.xml",
                              fixtures::report_xml("google.com", "agg-1"))});
    const std::string raw =
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; "
        "boundary=\"fr\"\r\n\r\n--fr\r\nContent-Type: text/plain\r\n\r\nA report.\r\n"
        "--fr\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: auth-failure\r\n"
        "Reported-Domain: example.com\r\n--fr\r\nContent-Type: message/rfc822\r\n\r\n" +
        original + "\r\n--fr--\r\n";
    REQUIRE_FALSE(rua::ingest(original, rua::Limits{}).reports.empty()); // it is one on its own
    const auto result = rua::ingest(raw, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(result.reports[0]->kind() == "failure");
}

TEST_CASE("a refused failure report is a diagnostic with the precise reason") {
    const auto result = rua::ingest(failure_test::arf(""), rua::Limits{});
    CHECK(result.reports.empty());
    CHECK(result.first_error() ==
          "part 2 (message/feedback-report): message/feedback-report part is empty");
}
