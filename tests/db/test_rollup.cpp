// Database tests of the daily rollup (sql/0013): rua_day_split's pro rata
// rule, the three views before and after the fold, their sums against the
// records', the DKIM/SPF breakdown and alignment, the fold beside a writer
// that has not committed yet and beside concurrent writers, retention after
// the rollup, and the backfill of records stored before the migration.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>
#include <rua/migrate.hpp>
#include <rua/retention.hpp>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using rua::test::make_report;
using rua::test::make_result;
using rua::test::ScratchDb;

namespace {

// "day:messages;..." of rua_day_split(count, begin, end).
std::string split(ScratchDb& db, const std::string& count, const std::string& begin,
                  const std::string& end) {
    return db.scalar("SELECT coalesce(string_agg(day || ':' || messages, ';' ORDER BY day), '') "
                     "FROM rua_day_split(" +
                     count + ", '" + begin + "', '" + end + "')");
}

// An aggregate report inserted as the writer would, without records; its id.
std::string add_report(ScratchDb& db, const std::string& key, const std::string& domain,
                       const std::string& begin, const std::string& end,
                       const std::string& adkim = "NULL", const std::string& aspf = "NULL") {
    return db.scalar("INSERT INTO aggregate_report (org_name, report_id, date_begin, date_end, "
                     "domain, adkim, aspf, schema_flavour, via, fingerprint, record_count, "
                     "message_count) VALUES ('Reporter', '" +
                     key + "', '" + begin + "', '" + end + "', '" + domain + "', " + adkim + ", " +
                     aspf + ", 'rfc7489', 'import', '\\x00', 0, 0) RETURNING id");
}

// One record of report `id` (its date_begin copied from the report).
void add_record(ScratchDb& db, const std::string& id, int ordinal, const std::string& ip, int count,
                bool pass, const std::string& dkim_json = "[]",
                const std::string& spf_json = "[]") {
    db.exec("INSERT INTO aggregate_record (report_id, ordinal, source_ip, count, disposition, "
            "dkim, spf, header_from, dmarc_pass, auth_dkim, auth_spf, date_begin) "
            "SELECT id, " +
            std::to_string(ordinal) + ", '" + ip + "', " + std::to_string(count) + ", '" +
            (pass ? "none" : "reject") + "', '" + (pass ? "pass" : "fail") + "', 'fail', " +
            "'example.com', " + (pass ? "true" : "false") + ", '" + dkim_json + "', '" + spf_json +
            "', date_begin FROM aggregate_report WHERE id = " + id);
}

// Sum of messages of `view` for example.com (0 when none).
std::string view_sum(ScratchDb& db, const std::string& view, const std::string& where = "true") {
    return db.scalar("SELECT coalesce(sum(messages), 0) FROM " + view +
                     " WHERE domain = 'example.com' AND " + where);
}

std::string record_sum(ScratchDb& db) {
    return db.scalar("SELECT coalesce(sum(count), 0) FROM aggregate_record");
}

// v_day_domain as "day pass/fail messages;..." for example.com.
std::string daily(ScratchDb& db) {
    return db.scalar("SELECT coalesce(string_agg(day || ' ' || dmarc_pass || ' ' || messages, ';' "
                     "ORDER BY day, dmarc_pass), '') FROM v_day_domain "
                     "WHERE domain = 'example.com'");
}

} // namespace

TEST_CASE("rua_day_split spreads a count pro rata by hours, largest remainder, ties earlier") {
    ScratchDb db;
    struct Case {
        const char* count;
        const char* begin;
        const char* end;
        const char* expected;
    };
    const std::vector<Case> cases = {
        // one whole day
        {"7", "2024-01-01 00:00Z", "2024-01-02 00:00Z", "2024-01-01:7"},
        // 23:59:59, as many reporters write the end
        {"7", "2024-01-01 00:00Z", "2024-01-01 23:59:59Z", "2024-01-01:7"},
        // 12 h, 24 h, 12 h: 2.5, 5, 2.5; the tie between the halves goes earlier
        {"10", "2024-01-01 12:00Z", "2024-01-03 12:00Z", "2024-01-01:3;2024-01-02:5;2024-01-03:2"},
        // 0.25, 0.5, 0.25: the largest remainder is the middle day's
        {"1", "2024-01-01 12:00Z", "2024-01-03 12:00Z", "2024-01-02:1"},
        // three equal days: 33.3 each, the one left over to the first
        {"100", "2024-01-01 00:00Z", "2024-01-04 00:00Z",
         "2024-01-01:34;2024-01-02:33;2024-01-03:33"},
        // 18 h and 6 h: 3 and 1
        {"4", "2024-01-01 06:00Z", "2024-01-02 06:00Z", "2024-01-01:3;2024-01-02:1"},
        // exact past 2^53
        {"9223372036854775807", "2024-01-01 00:00Z", "2024-01-04 00:00Z",
         "2024-01-01:3074457345618258603;2024-01-02:3074457345618258602;"
         "2024-01-03:3074457345618258602"},
        // other time zones are the same instants
        {"2", "2024-01-01 23:00-01", "2024-01-03 00:00Z", "2024-01-02:2"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.count);
        CAPTURE(c.begin);
        CAPTURE(c.end);
        CHECK(split(db, c.count, c.begin, c.end) == c.expected);
    }
}

