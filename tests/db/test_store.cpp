// Database tests of Store::store: exact rows for reports built in code,
// exactly-once (duplicate, conflict, a repeated message, two racing
// processes), hostile values stored verbatim, refused values as BadInput,
// and COPY throughput on a 20,000-record report.
#include "db/db_fixture.hpp"

#include <rua/errors.hpp>
#include <rua/store.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

using rua::test::make_report;
using rua::test::make_result;
using rua::test::ScratchDb;

namespace {

rua::Arrival smtp_arrival() {
    rua::Arrival arrival;
    arrival.rua = "dmarc@example.com";
    arrival.queue_id = "3F2A1C9";
    return arrival;
}

} // namespace

TEST_CASE("one report is stored with its records, auth results and raw attachment") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);

    const auto outcome =
        store.store(make_result({make_report("google.com", "r1", 3)}), smtp_arrival());
    REQUIRE(outcome.reports.size() == 1);
    CHECK(outcome.reports[0].outcome == rua::ReportOutcome::stored);
    CHECK(outcome.stored() == 1);
    CHECK(outcome.duplicates() == 0);
    CHECK(outcome.items_stored == 3);
    CHECK(db.scalar("SELECT id FROM aggregate_report") == std::to_string(outcome.reports[0].id));

    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.count("aggregate_record") == 3);
    CHECK(db.scalar("SELECT sum(json_array_length(auth_dkim) + json_array_length(auth_spf)) "
                    "FROM aggregate_record") == "6");
    CHECK(db.scalar("SELECT sum(json_array_length(reasons)) FROM aggregate_record") == "0");
    CHECK(db.count("raw_report") == 1);
    CHECK(db.scalar("SELECT concat_ws('|', reporter, report_id, domain, date_begin AT TIME ZONE "
                    "'UTC', date_end AT TIME ZONE 'UTC', p, pct, via, rua, queue_id, "
                    "record_count, message_count, schema_flavour) FROM aggregate_report") ==
          "google.com|r1|example.com|2023-11-14 22:13:20|2023-11-15 22:13:20|reject|100|smtp|"
          "dmarc@example.com|3F2A1C9|3|6|rfc7489");
    CHECK(db.scalar("SELECT string_agg(concat_ws(',', ordinal, source_ip, count, disposition, "
                    "dkim, spf, dmarc_pass), ' ' ORDER BY ordinal) FROM aggregate_record") ==
          "0,192.0.2.1,1,none,pass,fail,t 1,192.0.2.2,2,reject,fail,fail,f "
          "2,192.0.2.3,3,none,pass,fail,t");
    CHECK(db.scalar("SELECT string_agg(concat_ws(',', d->>'domain', d->>'selector', d->>'result', "
                    "d->'human_result'), ' ' ORDER BY ordinal) "
                    "FROM aggregate_record, json_array_elements(auth_dkim) d") ==
          "example.com,s1,pass,null example.com,s1,fail,null example.com,s1,pass,null");
    CHECK(db.scalar("SELECT auth_spf::text FROM aggregate_record WHERE ordinal = 0") ==
          R"([{"domain":"bounce.example.com","scope":"mfrom","result":"fail",)"
          R"("human_result":null}])");
    CHECK(db.scalar("SELECT concat_ws('|', encode(data, 'hex'), size, format, content_type, "
                    "filename, sha256 = sha256(data)) FROM raw_report") ==
          "1f8b20726177|6|gzip|application/gzip|report.xml.gz|t");
    CHECK(db.scalar("SELECT a.raw_sha256 = r.sha256 FROM aggregate_report a "
                    "JOIN raw_report r ON r.id = a.raw_report_id") == "t");
    CHECK(db.scalar("SELECT concat_ws('|', messages, pass, fail) FROM v_report_summary") ==
          "6|4|2");
    CHECK(db.scalar("SELECT concat_ws('|', day, messages, pass, fail, disposition_none, "
                    "disposition_reject) FROM v_daily_domain") == "2023-11-14|6|4|2|4|2");
}

TEST_CASE("storing the same message twice adds nothing and reports a duplicate") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto message = make_result({make_report("google.com", "r1", 4)});

    const auto first = store.store(message, smtp_arrival());
    const auto second = store.store(message, smtp_arrival());
    REQUIRE(second.reports.size() == 1);
    CHECK(second.reports[0].outcome == rua::ReportOutcome::duplicate);
    CHECK(second.reports[0].id == first.reports[0].id);
    CHECK(second.stored() == 0);
    CHECK(second.duplicates() == 1);
    CHECK(second.items_stored == 0);
    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.count("aggregate_record") == 4);
    CHECK(db.count("raw_report") == 1);
}

