// Database tests of report authenticity (sql/0017): process_message records
// each report's verdict from the trusted Authentication-Results of its
// message, RequireAuthenticReports quarantines the others with reason
// unauthenticated, and the summary counts reports per verdict.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>
#include <rua/process.hpp>

using rua::test::aggregate_xml;
using rua::test::ScratchDb;
using rua::test::xml_message;

namespace {

rua::Arrival arrival() {
    rua::Arrival a;
    a.rua = "dmarc@example.net";
    a.queue_id = "ABC123";
    return a;
}

rua::ProcessOptions trusting(bool require = false) {
    rua::ProcessOptions options;
    options.authenticity.trusted_ids = {"mx.example.net"};
    options.authenticity.own_host = "rua.example.net";
    options.require_authentic = require;
    return options;
}

// The report's message (its email is dmarc@reporter.example) under `fields`.
std::string with_fields(const std::string& id, const std::string& fields) {
    return fields + xml_message(aggregate_xml(id, "example.com"));
}

} // namespace

TEST_CASE("each report's authenticity and authserv-id are stored as judged") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    struct Case {
        std::string id;
        std::string fields;
        const char* stored; // authenticity|authserv_id
    };
    const std::vector<Case> cases = {
        {"a-1",
         "Authentication-Results: mx.example.net; dmarc=pass header.from=reporter.example\r\n",
         "dmarc-pass|mx.example.net"},
        {"a-2",
         "Authentication-Results: mx.example.net; dkim=pass header.d=mail.reporter.example\r\n",
         "dkim-aligned|mx.example.net"},
        {"a-3", "Authentication-Results: mx.example.net; dkim=pass header.d=forger.example\r\n",
         "unauthenticated|mx.example.net"},
        // An untrusted authserv-id says nothing.
        {"a-4", "Authentication-Results: evil.example; dmarc=pass header.from=reporter.example\r\n",
         "unknown|"},
        // A trusted field below this host's own Received field was there
        // before this host received the message.
        {"a-5",
         "Received: from x (x [192.0.2.1]) by rua.example.net with ESMTP id 1; now\r\n"
         "Authentication-Results: mx.example.net; dmarc=pass header.from=reporter.example\r\n",
         "unknown|"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.id);
        const auto result = rua::process_message(store, with_fields(c.id, c.fields), rua::Limits{},
                                                 arrival(), trusting());
        REQUIRE(result.verdict == rua::Verdict::stored);
        CHECK(db.scalar("SELECT concat_ws('|', authenticity, coalesce(authserv_id, '')) FROM "
                        "aggregate_report WHERE report_id = '" +
                        c.id + "'") == c.stored);
        CHECK(rua::to_string(result.ingest.reports.front()->authenticity) ==
              std::string(c.stored).substr(0, std::string(c.stored).find('|')));
    }

    // `ruactl import` passes no trusted id: unknown whatever the fields say.
    const auto imported = rua::process_message(
        store,
        with_fields("a-6", "Authentication-Results: mx.example.net; dmarc=pass "
                           "header.from=reporter.example\r\n"),
        rua::Limits{}, arrival(), {});
    REQUIRE(imported.verdict == rua::Verdict::stored);
    CHECK(db.scalar("SELECT authenticity FROM aggregate_report WHERE report_id = 'a-6'") ==
          "unknown");
    CHECK(db.scalar("SELECT authserv_id IS NULL FROM aggregate_report WHERE report_id = 'a-6'") ==
          "t");
}

TEST_CASE("RequireAuthenticReports quarantines what is not authentic with reason unauthenticated") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);

    const auto kept =
        rua::process_message(store,
                             with_fields("q-1", "Authentication-Results: mx.example.net; dkim=fail "
                                                "header.d=reporter.example\r\n"),
                             rua::Limits{}, arrival(), trusting(true));
    CHECK(kept.verdict == rua::Verdict::quarantined);
    CHECK(kept.reason_code == "unauthenticated");
    CHECK(kept.reason == "aggregate report q-1 is unauthenticated: no trusted "
                         "Authentication-Results show DMARC pass or aligned DKIM for its reporter");
    CHECK(db.count("aggregate_report") == 0);
    CHECK(db.scalar("SELECT reason FROM quarantine") == "unauthenticated");

    // Even when the caller would reject bad input: this is not bad input.
    auto rejecting = trusting(true);
    rejecting.quarantine_bad = false;
    const auto unknown =
        rua::process_message(store, with_fields("q-2", ""), rua::Limits{}, arrival(), rejecting);
    CHECK(unknown.verdict == rua::Verdict::quarantined);
    CHECK(unknown.reason_code == "unauthenticated");
    CHECK(unknown.reason.find(" is unknown: ") != std::string::npos);

    const auto passed =
        rua::process_message(store,
                             with_fields("q-3", "Authentication-Results: mx.example.net; dkim=pass "
                                                "header.d=reporter.example\r\n"),
                             rua::Limits{}, arrival(), trusting(true));
    CHECK(passed.verdict == rua::Verdict::stored);
    CHECK(db.scalar("SELECT authenticity FROM aggregate_report") == "dkim-aligned");
    CHECK(db.count("quarantine") == 2);
}