TEST_CASE("a report under an hour, reversed, or over 31 days counts wholly on its begin day") {
    ScratchDb db;
    CHECK(split(db, "7", "2024-01-01 23:30Z", "2024-01-02 00:10Z") == "2024-01-01:7");
    CHECK(split(db, "7", "2024-01-02 00:00Z", "2024-01-01 00:00Z") == "2024-01-02:7");
    CHECK(split(db, "7", "2024-01-01 05:00Z", "2024-01-01 05:00Z") == "2024-01-01:7");
    CHECK(split(db, "7", "2024-01-01 00:00Z", "2024-03-01 00:00Z") == "2024-01-01:7");
    // 31 days exactly is still spread
    CHECK(db.scalar("SELECT count(*) || ':' || sum(messages) FROM "
                    "rua_day_split(62, '2024-01-01 00:00Z', '2024-02-01 00:00Z')") == "31:62");
    // a count of 0 gives no row
    CHECK(split(db, "0", "2024-01-01 00:00Z", "2024-01-03 00:00Z").empty());
}

TEST_CASE("stored reports count in the views once queued, the same after the fold") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    // 1700000000 is 2023-11-14 22:13:20Z: each report covers 1 h 46 m 40 s of
    // the 14th and 22 h 13 m 20 s of the 15th.
    const auto outcome = store.store(
        make_result({make_report("a.example", "r-1", 3), make_report("b.example", "r-2", 2)}),
        rua::Arrival{});
    REQUIRE(outcome.reports.size() == 2);
    db.exec("SELECT rua_rollup_report(id) FROM aggregate_report");
    CHECK(db.count("rollup_pending") == 2);
    // r-1: records of 1, 2, 3 (pass, fail, pass), r-2: 1, 2 (pass, fail).
    // 1 -> 0 + 1; 2 -> 0 + 2; 3 -> 0 + 3 (0.22 of a day on the 14th).
    const std::string expected = "2023-11-15 false 4;2023-11-15 true 5";
    CHECK(daily(db) == expected);
    CHECK(view_sum(db, "v_day_domain") == record_sum(db));
    CHECK(view_sum(db, "v_day_source") == record_sum(db));
    CHECK(view_sum(db, "v_day_auth", "method = 'dkim'") == record_sum(db));
    CHECK(view_sum(db, "v_day_auth", "method = 'spf'") == record_sum(db));
    CHECK(db.scalar("SELECT count(*) FROM day_domain_folded") == "0");

    rua::Admin admin(pool);
    CHECK(admin.fold_rollup() == 2);
    CHECK(db.count("rollup_pending") == 0);
    CHECK(db.scalar("SELECT count(*) FROM aggregate_report WHERE rolled_up") == "2");
    CHECK(daily(db) == expected);
    CHECK(view_sum(db, "v_day_source") == record_sum(db));
    CHECK(view_sum(db, "v_day_auth", "method = 'spf'") == record_sum(db));
    CHECK(db.scalar("SELECT sum(messages) FROM day_domain_folded") == "9");
    CHECK(admin.fold_rollup() == 0);
    CHECK(daily(db) == expected);

    // Queued twice, or again after the fold: counted once.
    CHECK(db.scalar("SELECT sum(rua_rollup_report(id)) FROM aggregate_report") == "0");
    CHECK(admin.fold_rollup() == 0);
    CHECK(daily(db) == expected);
}