TEST_CASE("the report key ignores the case of the reporter and of the policy domain") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    auto upper = make_report("Google.COM", "r1");
    upper.policy.domain = "Example.COM";
    store.store(make_result({make_report("google.com", "r1")}), smtp_arrival());
    const auto again = store.store(make_result({upper}), smtp_arrival());
    REQUIRE(again.reports.size() == 1);
    // Same key, but org_name and domain differ in case: other content.
    CHECK(again.reports[0].outcome == rua::ReportOutcome::conflict);
    CHECK(db.count("aggregate_report") == 1);

    // Without org_name the reporter is the domain of the e-mail address.
    auto by_email = make_report("google.com", "r1");
    by_email.org_name.reset();
    const auto third = store.store(make_result({by_email}), smtp_arrival());
    CHECK(third.reports[0].outcome == rua::ReportOutcome::conflict);
    CHECK(db.count("aggregate_report") == 1);
}

TEST_CASE("same key with other content is a conflict and the first copy is kept") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto first =
        store.store(make_result({make_report("google.com", "r1", 2)}), smtp_arrival());

    auto changed = make_report("google.com", "r1", 2);
    changed.records[1].count = 99;
    const auto second = store.store(make_result({changed}, "other bytes"), smtp_arrival());
    REQUIRE(second.reports.size() == 1);
    CHECK(second.reports[0].outcome == rua::ReportOutcome::conflict);
    CHECK(second.reports[0].id == first.reports[0].id);
    CHECK(second.conflicts() == 1);
    CHECK(second.duplicates() == 0);
    CHECK(db.scalar("SELECT message_count FROM aggregate_report") == "3");
    CHECK(db.scalar("SELECT sum(count) FROM aggregate_record") == "3");
    // The second attachment is kept for the conflicting copy (report_conflict).
    CHECK(db.count("raw_report") == 2);
    CHECK(db.count("report_conflict") == 1);
}

TEST_CASE("a message with two reports stores both, and a partial repeat stores the new one") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto both = store.store(
        make_result({make_report("google.com", "a", 2), make_report("yahoo.com", "b", 5)}),
        smtp_arrival());
    CHECK(both.stored() == 2);
    CHECK(both.items_stored == 7);
    CHECK(both.reports[0].id != both.reports[1].id);
    CHECK(db.count("aggregate_report") == 2);
    CHECK(db.count("aggregate_record") == 7);
    CHECK(db.scalar("SELECT sum(message_count) FROM aggregate_report") == "18");
    CHECK(db.count("raw_report") == 1);
    CHECK(db.scalar("SELECT count(DISTINCT raw_report_id) FROM aggregate_report") == "1");

    const auto mixed = store.store(
        make_result({make_report("yahoo.com", "b", 5), make_report("yahoo.com", "c", 1)}),
        smtp_arrival());
    REQUIRE(mixed.reports.size() == 2);
    CHECK(mixed.reports[0].outcome == rua::ReportOutcome::duplicate);
    CHECK(mixed.reports[1].outcome == rua::ReportOutcome::stored);
    CHECK(mixed.items_stored == 1);
    CHECK(db.count("aggregate_report") == 3);
    CHECK(db.count("aggregate_record") == 8);
    CHECK(db.count("raw_report") == 1); // same attachment bytes: kept once
}

TEST_CASE("hostile field values are stored verbatim") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const std::string drop = "'; DROP TABLE aggregate_report; --";
    const std::string copy_breaker = "tab\there\nnewline \\N back\\slash \"quote\"";
    auto report = make_report(drop, copy_breaker, 1);
    report.errors = {"{", "\"", ",", "NULL", ""};
    report.records[0].reasons.push_back(rua::Reason{"local_policy", copy_breaker});
    report.records[0].reasons.push_back(rua::Reason{drop, std::nullopt});
    report.records[0].envelope_to = "\\.\n";
    report.records[0].auth_dkim[0].human_result = copy_breaker;
    rua::Arrival arrival = smtp_arrival();
    arrival.file = "ünïcödé 😀.xml";
    REQUIRE(store.store(make_result({report}), arrival).stored() == 1);

    pqxx::nontransaction tx(db.conn());
    const auto row = tx.exec("SELECT a.org_name, a.report_id, a.errors, r.envelope_to, "
                             "r.auth_dkim->0->>'human_result', a.file FROM aggregate_report a "
                             "JOIN aggregate_record r ON r.report_id = a.id")[0];
    CHECK(row[0].as<std::string>() == drop);
    CHECK(row[1].as<std::string>() == copy_breaker);
    CHECK(row[2].as<std::string>() == R"({"{","\"",",","NULL",""})");
    CHECK(row[3].as<std::string>() == "\\.\n");
    CHECK(row[4].as<std::string>() == copy_breaker);
    CHECK(row[5].as<std::string>() == "ünïcödé 😀.xml");
    const auto reasons = tx.exec("SELECT e->>'type', e->>'comment' FROM aggregate_record, "
                                 "json_array_elements(reasons) WITH ORDINALITY AS x(e, n) "
                                 "ORDER BY n");
    REQUIRE(reasons.size() == 2);
    CHECK(reasons[0][0].as<std::string>() == "local_policy");
    CHECK(reasons[0][1].as<std::string>() == copy_breaker);
    CHECK(reasons[1][0].as<std::string>() == drop);
    CHECK(reasons[1][1].is_null());
    CHECK(tx.exec("SELECT to_regclass('aggregate_report') IS NOT NULL")[0][0].as<bool>());
}