TEST_CASE("the summary counts reports and messages per authenticity") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const std::string pass =
        "Authentication-Results: mx.example.net; dmarc=pass header.from=reporter.example\r\n";
    for (const auto& [id, fields] : std::vector<std::pair<std::string, std::string>>{
             {"s-1", pass}, {"s-2", pass}, {"s-3", ""}}) {
        REQUIRE(rua::process_message(store, with_fields(id, fields), rua::Limits{}, arrival(),
                                     trusting())
                    .verdict == rua::Verdict::stored);
    }
    rua::Admin admin(pool);
    const auto summary = admin.summary("Example.COM", std::nullopt);
    const rua::SummaryTable* section = nullptr;
    for (const auto& t : summary.tables) {
        if (t.kind == "aggregate" && t.name == "by_authenticity") {
            section = &t;
        }
    }
    REQUIRE(section != nullptr);
    CHECK(section->title == "BY AUTHENTICITY");
    CHECK(section->columns == std::vector<std::string>{"authenticity", "reports", "messages"});
    std::vector<std::string> rows;
    for (const auto& row : section->rows) {
        rows.push_back(row.at(0).value_or("-") + "|" + row.at(1).value_or("-") + "|" +
                       row.at(2).value_or("-"));
    }
    CHECK(rows == std::vector<std::string>{"dmarc-pass|2|8", "dkim-aligned|0|0",
                                           "unauthenticated|0|0", "unknown|1|4"});
}

namespace {

rua::Arrival smtp(const std::string& queue_id) {
    rua::Arrival a;
    a.rua = "dmarc@example.net";
    a.queue_id = queue_id;
    return a;
}

rua::AggregateReport copy_with(std::uint64_t second_count, rua::Authenticity authenticity) {
    auto report = rua::test::make_report("google.com", "r1", 2);
    report.records[1].count = second_count;
    report.authenticity = authenticity;
    report.authserv_id = authenticity == rua::Authenticity::unknown ? "" : "mx.example.net";
    return report;
}

} // namespace

TEST_CASE("an authenticated copy replaces a stored copy that is not; the conflict row says so") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    using rua::test::make_result;
    const auto first = store.store(
        make_result({copy_with(2, rua::Authenticity::unknown)}, "first bytes"), smtp("Q1"));
    REQUIRE(first.stored() == 1);
    // Folded into the rollup before it is replaced: its share must leave.
    db.exec("SELECT rua_rollup_fold()");
    // An earlier unauthenticated conflicting copy, recorded against the first.
    REQUIRE(store
                .store(make_result({copy_with(50, rua::Authenticity::unauthenticated)}, "b50"),
                       smtp("Q2"))
                .conflicts() == 1);

    const auto second = store.store(
        make_result({copy_with(99, rua::Authenticity::dmarc_pass)}, "signed bytes"), smtp("Q3"));
    REQUIRE(second.reports.size() == 1);
    CHECK(second.reports[0].outcome == rua::ReportOutcome::stored);
    CHECK(second.reports[0].id != first.reports[0].id);
    CHECK(db.scalar("SELECT concat_ws('|', count(*), min(message_count), min(authenticity), "
                    "min(authserv_id), min(id) = " +
                    std::to_string(second.reports[0].id) + ") FROM aggregate_report") ==
          "1|100|dmarc-pass|mx.example.net|t");
    CHECK(db.scalar("SELECT sum(count) FROM aggregate_record") == "100");
    CHECK(db.scalar("SELECT sum(messages) FROM v_day_domain") == "100");
    // The displaced copy, kept as resolved 'replaced'; the earlier conflict
    // now stands against the new copy.
    CHECK(db.scalar("SELECT string_agg(concat_ws('|', coalesce(resolution, 'open'), authenticity, "
                    "stored_report_id = " +
                    std::to_string(second.reports[0].id) +
                    ", resolved_at IS NOT NULL, queue_id), ',' ORDER BY id) "
                    "FROM report_conflict") ==
          "open|unauthenticated|t|f|Q2,replaced|unknown|t|t|Q1");
    CHECK(db.scalar("SELECT convert_from(r.data, 'UTF8') FROM report_conflict c JOIN raw_report r "
                    "ON r.id = c.raw_report_id WHERE c.resolution = 'replaced'") == "first bytes");

    // An unauthenticated copy now: the authenticated one stays, and the row
    // says authenticity decided.
    const auto third = store.store(
        make_result({copy_with(7, rua::Authenticity::unauthenticated)}, "b7"), smtp("Q4"));
    CHECK(third.conflicts() == 1);
    CHECK(db.scalar("SELECT min(message_count) FROM aggregate_report") == "100");
    CHECK(db.scalar("SELECT concat_ws('|', resolution, authenticity) FROM report_conflict "
                    "WHERE queue_id = 'Q4'") == "kept|unauthenticated");
}

TEST_CASE("between two authenticated or two unauthenticated copies the first stays") {
    for (auto authenticity : {rua::Authenticity::dkim_aligned, rua::Authenticity::unknown}) {
        CAPTURE(rua::to_string(authenticity));
        ScratchDb db;
        rua::ConnectionPool pool(db.url(), 1);
        rua::Store store(pool);
        using rua::test::make_result;
        const auto first = store.store(make_result({copy_with(2, authenticity)}), smtp("Q1"));
        REQUIRE(first.stored() == 1);
        const auto second = store.store(make_result({copy_with(99, authenticity)}), smtp("Q2"));
        CHECK(second.conflicts() == 1);
        CHECK(db.scalar("SELECT concat_ws('|', count(*), min(message_count)) FROM "
                        "aggregate_report") == "1|3");
        CHECK(db.scalar("SELECT concat_ws('|', resolution IS NULL, authenticity) FROM "
                        "report_conflict") == std::string("t|") + rua::to_string(authenticity));
    }
}
