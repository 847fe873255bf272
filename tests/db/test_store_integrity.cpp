// Database tests of the rules around stored reports: records belong to a
// stored report and go with it (sql/0003 enforces this with statement-level
// triggers, not a row-by-row foreign key), and an attachment is kept only
// when one of its reports was stored.
#include "db/db_fixture.hpp"

#include <rua/store.hpp>

#include <string>

using rua::test::make_report;
using rua::test::make_result;
using rua::test::ScratchDb;

TEST_CASE("records must belong to a stored report, and go with it") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto outcome = store.store(
        make_result({make_report("a.example", "a", 3), make_report("b.example", "b", 2)}),
        rua::Arrival{});
    REQUIRE(outcome.reports.size() == 2);
    const auto a = std::to_string(outcome.reports[0].id);
    CHECK(db.count("aggregate_record") == 5);

    CHECK_THROWS_WITH_AS(
        db.exec("INSERT INTO aggregate_record (report_id, ordinal, source_ip, "
                "count, dmarc_pass, date_begin) VALUES (-1, 0, '192.0.2.1', 1, true, now())"),
        doctest::Contains("refers to a missing aggregate_report"), pqxx::foreign_key_violation);
    CHECK_THROWS_AS(db.exec("UPDATE aggregate_record SET report_id = -1 WHERE report_id = " + a),
                    pqxx::foreign_key_violation);
    CHECK_THROWS_AS(db.exec("UPDATE aggregate_report SET id = DEFAULT WHERE id = " + a),
                    pqxx::foreign_key_violation);

    db.exec("DELETE FROM aggregate_report WHERE id = " + a);
    CHECK(db.count("aggregate_record") == 2);
    db.exec("TRUNCATE aggregate_report");
    CHECK(db.count("aggregate_record") == 0);
}

TEST_CASE("new attachment bytes whose reports are all duplicates are not kept") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto first =
        store.store(make_result({make_report("a.example", "a")}, "first bytes"), rua::Arrival{});
    REQUIRE(first.reports.size() == 1);
    const auto again =
        store.store(make_result({make_report("a.example", "a")}, "other bytes"), rua::Arrival{});
    REQUIRE(again.reports.size() == 1);
    CHECK(again.reports[0].outcome == rua::ReportOutcome::duplicate);
    CHECK(db.scalar("SELECT string_agg(convert_from(data, 'UTF8'), ',') FROM raw_report") ==
          "first bytes");
    CHECK(db.scalar("SELECT count(*) FROM aggregate_report a JOIN raw_report r "
                    "ON r.id = a.raw_report_id AND r.sha256 = a.raw_sha256") == "1");
}