TEST_CASE("values the database cannot hold are refused as BadInput and nothing is stored") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);

    auto nul = make_report("google.com", "r1");
    nul.records[1].header_from = std::string("exa\0mple.com", 12);
    CHECK_THROWS_WITH_AS(store.store(make_result({nul}), smtp_arrival()),
                         "database refused the report: NUL byte in header_from", rua::BadInput);

    auto latin1 = make_report("google.com", "r2");
    latin1.records[0].envelope_from = "caf\xe9.example";
    CHECK_THROWS_WITH_AS(
        store.store(make_result({make_report("ok.com", "r0"), latin1}), smtp_arrival()),
        "database refused the report: invalid byte sequence for encoding "
        "\"UTF8\": 0xe9 0x2e 0x65",
        rua::BadInput);

    auto huge = make_report("google.com", "r3", 1);
    huge.records[0].count = std::uint64_t{1} << 63;
    CHECK_THROWS_WITH_AS(store.store(make_result({huge}), smtp_arrival()),
                         "database refused the report: value \"9223372036854775808\" is out of "
                         "range for type bigint",
                         rua::BadInput);

    CHECK(db.count("aggregate_report") == 0);
    CHECK(db.count("aggregate_record") == 0);
    CHECK(db.count("raw_report") == 0);
    // The pool recovered: the next message stores.
    CHECK(store.store(make_result({make_report("google.com", "r4")}), smtp_arrival()).stored() ==
          1);
}

TEST_CASE("two processes storing the same report at once store it exactly once") {
    ScratchDb db;
    const auto message = make_result({make_report("google.com", "race", 50)});
    int gate[2];
    REQUIRE(::pipe(gate) == 0);
    pid_t children[2];
    for (auto& child : children) {
        child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(gate[1]);
            char byte = 0;
            (void)!::read(gate[0], &byte, 1); // returns when the parent closes the gate
            int code = 3;
            try {
                rua::ConnectionPool pool(db.url(), 1);
                rua::Store store(pool);
                const auto outcome = store.store(message, smtp_arrival());
                code = outcome.reports.at(0).outcome == rua::ReportOutcome::stored      ? 0
                       : outcome.reports.at(0).outcome == rua::ReportOutcome::duplicate ? 1
                                                                                        : 2;
            } catch (...) {
                code = 4;
            }
            ::_exit(code);
        }
    }
    ::close(gate[0]);
    ::close(gate[1]); // both children start now
    int codes[2] = {-1, -1};
    for (int i = 0; i < 2; ++i) {
        int status = 0;
        REQUIRE(::waitpid(children[i], &status, 0) == children[i]);
        REQUIRE(WIFEXITED(status));
        codes[i] = WEXITSTATUS(status);
    }
    CHECK(codes[0] + codes[1] == 1); // one stored (0), one duplicate (1)
    CHECK(codes[0] * codes[1] == 0);
    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.count("aggregate_record") == 50);
    CHECK(db.count("raw_report") == 1);
}

TEST_CASE("a report of 20,000 records is stored through COPY") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto message = make_result({make_report("big.example", "big", 20000)});
    const auto start = std::chrono::steady_clock::now();
    const auto outcome = store.store(message, smtp_arrival());
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(outcome.items_stored == 20000);
    CHECK(db.count("aggregate_record") == 20000);
    CHECK(
        db.scalar("SELECT count(*) FROM aggregate_record WHERE auth_spf->0->>'result' = 'fail'") ==
        "20000");
    CHECK(db.scalar("SELECT message_count = (SELECT sum(count) FROM aggregate_record) "
                    "FROM aggregate_report") == "t");
    CHECK(db.scalar("SELECT message_count FROM aggregate_report") == "200010000");
    MESSAGE("stored 20000 records in " << seconds << " s: " << static_cast<long>(20000 / seconds)
                                       << " records/s");
}
