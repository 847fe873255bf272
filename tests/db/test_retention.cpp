// Database tests of monthly partitions and retention (sql/0012 through
// rua::Retention): rows land in their month's partition or the default one,
// creating a month moves its rows out of the default, retention drops
// exactly the expired months, keeps reports and daily totals, and a rerun
// changes nothing.
#include "db/db_fixture.hpp"

#include <rua/process.hpp>
#include <rua/retention.hpp>

#include <string>
#include <vector>

using rua::test::make_report;
using rua::test::make_result;
using rua::test::ScratchDb;

namespace {

using Lines = std::vector<std::string>;

// The first day of the UTC month `offset` months from now, as SQL text.
std::string month_expr(int offset) {
    return "(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => " +
           std::to_string(offset) + "))::date";
}

// "aggregate_record_2026_12" for the month `offset` months from now.
std::string partition(ScratchDb& db, const std::string& table, int offset) {
    return db.scalar("SELECT rua_partition_name('" + table + "', " + month_expr(offset) + ")");
}

// "2025-11-01": the first day of the month `offset` months from now.
std::string month_day(ScratchDb& db, int offset) {
    return db.scalar("SELECT " + month_expr(offset) + "::text");
}

// UTC seconds of the second day of the month `offset` months from now.
std::int64_t in_month(ScratchDb& db, int offset) {
    return std::stoll(db.scalar("SELECT extract(epoch FROM (" + month_expr(offset) +
                                " + 1)::timestamp AT TIME ZONE 'UTC')::bigint"));
}

std::string where_records(ScratchDb& db, const std::string& report_id) {
    return db.scalar("SELECT string_agg(DISTINCT r.tableoid::regclass::text, ',') "
                     "FROM aggregate_record r JOIN aggregate_report a ON a.id = r.report_id "
                     "WHERE a.report_id = '" +
                     report_id + "'");
}

} // namespace

TEST_CASE("records land in their report's month partition, a month without one in the default") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    REQUIRE(store
                .store(make_result({make_report("a.example", "now", 2, in_month(db, 0))}),
                       rua::Arrival{})
                .reports.size() == 1);
    REQUIRE(store
                .store(make_result({make_report("a.example", "ahead", 3, in_month(db, 3))},
                                   "other bytes"),
                       rua::Arrival{})
                .reports.size() == 1);
    REQUIRE(store
                .store(make_result({make_report("a.example", "old", 1, 1700000000)}, "old bytes"),
                       rua::Arrival{})
                .reports.size() == 1);
    CHECK(where_records(db, "now") == partition(db, "aggregate_record", 0));
    CHECK(where_records(db, "ahead") == partition(db, "aggregate_record", 3));
    CHECK(where_records(db, "old") == "aggregate_record_default");
    CHECK(db.scalar("SELECT string_agg(DISTINCT tableoid::regclass::text, ',') FROM raw_report") ==
          partition(db, "raw_report", 0));
}

TEST_CASE("creating a month's partition moves its rows out of the default partition") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    REQUIRE(store
                .store(make_result({make_report("a.example", "later", 2, in_month(db, 5))}),
                       rua::Arrival{})
                .reports.size() == 1);
    REQUIRE(where_records(db, "later") == "aggregate_record_default");
    db.exec("INSERT INTO raw_report (data, format, month) VALUES ('later', 'xml', " +
            month_expr(5) + ")");
    rua::Retention retention(pool);

    const Lines would = {"would create partition " + partition(db, "aggregate_record", 4),
                         "would create partition " + partition(db, "aggregate_record", 5) +
                             " (would move 2 rows from aggregate_record_default)",
                         "would create partition " + partition(db, "raw_report", 4),
                         "would create partition " + partition(db, "raw_report", 5) +
                             " (would move 1 rows from raw_report_default)"};
    CHECK(retention.create_partitions(5, true) == would);
    CHECK(where_records(db, "later") == "aggregate_record_default");
    CHECK(db.scalar("SELECT to_regclass('" + partition(db, "aggregate_record", 4) + "')") ==
          "NULL");

    const Lines done = {"created partition " + partition(db, "aggregate_record", 4),
                        "created partition " + partition(db, "aggregate_record", 5) +
                            " (moved 2 rows from aggregate_record_default)",
                        "created partition " + partition(db, "raw_report", 4),
                        "created partition " + partition(db, "raw_report", 5) +
                            " (moved 1 rows from raw_report_default)"};
    CHECK(retention.create_partitions(5, false) == done);
    CHECK(where_records(db, "later") == partition(db, "aggregate_record", 5));
    CHECK(db.count("aggregate_record_default") == 0);
    CHECK(db.scalar("SELECT tableoid::regclass::text || ' ' || size FROM raw_report WHERE data = "
                    "'later'") == partition(db, "raw_report", 5) + " 5");
    CHECK(db.scalar("SELECT sum(count) FROM aggregate_record") == "3");
    CHECK(retention.create_partitions(5, false).empty());
}

