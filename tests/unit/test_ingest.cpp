// rua::ingest end to end (MIME, sniffing, unpacking and the XML stage):
// where reports are found, how each part is reported, and the hostile
// inputs that must fail cleanly with a precise diagnostic.
#include "fixtures.hpp"

#include <rua/errors.hpp>
#include <rua/ingest.hpp>
#include <rua/kinds/aggregate.hpp>

#include <doctest/doctest.h>

namespace {

using rua::Diagnostic;

const std::string k_report = fixtures::report_xml("example.org", "r-1", 3);

std::vector<std::string> texts(const rua::IngestResult& result) {
    std::vector<std::string> out;
    for (const auto& diagnostic : result.diagnostics) {
        out.push_back(diagnostic.text());
    }
    return out;
}

// The i-th report found, as the aggregate report it must be.
const rua::AggregateReport& aggregate(const rua::IngestResult& result, std::size_t i) {
    return rua::report_as<rua::AggregateReport>(*result.reports.at(i));
}

fixtures::Part text_part(std::string_view body) {
    return {"Content-Type: text/plain; charset=utf-8\r\n", std::string(body)};
}

} // namespace

TEST_CASE("a bare XML file is one report from part 0") {
    const auto result = rua::ingest(k_report, rua::Limits{}, "r.xml");
    REQUIRE(result.reports.size() == 1);
    CHECK(aggregate(result, 0).report_id == "r-1");
    CHECK(aggregate(result, 0).records.size() == 3);
    CHECK(result.reports[0]->source.file == "r.xml");
    CHECK(result.reports[0]->source.part == 0);
    CHECK(result.reports[0]->source.compression == "none");
    REQUIRE(result.attachments.size() == 1);
    CHECK(result.attachments[0].format == "xml");
    CHECK(result.attachments[0].bytes == k_report);
    CHECK(texts(result) ==
          std::vector<std::string>{
              "input: aggregate report parsed: from=example.org id=r-1 records=3"});
    CHECK(result.first_error().empty());
}