TEST_CASE("each view of a domain sums exactly to its records' counts, days spread") {
    ScratchDb db;
    const auto a = add_report(db, "a", "Example.COM", "2024-01-01 12:00Z", "2024-01-03 12:00Z");
    const auto b = add_report(db, "b", "example.com", "2024-01-05 00:00Z", "2024-01-05 23:59:59Z");
    const auto c = add_report(db, "c", "example.com", "2024-01-09 20:00Z", "2024-01-11 05:00Z");
    const std::string dkim = R"([{"domain": "example.com", "selector": "s1", "result": "pass"}])";
    const std::string spf = R"([{"domain": "example.com", "scope": "mfrom", "result": "pass"}])";
    int ordinal = 0;
    for (const auto& id : {a, b, c}) {
        for (int i = 0; i < 7; ++i) {
            add_record(db, id, ordinal++, "192.0.2." + std::to_string(i + 1), 3 * i + 1, i % 3 != 0,
                       dkim, spf);
        }
    }
    db.exec("SELECT rua_rollup_report(id) FROM aggregate_report WHERE id IN (" + a + ", " + b +
            ")");
    const auto records = record_sum(db);
    CHECK(records == "210");
    // c is not queued yet: the views lack its 70 messages.
    CHECK(view_sum(db, "v_day_domain") == "140");
    db.exec("SELECT rua_rollup_fold()");
    db.exec("SELECT rua_rollup_report(" + c + ")");
    for (const auto* view : {"v_day_domain", "v_day_source"}) {
        CAPTURE(view);
        CHECK(view_sum(db, view) == records);
    }
    CHECK(view_sum(db, "v_day_auth", "method = 'dkim'") == records);
    CHECK(view_sum(db, "v_day_auth", "method = 'spf'") == records);
    // Split per record, worked by hand: report a's records of 1, 4, ..., 19
    // at 1/4, 1/2, 1/4 give (0,1,0) (1,2,1) (2,3,2) (3,5,2) (3,7,3) (4,8,4)
    // (5,9,5); report c's at 4/33, 24/33, 5/33 give (0,1,0) (0,3,1) (1,5,1)
    // (1,7,2) (2,9,2) (2,12,2) (2,14,3).
    CHECK(db.scalar("SELECT string_agg(day || ':' || sum, ';' ORDER BY day) FROM "
                    "(SELECT day, sum(messages) FROM v_day_domain GROUP BY day) AS d") ==
          "2024-01-01:18;2024-01-02:35;2024-01-03:17;2024-01-05:70;2024-01-09:8;2024-01-10:51;"
          "2024-01-11:11");
    db.exec("SELECT rua_rollup_fold()");
    CHECK(view_sum(db, "v_day_domain") == records);
    CHECK(db.scalar("SELECT sum(messages) FROM day_source_folded") == records);
}

TEST_CASE("v_day_auth breaks DKIM down by domain and selector with alignment per adkim/aspf") {
    ScratchDb db;
    const auto relaxed =
        add_report(db, "r", "example.com", "2024-02-01 00:00Z", "2024-02-02 00:00Z", "'r'", "'s'");
    add_record(db, relaxed, 0, "192.0.2.1", 10, true,
               R"([{"domain": "Mail.Example.com", "selector": "s1", "result": "pass"},)"
               R"( {"domain": "esp.example.net", "selector": "k2", "result": "PASS"}])",
               R"([{"domain": "bounce.example.com", "scope": "mfrom", "result": "pass"}])");
    add_record(db, relaxed, 1, "192.0.2.2", 3, false, "[]",
               R"([{"domain": "example.com", "scope": "mfrom", "result": "fail"}])");
    const auto strict =
        add_report(db, "s", "example.com", "2024-02-01 00:00Z", "2024-02-02 00:00Z", "'s'", "NULL");
    add_record(db, strict, 0, "192.0.2.3", 5, true,
               R"([{"domain": "mail.example.com", "selector": "s1", "result": "pass"}])",
               R"([{"domain": "example.com.", "scope": "mfrom", "result": "pass"}])");
    db.exec("SELECT rua_rollup_report(id) FROM aggregate_report");
    const auto rows = [&]() {
        return db.scalar("SELECT string_agg(concat_ws(' ', method, coalesce(auth_domain, '-'), "
                         "coalesce(selector, '-'), coalesce(result, '-'), "
                         "coalesce(aligned::text, '-'), messages), '; ' ORDER BY method, "
                         "auth_domain, selector, aligned) FROM v_day_auth");
    };
    const std::string expected =
        "dkim esp.example.net k2 pass false 10; dkim mail.example.com s1 pass false 5; "
        "dkim mail.example.com s1 pass true 10; dkim - - - - 3; "
        "spf bounce.example.com - pass false 10; spf example.com - fail true 3; "
        "spf example.com. - pass true 5";
    CHECK(rows() == expected);
    db.exec("SELECT rua_rollup_fold()");
    CHECK(rows() == expected);
    CHECK(db.scalar("SELECT rua_aligned('a.example.com', 'b.example.com', 'r')") == "f");
    CHECK(db.scalar("SELECT rua_aligned('example.com', 'mail.example.com', NULL)") == "t");
    CHECK(db.scalar("SELECT rua_aligned('badexample.com', 'example.com', 'r')") == "f");
    CHECK(db.scalar("SELECT rua_aligned(NULL, 'example.com', 'r')") == "f");
}