TEST_CASE("retention drops exactly the expired partitions, keeps reports and daily totals") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    for (const int month : {-14, -13, -12, -4}) {
        db.exec("SELECT rua_partition_create('aggregate_record', " + month_expr(month) + ")");
    }
    db.exec("SELECT rua_partition_create('raw_report', " + month_expr(-4) + ")");
    db.exec("SELECT rua_partition_create('raw_report', " + month_expr(-3) + ")");
    int n = 0;
    for (const int month : {-14, -13, -12}) {
        REQUIRE(store
                    .store(make_result({make_report("a.example", "m" + std::to_string(month), 2,
                                                    in_month(db, month))},
                                       "bytes " + std::to_string(++n)),
                           rua::Arrival{})
                    .reports.size() == 1);
    }
    REQUIRE(store
                .store(make_result({make_report("a.example", "old", 2, 1700000000)}, "old"),
                       rua::Arrival{})
                .reports.size() == 1);
    db.exec("INSERT INTO raw_report (data, format, month) VALUES ('expired', 'xml', " +
            month_expr(-4) + "), ('kept', 'xml', " + month_expr(-3) + "), ('in default', 'xml', " +
            month_expr(-10) + ")");
    store.quarantine("old message", "no_report", "", rua::Arrival{});
    store.quarantine("new message", "no_report", "", rua::Arrival{});
    db.exec("UPDATE quarantine SET received_at = now() - interval '31 days' "
            "WHERE raw = 'old message'");
    const auto reports = db.count("aggregate_report");
    const auto raws = db.count("raw_report");
    rua::Retention retention(pool);

    rua::RetentionSettings settings;
    settings.dry_run = true;
    const auto would = retention.apply(settings);
    REQUIRE(would.size() == 6);
    CHECK(would[0] ==
          "would drop partition " + partition(db, "aggregate_record", -14) + " (2 records)");
    CHECK(would[1] == "would delete 2 records from aggregate_record_default (before " +
                          month_day(db, -13) + ")");
    CHECK(would[2] ==
          "would drop partition " + partition(db, "raw_report", -4) + " (1 attachments)");
    CHECK(would[3] ==
          "would delete 1 attachments from raw_report_default (before " + month_day(db, -3) + ")");
    CHECK(would[4].rfind("would delete 1 quarantined messages (received before ", 0) == 0);
    CHECK(would[5] == "retention: would drop 2 partitions, would delete 4 rows (records before " +
                          month_day(db, -13) + ", attachments before " + month_day(db, -3) + ")");
    CHECK(db.count("aggregate_record") == 8);
    CHECK(db.count("raw_report") == raws);
    CHECK(db.count("quarantine") == 2);
    CHECK(db.count("day_source_folded") == 0);

    settings.dry_run = false;
    const auto done = retention.apply(settings);
    REQUIRE(done.size() == 6);
    CHECK(done[0] ==
          "dropped partition " + partition(db, "aggregate_record", -14) + " (2 records)");
    CHECK(done[1] ==
          "deleted 2 records from aggregate_record_default (before " + month_day(db, -13) + ")");
    CHECK(done[2] == "dropped partition " + partition(db, "raw_report", -4) + " (1 attachments)");
    CHECK(done[3] ==
          "deleted 1 attachments from raw_report_default (before " + month_day(db, -3) + ")");
    CHECK(done[4].rfind("deleted 1 quarantined messages (received before ", 0) == 0);
    CHECK(done[5] == "retention: dropped 2 partitions, deleted 4 rows (records before " +
                         month_day(db, -13) + ", attachments before " + month_day(db, -3) + ")");

    CHECK(db.scalar("SELECT to_regclass('" + partition(db, "aggregate_record", -14) + "')") ==
          "NULL");
    CHECK(db.scalar("SELECT to_regclass('" + partition(db, "aggregate_record", -13) + "')") ==
          partition(db, "aggregate_record", -13));
    CHECK(db.scalar("SELECT string_agg(a.report_id, ',' ORDER BY a.report_id) FROM "
                    "aggregate_report a WHERE EXISTS (SELECT 1 FROM aggregate_record r "
                    "WHERE r.report_id = a.id)") == "m-12,m-13");
    CHECK(db.count("aggregate_report") == reports);
    CHECK(db.scalar("SELECT string_agg(convert_from(data, 'UTF8'), ',' ORDER BY id) FROM "
                    "raw_report WHERE month < " +
                    month_expr(0)) == "kept");
    CHECK(db.scalar("SELECT string_agg(convert_from(raw, 'UTF8'), ',') FROM quarantine") ==
          "new message");
    // The daily rollup keeps both dropped months (sql/0013): "old" covers
    // 1 h 46 m of 2023-11-14 and the rest of a day after, so its records of 1
    // and 2 messages count wholly on the 15th.
    CHECK(db.scalar("SELECT string_agg(format('%s %s %s %s', day, domain, source_ip, messages), "
                    "'; ' ORDER BY day, source_ip) FROM v_day_source WHERE day < " +
                    month_expr(-13)) ==
          "2023-11-15 example.com 192.0.2.1 1; 2023-11-15 example.com 192.0.2.2 2; " +
              month_day(db, -14).substr(0, 8) + "02 example.com 192.0.2.1 1; " +
              month_day(db, -14).substr(0, 8) + "02 example.com 192.0.2.2 2");
    CHECK(db.count("rollup_pending") == 0);

    const auto daily = db.scalar(
        "SELECT string_agg(format('%s', d), ';' ORDER BY day, source_ip) FROM v_day_source d");
    CHECK(retention.apply(settings) ==
          Lines{"retention: dropped 0 partitions, deleted 0 rows (records before " +
                month_day(db, -13) + ", attachments before " + month_day(db, -3) + ")"});
    CHECK(db.scalar("SELECT string_agg(format('%s', d), ';' ORDER BY day, source_ip) "
                    "FROM v_day_source d") == daily);
    CHECK(db.count("aggregate_record") == 4);
}

TEST_CASE("a report sent again after retention expired its records is still a duplicate") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const auto raw = rua::test::xml_message(rua::test::aggregate_xml("resent-1", "example.com"));
    const auto first = rua::process_message(store, raw, rua::Limits{}, rua::Arrival{}, {});
    REQUIRE(first.verdict == rua::Verdict::stored);
    rua::Retention retention(pool);
    const auto lines = retention.apply(rua::RetentionSettings{});
    REQUIRE_FALSE(lines.empty());
    CHECK(lines[0].rfind("deleted 1 records from aggregate_record_default", 0) == 0);
    CHECK(db.count("aggregate_record") == 0);

    const auto again = rua::process_message(store, raw, rua::Limits{}, rua::Arrival{}, {});
    CHECK(again.verdict == rua::Verdict::duplicate);
    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.count("aggregate_record") == 0);
    CHECK(db.scalar("SELECT sum(messages) FROM v_day_domain") == "4");
}