TEST_CASE("a bare gzip file keeps its compressed bytes as the attachment") {
    const auto gz = fixtures::gzip(k_report);
    const auto result = rua::ingest(gz, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(result.reports[0]->source.file == "-");
    CHECK(result.reports[0]->source.compression == "gzip");
    REQUIRE(result.attachments.size() == 1);
    CHECK(result.attachments[0].format == "gzip");
    CHECK(result.attachments[0].bytes == gz);
}

TEST_CASE("a gzip attachment beside a text part yields one report with its labels") {
    const auto message = fixtures::multipart(
        {text_part("This is an aggregate report.\r\n"),
         fixtures::attachment("application/gzip", "example.org!example.com!1!2.xml.gz",
                              fixtures::gzip(k_report))});
    const auto result = rua::ingest(message, rua::Limits{}, "3F2A1C9");
    REQUIRE(result.reports.size() == 1);
    const auto& source = result.reports[0]->source;
    CHECK(source.file == "3F2A1C9");
    CHECK(source.part == 2);
    CHECK(source.filename == "example.org!example.com!1!2.xml.gz");
    CHECK(source.content_type == "application/gzip");
    CHECK(source.compression == "gzip");
    CHECK(result.reports[0]->attachment == 0);
    REQUIRE(result.attachments.size() == 1);
    CHECK(result.attachments[0].part == 2);
    CHECK(result.attachments[0].bytes == fixtures::gzip(k_report));
    CHECK(texts(result) ==
          std::vector<std::string>{
              "part 1 (text/plain): human-readable text (ignored)",
              "part 2 (application/gzip, \"example.org!example.com!1!2.xml.gz\"): aggregate "
              "report parsed: from=example.org id=r-1 records=3"});
}

TEST_CASE("a PNG beside the report does not sink the report") {
    const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    const auto message = fixtures::multipart(
        {fixtures::attachment("image/png", "logo.png", png),
         fixtures::attachment("application/zip", "r.zip", fixtures::zip({{"r.xml", k_report}}))});
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(result.reports[0]->source.compression == "zip");
    CHECK(result.diagnostics.at(0).text() ==
          "part 1 (image/png, \"logo.png\"): PNG image (ignored)");
    CHECK(result.first_error().empty());
}

TEST_CASE("an HTML part (Outlook style) is ignored, not parsed as a broken report") {
    const auto message = fixtures::multipart(
        {{"Content-Type: text/html; charset=us-ascii\r\n", "<div dir=\"ltr\">Report</div>\r\n"},
         {"Content-Type: text/html\r\n", "<section>odd html</section>\r\n"},
         fixtures::attachment("application/gzip", "r.xml.gz", fixtures::gzip(k_report))});
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(result.diagnostics.at(0).text() == "part 1 (text/html): HTML (ignored)");
    CHECK(result.diagnostics.at(1).text() == "part 2 (text/html): HTML (ignored)");
    CHECK(result.first_error().empty());
}

// Failure reports are a kind of their own now (its tests cover what is read
// from them); this message used to be named "DMARC failure report (not an
// aggregate report)". Here: it is one failure report made of the ARF parts
// (none read again as an attachment), never an aggregate report.
TEST_CASE("a failure report message yields no aggregate report") {
    const auto message =
        fixtures::multipart({text_part("This is a DMARC failure report.\r\n"),
                             {"Content-Type: message/feedback-report\r\n",
                              "Feedback-Type: auth-failure\r\nAuth-Failure: dmarc\r\n"},
                             {"Content-Type: text/rfc822-headers\r\n", "From: a@example.com\r\n"}},
                            "report-b", "");
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    const rua::Report& report = *result.reports[0];
    CHECK(std::string(report.kind()) == "failure");
    CHECK(dynamic_cast<const rua::AggregateReport*>(&report) == nullptr);
    CHECK(report.source.part == 2);
    CHECK(report.attachment == 0);
    CHECK(result.attachments.size() == 1);
    CHECK(texts(result) == std::vector<std::string>{
                               "part 2 (message/feedback-report): failure report parsed: from=? "
                               "id=" +
                               report.identifier() + " message=1"});
    CHECK(result.first_error().empty());
}

TEST_CASE("a quoted-printable XML attachment is decoded and parsed") {
    std::string qp;
    for (char c : k_report) {
        qp += c == '=' ? std::string("=3D") : std::string(1, c);
    }
    const auto result =
        rua::ingest(fixtures::multipart({{"Content-Type: text/xml\r\nContent-Transfer-Encoding: "
                                          "quoted-printable\r\n",
                                          qp}}),
                    rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(aggregate(result, 0).report_id == "r-1");
    CHECK(result.attachments.at(0).bytes == k_report);
}

TEST_CASE("two report attachments in one message yield two reports") {
    const auto message = fixtures::multipart(
        {fixtures::attachment("application/gzip", "a.xml.gz",
                              fixtures::gzip(fixtures::report_xml("a.org", "A", 1))),
         fixtures::attachment("text/xml", "b.xml", fixtures::report_xml("b.org", "B", 2))});
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 2);
    CHECK(aggregate(result, 0).report_id == "A");
    CHECK(result.reports[0]->attachment == 0);
    CHECK(aggregate(result, 1).report_id == "B");
    CHECK(result.reports[1]->attachment == 1);
    REQUIRE(result.attachments.size() == 2);
    CHECK(result.attachments[1].format == "xml");
}

TEST_CASE("a report in a forwarded message/rfc822 part is found") {
    const auto inner = fixtures::multipart(
        {fixtures::attachment("application/gzip", "fwd.xml.gz", fixtures::gzip(k_report))},
        "inner");
    const auto message =
        fixtures::multipart({text_part("FYI\r\n"), {"Content-Type: message/rfc822\r\n", inner}});
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(result.reports[0]->source.part == 2);
    CHECK(result.reports[0]->source.filename == "fwd.xml.gz");
}

TEST_CASE("a top-level application/zip message (Google style) is its own attachment") {
    const std::string message =
        "From: noreply-dmarc-support@google.com\r\nSubject: Report domain: example.com\r\n"
        "MIME-Version: 1.0\r\nContent-Type: application/zip; \r\n"
        "\tname=\"google.com!example.com!1700000000!1700086399.zip\"\r\n"
        "Content-Disposition: attachment; \r\n"
        "\tfilename=\"google.com!example.com!1700000000!1700086399.zip\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" +
        fixtures::base64(
            fixtures::zip({{"google.com!example.com!1700000000!1700086399.xml", k_report}}));
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(result.reports[0]->source.part == 1);
    CHECK(result.reports[0]->source.content_type == "application/zip");
    CHECK(result.reports[0]->source.filename == "google.com!example.com!1700000000!1700086399.zip");
    CHECK(result.reports[0]->source.compression == "zip");
}

TEST_CASE("a Mimecast top-level gzip with trailing CRLF is parsed with a warning") {
    const std::string message = "From: dmarc@mimecast.example\nContent-Type: application/gzip\n"
                                "Content-Transfer-Encoding: base64\n\n" +
                                fixtures::base64(fixtures::gzip(k_report) + "\r\n", 78, false);
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(texts(result) ==
          std::vector<std::string>{
              "part 1 (application/gzip): aggregate report parsed: from=example.org id=r-1 "
              "records=3",
              "part 1 (application/gzip): ignored 2 bytes after the end of the "
              "gzip stream"});
}

TEST_CASE("a Trustwave part with ContentType: and a gzip body is found") {
    const auto message =
        fixtures::multipart({text_part("report\r\n"),
                             {"ContentType: application/gzip; name=\"tw.xml.gz\"\r\n"
                              "Content-Transfer-Encoding: base64\r\n",
                              fixtures::base64(fixtures::gzip(k_report))}});
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(result.reports[0]->source.content_type == "application/gzip");
    CHECK(result.reports[0]->source.filename == "tw.xml.gz");
}

TEST_CASE("an RFC 2231 continued filename reaches Report::source") {
    const auto message =
        fixtures::multipart({{"Content-Type: application/octet-stream;\r\n"
                              " name*0=\"amazonses.com!example.com!1745884800!1745971200.xm\";\r\n"
                              " name*1=\"l.gz\"\r\nContent-Transfer-Encoding: base64\r\n",
                              fixtures::base64(fixtures::gzip(k_report))}});
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(result.reports[0]->source.filename ==
          "amazonses.com!example.com!1745884800!1745971200.xml.gz");
}

TEST_CASE("multi-member, double gzip and raw zlib attachments are all unpacked") {
    const auto half = k_report.size() / 2;
    const auto multi =
        fixtures::gzip(k_report.substr(0, half)) + fixtures::gzip(k_report.substr(half));
    const auto message = fixtures::multipart(
        {fixtures::attachment("application/gzip", "m.xml.gz", multi),
         fixtures::attachment("application/gzip", "d.xml.gz.gz",
                              fixtures::gzip(fixtures::gzip(k_report))),
         fixtures::attachment("application/octet-stream", "z.xml.zlib", fixtures::zlib(k_report))});
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 3);
    CHECK(result.reports[0]->source.compression == "gzip");
    CHECK(result.reports[1]->source.compression == "gzip+gzip");
    CHECK(result.reports[2]->source.compression == "zlib");
    CHECK(result.attachments[2].format == "zlib");
}