TEST_CASE("rua_rollup_report of a report that does not exist raises no_data_found") {
    ScratchDb db;
    pqxx::work tx(db.conn());
    try {
        tx.exec("SELECT rua_rollup_report(4242)");
        FAIL("no error");
    } catch (const pqxx::sql_error& e) {
        CHECK(e.sqlstate() == "P0002");
        CHECK(std::string(e.what()).find("rua_rollup_report: no aggregate report with id 4242") !=
              std::string::npos);
    }
}

TEST_CASE("a fold beside an uncommitted writer leaves its report pending, then folds it") {
    ScratchDb db;
    const auto first =
        add_report(db, "first", "example.com", "2024-03-01 00:00Z", "2024-03-02 00:00Z");
    add_record(db, first, 0, "192.0.2.1", 5, true);
    db.exec("SELECT rua_rollup_report(" + first + ")");

    pqxx::connection writer_conn(db.url());
    pqxx::work writer(writer_conn);
    const auto second =
        writer
            .exec1(
                "INSERT INTO aggregate_report (org_name, report_id, date_begin, date_end, domain, "
                "schema_flavour, via, fingerprint, record_count, message_count) VALUES "
                "('Reporter', "
                "'second', '2024-03-01 00:00Z', '2024-03-02 00:00Z', 'example.com', 'rfc7489', "
                "'import', '\\x00', 1, 7) RETURNING id")[0]
            .as<std::string>();
    writer.exec("INSERT INTO aggregate_record (report_id, ordinal, source_ip, count, dmarc_pass, "
                "date_begin) VALUES (" +
                second + ", 0, '192.0.2.2', 7, false, '2024-03-01 00:00Z')");
    writer.exec("SELECT rua_rollup_report(" + second + ")");

    // The fold, on another connection, neither waits for the writer nor sees it.
    CHECK(db.scalar("SELECT rua_rollup_fold()") == "1");
    CHECK(daily(db) == "2024-03-01 true 5");
    writer.commit();
    CHECK(db.count("rollup_pending") == 1);
    CHECK(daily(db) == "2024-03-01 false 7;2024-03-01 true 5");
    CHECK(db.scalar("SELECT rua_rollup_fold()") == "1");
    CHECK(daily(db) == "2024-03-01 false 7;2024-03-01 true 5");
    CHECK(db.scalar("SELECT sum(messages) FROM day_domain_folded") == "12");
}

TEST_CASE("folds running while two connections store reports lose and double nothing") {
    ScratchDb db;
    constexpr int k_reports = 40;
    const auto writer = [&](int first) {
        pqxx::connection conn(db.url());
        for (int i = first; i < k_reports; i += 2) {
            pqxx::work tx(conn);
            const auto id =
                tx.exec1("INSERT INTO aggregate_report (org_name, report_id, date_begin, date_end, "
                         "domain, schema_flavour, via, fingerprint, record_count, message_count) "
                         "VALUES ('Reporter', 'w" +
                         std::to_string(i) +
                         "', '2024-04-01 06:00Z', '2024-04-03 06:00Z', 'example.com', "
                         "'rfc7489', 'import', '\\x00', 3, 0) RETURNING id")[0]
                    .as<std::string>();
            tx.exec("INSERT INTO aggregate_record (report_id, ordinal, source_ip, count, "
                    "dmarc_pass, date_begin) SELECT " +
                    id + ", n, ('192.0.2.' || n + 1)::inet, n * 7 + " + std::to_string(i) +
                    ", n % 2 = 0, '2024-04-01 06:00Z' FROM generate_series(0, 2) AS n");
            tx.exec("SELECT rua_rollup_report(" + id + ")");
            tx.commit();
        }
    };
    std::thread one(writer, 0);
    std::thread two(writer, 1);
    long long folded = 0;
    {
        pqxx::connection conn(db.url());
        for (int i = 0; i < 30; ++i) {
            pqxx::work tx(conn);
            folded += tx.exec1("SELECT rua_rollup_fold()")[0].as<long long>();
            tx.commit();
        }
    }
    one.join();
    two.join();
    folded += std::stoll(db.scalar("SELECT rua_rollup_fold()"));
    CHECK(folded == k_reports);
    CHECK(db.count("rollup_pending") == 0);
    CHECK(db.scalar("SELECT count(*) FROM aggregate_report WHERE NOT rolled_up") == "0");
    const auto records = record_sum(db);
    // Report i has records of 0 * 7 + i, 1 * 7 + i, 2 * 7 + i messages.
    CHECK(records == "3180");
    CHECK(view_sum(db, "v_day_domain") == records);
    CHECK(view_sum(db, "v_day_source") == records);
    CHECK(db.scalar("SELECT sum(messages) FROM day_domain_folded") == records);
}

