// ingest with a ReportSink: an aggregate report past Limits::stream_items is
// handed over in batches, and what the sink sees (JSON pieces, counts,
// fingerprint) is exactly what the same report gives when held whole, also
// when its released records' fingerprint encoding spills to a temporary file.
#include <rua/errors.hpp>
#include <rua/ingest.hpp>
#include <rua/kinds/aggregate.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

std::string report_xml(std::size_t records, std::size_t bad_at = 0) {
    std::string xml = "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Big "
                      "Org</org_name><email>dmarc@big.example</email><report_id>s-1</report_id>"
                      "<date_range><begin>1700000000</begin><end>1700086399</end></date_range>"
                      "</report_metadata><policy_published><domain>Example.COM.</domain>"
                      "<p>reject</p></policy_published>";
    for (std::size_t i = 0; i < records; ++i) {
        const std::string count = i + 1 == bad_at ? "-1" : std::to_string(i + 1);
        xml += "<record><row><source_ip>2001:db8::" + std::to_string(i % 1000) +
               "</source_ip><count>" + count +
               "</count><policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim>"
               "<spf>softfail</spf></policy_evaluated></row><identifiers><header_from>"
               "example.com</header_from></identifiers><auth_results><spf><domain>"
               "mail.example.com</domain><result>softfail</result></spf></auth_results></record>";
    }
    return xml + "</feedback>\n";
}

// Keeps what a consumer of the stream would print.
class JsonSink final : public rua::ReportSink {
public:
    void begin(rua::Report& report, const rua::Attachment& attachment,
               std::string_view bytes) override {
        calls += "begin ";
        format = attachment.format;
        attachment_bytes = bytes.size();
        report.json_begin(json);
        report.json_items(json, true);
        batches.push_back(report.items());
    }
    void items(rua::Report& report) override {
        calls += "items ";
        report.json_items(json, false);
        batches.push_back(report.items());
    }
    void end(rua::Report& report) override {
        calls += "end ";
        report.json_items(json, false);
        report.json_end(json);
    }
    void abandon() noexcept override { calls += "abandon "; }

    std::string calls;
    std::string json;
    std::string format;
    std::size_t attachment_bytes = 0;
    std::vector<std::size_t> batches;
};

// The report of `xml` held whole (no sink), and the same through `sink` in
// batches of 1000 records.
rua::IngestResult held_whole(const std::string& xml) {
    rua::Limits limits;
    limits.stream_items = 100000;
    return rua::ingest(xml, limits, "big.xml");
}

rua::IngestResult streamed_through(const std::string& xml, rua::ReportSink& sink) {
    rua::Limits limits;
    limits.stream_items = 1000;
    return rua::ingest(xml, limits, "big.xml", &sink);
}

} // namespace

TEST_CASE("a streamed aggregate report is the report held whole, in pieces") {
    // ~130 bytes of fingerprint encoding a record: 9000 pass the 1 MiB
    // that is kept in memory.
    const std::string xml = report_xml(9000);
    const auto whole = held_whole(xml);
    REQUIRE(whole.reports.size() == 1);
    const auto& held = rua::report_as<rua::AggregateReport>(*whole.reports[0]);
    REQUIRE_FALSE(held.streamed);

    JsonSink sink;
    const auto streamed = streamed_through(xml, sink);
    REQUIRE(streamed.reports.size() == 1);
    const auto& report = rua::report_as<rua::AggregateReport>(*streamed.reports[0]);
    CHECK(report.streamed);
    CHECK(report.records.empty());
    CHECK(report.items() == 9000);
    CHECK(report.message_count() == held.message_count());
    CHECK(report.message_count() == 40504500);
    CHECK(sink.calls == "begin items items items items items items items items end ");
    CHECK(sink.batches ==
          std::vector<std::size_t>{1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000});
    CHECK(sink.format == "xml");
    CHECK(sink.attachment_bytes == xml.size());
    CHECK(report.source.file == "big.xml");
    const bool same_json = sink.json == held.to_json(); // not printed: 2 MB
    CHECK(same_json);
    CHECK(report.fingerprint_sha256() == held.fingerprint_sha256());
    const bool same_fingerprint = report.fingerprint() == held.fingerprint();
    CHECK(same_fingerprint);
    CHECK(report.policy.domain == "example.com");
}