TEST_CASE("a zip member with a path-trick name is read by content and flagged") {
    const auto archive =
        fixtures::zip({{"../../etc/passwd.xml", k_report}, {"good.xml", k_report}});
    const auto result = rua::ingest(
        fixtures::multipart({fixtures::attachment("application/zip", "r.zip", archive)}),
        rua::Limits{});
    REQUIRE(result.reports.size() == 2);
    CHECK(texts(result) ==
          std::vector<std::string>{
              "part 1 (application/zip, \"r.zip\"): zip member \"../../etc/passwd.xml\": name "
              "looks like a path trick (read by content only)",
              "part 1 (application/zip, \"r.zip\"): zip member \"../../etc/passwd.xml\": "
              "aggregate report parsed: from=example.org id=r-1 records=3",
              "part 1 (application/zip, \"r.zip\"): zip member \"good.xml\": aggregate report "
              "parsed: from=example.org id=r-1 records=3"});
    CHECK(result.diagnostics[0].level == Diagnostic::Level::warning);
}

TEST_CASE("invalid base64 is an error for that part only") {
    auto bad = fixtures::attachment("application/gzip", "x.xml.gz", "ignored");
    bad.body = "H4sI!!!!\r\n";
    const auto result = rua::ingest(
        fixtures::multipart({bad, fixtures::attachment("text/xml", "ok.xml", k_report)}),
        rua::Limits{});
    CHECK(result.reports.size() == 1);
    CHECK(result.first_error() ==
          "part 1 (application/gzip, \"x.xml.gz\"): invalid base64: unexpected byte 0x21 at "
          "offset 4");
}