TEST_CASE("retention after the rollup: the folded days stay, unrolled reports are rolled up") {
    ScratchDb db;
    // Two reports 15 months old (their month's records expire); the writer
    // queued one and never the other.
    const auto month = db.scalar("SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - "
                                 "interval '15 months' + interval '1 day')::date");
    const auto next = db.scalar("SELECT '" + month + "'::date + 1");
    db.exec("SELECT rua_partition_create('aggregate_record', '" + month + "')");
    const auto queued = add_report(db, "q", "example.com", month + " 00:00Z", next + " 00:00Z");
    add_record(db, queued, 0, "192.0.2.1", 5, true);
    const auto forgotten = add_report(db, "f", "example.com", month + " 00:00Z", next + " 00:00Z");
    add_record(db, forgotten, 0, "192.0.2.2", 6, false);
    db.exec("SELECT rua_rollup_report(" + queued + ")");
    CHECK(view_sum(db, "v_day_domain") == "5");

    rua::ConnectionPool pool(db.url(), 1);
    rua::Retention retention(pool);
    const auto lines = retention.apply(rua::RetentionSettings{});
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] ==
          "dropped partition " +
              db.scalar("SELECT rua_partition_name('aggregate_record', '" + month + "')") +
              " (2 records)");
    CHECK(db.count("aggregate_record") == 0);
    CHECK(db.count("rollup_pending") == 0);
    CHECK(daily(db) == month + " false 6;" + month + " true 5");
    CHECK(db.scalar("SELECT count(*) FROM aggregate_report WHERE rolled_up") == "2");
    // A rerun, or a late rollup call, adds nothing.
    retention.apply(rua::RetentionSettings{});
    db.exec("SELECT rua_rollup_report(id) FROM aggregate_report");
    db.exec("SELECT rua_rollup_fold()");
    CHECK(daily(db) == month + " false 6;" + month + " true 5");
}

TEST_CASE("the migration rolls up the records stored before it and folds aggregate_daily in") {
    ScratchDb db(false);
    const auto dir = std::filesystem::path(RUA_BINARY_DIR) / ("sql_" + db.name());
    std::filesystem::create_directories(dir);
    for (const auto& entry : std::filesystem::directory_iterator(rua::test::sql_dir())) {
        const auto name = entry.path().filename().string();
        if (entry.path().extension() == ".sql" && name < "0013") {
            std::filesystem::copy_file(entry.path(), dir / name);
        }
    }
    rua::migrate(db.url(), dir.string());
    std::filesystem::remove_all(dir);
    const auto old = add_report(db, "old", "example.com", "2024-01-01 12:00Z", "2024-01-03 12:00Z");
    add_record(db, old, 0, "192.0.2.1", 10, true,
               R"([{"domain": "example.com", "selector": "s1", "result": "pass"}])");
    add_record(db, old, 1, "192.0.2.2", 1, false);
    db.exec("INSERT INTO aggregate_daily VALUES ('2023-06-01', NULL, 'example.com', "
            "'192.0.2.9', 'none', 'pass', 'fail', 'example.com', 8, 2, '\\x01')");

    rua::migrate(db.url(), rua::test::sql_dir());
    CHECK(daily(db) == "2023-06-01 true 8;2024-01-01 true 3;2024-01-02 false 1;"
                       "2024-01-02 true 5;2024-01-03 true 2");
    CHECK(view_sum(db, "v_day_source") == "19");
    CHECK(db.scalar("SELECT reporter IS NULL FROM v_day_source WHERE day = '2023-06-01'") == "t");
    CHECK(view_sum(db, "v_day_auth", "method = 'dkim'") == "11");
    CHECK(db.scalar("SELECT to_regclass('aggregate_daily') IS NULL") == "t");
    CHECK(db.count("rollup_pending") == 0);
    CHECK(db.scalar("SELECT rua_rollup_report(" + old + ")") == "0");
    CHECK(view_sum(db, "v_day_domain") == "19");
}
