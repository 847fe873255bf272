// A streamed report (past Limits::stream_items) meets a stored copy with its
// key: an authenticated copy with other content takes the place of an
// unauthenticated one before its records are written, exactly as a whole
// report does; an identical copy is a duplicate and changes nothing.
#include "db/db_fixture.hpp"
#include "db/many_records.hpp"

#include <rua/process.hpp>

#include <doctest/doctest.h>

#include <string>

namespace {

using rua::test::many_records_xml;
using rua::test::ScratchDb;

rua::Limits streaming() {
    rua::Limits limits;
    limits.stream_items = 100;
    return limits;
}

rua::ProcessOptions trusting() {
    rua::ProcessOptions options;
    options.authenticity.trusted_ids = {"mx.example.net"};
    options.authenticity.own_host = "rua.example.net";
    return options;
}

rua::Arrival smtp(const std::string& queue_id) {
    rua::Arrival a;
    a.rua = "dmarc@example.net";
    a.queue_id = queue_id;
    return a;
}

// The report's reporter is big.example (its <email>).
const std::string k_passed =
    "Authentication-Results: mx.example.net; dmarc=pass header.from=big.example\r\n";

std::string message(std::size_t records, const std::string& fields = "") {
    return fields + rua::test::xml_message(many_records_xml("big-a", records));
}

} // namespace

TEST_CASE("a streamed authenticated copy replaces an unauthenticated stored one") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto first =
        rua::process_message(store, message(300), streaming(), smtp("Q1"), trusting());
    REQUIRE(first.verdict == rua::Verdict::stored);
    REQUIRE(first.ingest.reports.at(0)->streamed);
    const std::string first_id = db.scalar("SELECT id FROM aggregate_report");
    const std::string first_raw = db.scalar("SELECT raw_report_id FROM aggregate_report");

    // The same report, authenticated: a duplicate; the stored copy stays as
    // it was (a whole report's duplicate never displaces either).
    const auto same =
        rua::process_message(store, message(300, k_passed), streaming(), smtp("Q2"), trusting());
    CHECK(same.verdict == rua::Verdict::duplicate);
    CHECK(same.outcome.duplicates() == 1);
    CHECK(db.scalar("SELECT concat_ws('|', id, authenticity, record_count) FROM "
                    "aggregate_report") == first_id + "|unknown|300");
    CHECK(db.count("aggregate_record") == 300);
    CHECK(db.count("report_conflict") == 0);
    CHECK(db.count("raw_report") == 1);

    // Other content, authenticated: it takes the stored copy's place.
    const auto signed_copy =
        rua::process_message(store, message(320, k_passed), streaming(), smtp("Q3"), trusting());
    CHECK(signed_copy.verdict == rua::Verdict::stored);
    REQUIRE(signed_copy.outcome.reports.size() == 1);
    const std::string placed = std::to_string(signed_copy.outcome.reports[0].id);
    CHECK(placed != first_id);
    CHECK(db.scalar("SELECT concat_ws('|', count(*), min(id), min(authenticity), "
                    "min(authserv_id), min(record_count)) FROM aggregate_report") ==
          "1|" + placed + "|dmarc-pass|mx.example.net|320");
    CHECK(db.count("aggregate_record") == 320);
    CHECK(db.scalar("SELECT sum(count) FROM aggregate_record") == "51360");
    // The displaced copy is kept, with its own attachment, as 'replaced'.
    CHECK(db.scalar("SELECT concat_ws('|', resolution, authenticity, stored_report_id, "
                    "raw_report_id, queue_id) FROM report_conflict") ==
          "replaced|unknown|" + placed + "|" + first_raw + "|Q1");
    CHECK(db.count("raw_report") == 2);

    // An unauthenticated copy with other content now: the authenticated
    // copy stays, and the conflict row says authenticity decided.
    const auto forged =
        rua::process_message(store, message(310), streaming(), smtp("Q4"), trusting());
    CHECK(forged.verdict == rua::Verdict::duplicate);
    CHECK(forged.outcome.conflicts() == 1);
    CHECK(db.scalar("SELECT concat_ws('|', min(id), min(record_count)) FROM aggregate_report") ==
          placed + "|320");
    CHECK(db.scalar("SELECT concat_ws('|', resolution, authenticity, stored_report_id) FROM "
                    "report_conflict WHERE queue_id = 'Q4'") == "kept|unknown|" + placed);
    CHECK(db.count("aggregate_record") == 320);
}

TEST_CASE("a streamed copy does not displace an authenticated stored one") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    REQUIRE(rua::process_message(store, message(300, k_passed), streaming(), smtp("Q1"), trusting())
                .verdict == rua::Verdict::stored);
    const std::string first_id = db.scalar("SELECT id FROM aggregate_report");
    const auto second =
        rua::process_message(store, message(320, k_passed), streaming(), smtp("Q2"), trusting());
    CHECK(second.outcome.conflicts() == 1);
    CHECK(db.scalar("SELECT concat_ws('|', id, record_count) FROM aggregate_report") ==
          first_id + "|300");
    CHECK(db.scalar("SELECT concat_ws('|', coalesce(resolution, 'open'), authenticity) FROM "
                    "report_conflict") == "open|dmarc-pass");
    CHECK(db.count("aggregate_record") == 300);
}