TEST_CASE("a truncated gzip attachment names the truncation, not an XML error") {
    const auto gz = fixtures::gzip(fixtures::report_xml("o", "t", 40));
    const auto result =
        rua::ingest(fixtures::multipart({fixtures::attachment("application/gzip", "t.xml.gz",
                                                              gz.substr(0, gz.size() / 2))}),
                    rua::Limits{});
    CHECK(result.reports.empty());
    CHECK(result.first_error() == "part 1 (application/gzip, \"t.xml.gz\"): truncated gzip stream");
}

TEST_CASE("an empty attachment is ignored and the sentence counts the parts") {
    const auto result =
        rua::ingest(fixtures::multipart({text_part("hi\r\n"),
                                         fixtures::attachment("application/gzip", "e.gz", "")}),
                    rua::Limits{});
    CHECK(result.reports.empty());
    CHECK(result.diagnostics.at(1).text() ==
          "part 2 (application/gzip, \"e.gz\"): empty attachment (ignored)");
    CHECK(result.first_error() ==
          "no report found in 2 parts (found text/plain, application/gzip)");
}

// TLS reports are a kind of their own now (its tests cover them). Here: JSON
// is never taken for an aggregate report. A TLS-shaped object goes to the
// tlsrpt kind (which refuses this one for its missing report-id); JSON that
// no kind reads is named and is no report.
TEST_CASE("a TLS-RPT JSON report is seen and said to be no aggregate report") {
    const std::string json = R"({"organization-name":"Example","policies":[]})";
    const auto result =
        rua::ingest(fixtures::multipart({text_part("TLS report\r\n"),
                                         fixtures::attachment("application/tlsrpt+gzip",
                                                              "t.json.gz", fixtures::gzip(json))}),
                    rua::Limits{});
    CHECK(result.reports.empty());
    REQUIRE(result.diagnostics.size() == 2);
    CHECK(result.diagnostics[1].level == Diagnostic::Level::error);
    CHECK(result.diagnostics[1].text() ==
          "part 2 (application/tlsrpt+gzip, \"t.json.gz\"): missing report-id");
    CHECK(result.first_error() ==
          "part 2 (application/tlsrpt+gzip, \"t.json.gz\"): missing report-id");
    CHECK(rua::ingest(json, rua::Limits{}).first_error() == "input: missing report-id");

    const std::string other = R"({"hello":"world"})";
    const auto unread =
        rua::ingest(fixtures::multipart({text_part("TLS report\r\n"),
                                         fixtures::attachment("application/tlsrpt+gzip",
                                                              "t.json.gz", fixtures::gzip(other))}),
                    rua::Limits{});
    CHECK(unread.reports.empty());
    CHECK(unread.diagnostics.at(1).text() ==
          "part 2 (application/tlsrpt+gzip, \"t.json.gz\"): gzip data: JSON (not a report)");
    CHECK(unread.first_error() ==
          "no report found in 2 parts (found text/plain, application/tlsrpt+gzip)");
    CHECK(rua::ingest(other, rua::Limits{}).first_error() == "no report found in the input");
}

TEST_CASE("empty input is an empty file, not an empty message") {
    const auto result = rua::ingest("", rua::Limits{});
    CHECK(texts(result) == std::vector<std::string>{"input: empty attachment (ignored)"});
    CHECK(result.first_error() == "no report found in the input");
}

TEST_CASE("an XML stage error becomes an error diagnostic, not an exception") {
    const auto result = rua::ingest("<feedback><report_metadata/></feedback>", rua::Limits{});
    CHECK(result.reports.empty());
    REQUIRE(result.diagnostics.size() == 1);
    CHECK(result.diagnostics[0].level == Diagnostic::Level::error);
    CHECK(result.first_error().rfind("input: ", 0) == 0);
}