namespace {

// Takes each batch (Report::take_batch) as the store's sink does, and keeps
// its part of the fingerprint later, in order, as the store's thread does.
class TakingSink final : public rua::ReportSink {
public:
    void begin(rua::Report& /*report*/, const rua::Attachment& /*attachment*/,
               std::string_view /*bytes*/) override {}
    void items(rua::Report& report) override {
        const std::size_t before = report.items();
        batches.push_back(report.take_batch());
        const auto& taken = rua::report_as<rua::AggregateReport>(*batches.back());
        records.push_back(taken.records.size());
        // Taken away, still counted: the parser's limits see every record.
        counted_after_take = counted_after_take && report.items() == before &&
                             rua::report_as<rua::AggregateReport>(report).records.empty();
    }
    void end(rua::Report& /*report*/) override {
        for (const auto& batch : batches) {
            batch->keep_released();
        }
    }
    void abandon() noexcept override {}

    std::vector<std::unique_ptr<rua::Report>> batches;
    std::vector<std::size_t> records;
    bool counted_after_take = true;
};

} // namespace

TEST_CASE("a sink that takes each batch and keeps its fingerprint later gets the whole report") {
    const std::string xml = report_xml(9000); // spills past 1 MiB, as above
    const auto whole = held_whole(xml);
    REQUIRE(whole.reports.size() == 1);
    const auto& held = rua::report_as<rua::AggregateReport>(*whole.reports[0]);

    TakingSink sink;
    const auto streamed = streamed_through(xml, sink);
    REQUIRE(streamed.reports.size() == 1);
    const auto& report = rua::report_as<rua::AggregateReport>(*streamed.reports[0]);
    // The first batch is read where it is (begin), the next eight are taken.
    CHECK(sink.records == std::vector<std::size_t>(8, 1000));
    CHECK(sink.counted_after_take);
    CHECK(report.items() == 9000);
    CHECK(report.message_count() == held.message_count());
    const auto& first = rua::report_as<rua::AggregateReport>(*sink.batches.front());
    CHECK(first.report_id == "s-1");
    CHECK(first.records.front().count == 1001);
    CHECK(report.fingerprint_sha256() == held.fingerprint_sha256());
    const bool same_fingerprint = report.fingerprint() == held.fingerprint();
    CHECK(same_fingerprint);
}

TEST_CASE("keeping the fingerprint of a report that is no taken batch is a mistake") {
    rua::Limits limits;
    const auto result = rua::ingest(report_xml(3), limits, "small.xml");
    REQUIRE(result.reports.size() == 1);
    CHECK_THROWS_AS(result.reports[0]->keep_released(), std::logic_error);
}

TEST_CASE("a streamed report that fails late is abandoned and becomes the part's error") {
    rua::Limits limits;
    limits.stream_items = 100;
    JsonSink sink;
    const auto result = rua::ingest(report_xml(450, 333), limits, "bad.xml", &sink);
    CHECK(result.reports.empty());
    CHECK(sink.calls == "begin items items abandon ");
    CHECK(result.first_error() == "input: record 333: count \"-1\" is not a number");
}

TEST_CASE("a report below the threshold never reaches the sink") {
    rua::Limits limits;
    limits.stream_items = 100;
    JsonSink sink;
    const auto result = rua::ingest(report_xml(99), limits, "small.xml", &sink);
    REQUIRE(result.reports.size() == 1);
    CHECK_FALSE(result.reports[0]->streamed);
    CHECK(result.reports[0]->items() == 99);
    CHECK(sink.calls.empty());
}