TEST_CASE("a report-shaped gzip bomb stops at the decompressed limit with the part named") {
    const auto big = fixtures::gzip(fixtures::report_xml("o", "bomb", 20000));
    rua::Limits limits;
    limits.max_decompressed_bytes = 1u << 20;
    const auto result = rua::ingest(
        fixtures::multipart(
            {text_part("x\r\n"), fixtures::attachment("application/gzip", "x.xml.gz", big)}),
        limits);
    CHECK(result.reports.empty());
    CHECK(result.first_error() ==
          "part 2 (application/gzip, \"x.xml.gz\"): decompressed size exceeds 1048576 bytes");
}

TEST_CASE("a 1 GiB gzip of zeros in a message is an error after its first bytes") {
    const auto bomb = fixtures::gzip_zeros(std::size_t{1} << 30);
    const auto result = rua::ingest(
        fixtures::multipart({fixtures::attachment("application/gzip", "z.xml.gz", bomb)}),
        rua::Limits{});
    CHECK(result.reports.empty());
    const std::string expected = "part 1 (application/gzip, \"z.xml.gz\"): gzip data: "
                                 "decompresses to unrecognised binary data, not a report";
    CHECK(texts(result) == std::vector<std::string>{expected});
    CHECK(result.first_error() == expected);
}

TEST_CASE("a 50 MiB message is parsed, or refused whole under a lower size limit") {
    std::string padding;
    const std::string line(76, 'p');
    while (padding.size() < (50u << 20)) {
        padding += line + "\r\n";
    }
    const auto message = fixtures::multipart(
        {text_part(padding),
         fixtures::attachment("application/gzip", "r.xml.gz", fixtures::gzip(k_report))});
    REQUIRE(message.size() > (50u << 20));
    const auto result = rua::ingest(message, rua::Limits{});
    REQUIRE(result.reports.size() == 1);
    CHECK(result.reports[0]->source.part == 2);
    rua::Limits small;
    small.max_message_bytes = 32u << 20;
    CHECK_THROWS_WITH_AS(
        rua::ingest(message, small),
        ("message size " + std::to_string(message.size()) + " exceeds 33554432 bytes").c_str(),
        rua::LimitExceeded);
}

TEST_CASE("too many parts or too deep nesting throws for the whole message") {
    std::vector<fixtures::Part> parts(3, text_part("x"));
    rua::Limits limits;
    limits.max_parts = 2;
    CHECK_THROWS_WITH_AS(rua::ingest(fixtures::multipart(parts), limits),
                         "message has more than 2 MIME parts", rua::LimitExceeded);
    std::string message = fixtures::multipart({text_part("x")});
    for (int i = 0; i < 5; ++i) {
        message = fixtures::multipart({{"Content-Type: message/rfc822\r\n", message}},
                                      "n" + std::to_string(i));
    }
    CHECK_THROWS_WITH_AS(rua::ingest(message, rua::Limits{}), "MIME nesting deeper than 4 levels",
                         rua::LimitExceeded);
}

TEST_CASE("diagnostic text labels the part with what is known") {
    Diagnostic d;
    d.message = "m";
    CHECK(d.text() == "input: m");
    d.part = 3;
    CHECK(d.text() == "part 3: m");
    d.filename = "a\"b";
    CHECK(d.text() == "part 3 (\"a\\x22b\"): m");
    d.content_type = "application/zip";
    CHECK(d.text() == "part 3 (application/zip, \"a\\x22b\"): m");
}

TEST_CASE("a message/rfc822 part with broken base64 is an error for that part only") {
    const auto message = fixtures::multipart(
        {{"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n", "RnJv!!\r\n"},
         fixtures::attachment("text/xml", "ok.xml", k_report)});
    const auto result = rua::ingest(message, rua::Limits{});
    CHECK(result.reports.size() == 1);
    CHECK(result.first_error() ==
          "part 1 (message/rfc822): invalid base64: unexpected byte 0x21 at offset 4");
}
