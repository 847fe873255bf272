// Database tests of conflicts (issue 8 item 5): the same exactly-once key
// with other content is counted as a conflict, not a duplicate; the first
// copy stays and the conflicting one is kept in report_conflict with its
// key, fingerprint, raw bytes and arrival, once however often it comes.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>
#include <rua/kinds/tlsrpt.hpp>

using rua::test::make_report;
using rua::test::make_result;
using rua::test::ScratchDb;

namespace {

rua::Arrival smtp(const std::string& queue_id) {
    rua::Arrival a;
    a.rua = "dmarc@example.net";
    a.queue_id = queue_id;
    return a;
}

} // namespace

TEST_CASE("a conflicting copy is counted apart and kept once in report_conflict") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto first = store.store(make_result({make_report("google.com", "r1", 2)}), smtp("Q1"));
    REQUIRE(first.stored() == 1);

    auto changed = make_report("google.com", "r1", 2);
    changed.records[1].count = 99;
    const auto second = store.store(make_result({changed}, "forged bytes"), smtp("Q2"));
    REQUIRE(second.reports.size() == 1);
    CHECK(second.reports[0].outcome == rua::ReportOutcome::conflict);
    CHECK(second.reports[0].id == first.reports[0].id);
    CHECK(second.conflicts() == 1);
    CHECK(second.duplicates() == 0);
    CHECK(second.stored() == 0);

    // The first copy stays.
    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.scalar("SELECT message_count FROM aggregate_report") == "3");
    // The conflicting copy: its key, the stored report, its fingerprint,
    // its attachment and how it came.
    CHECK(db.count("report_conflict") == 1);
    CHECK(db.scalar("SELECT concat_ws('|', kind, report_key::text, stored_report_id = " +
                    std::to_string(first.reports[0].id) +
                    ", via, rua, queue_id, resolution IS NULL) FROM report_conflict") ==
          "aggregate|{\"end\": 1700086400, \"begin\": 1700000000, \"email\": "
          "\"noreply-dmarc@google.com\", \"domain\": \"example.com\", \"org_name\": "
          "\"google.com\", \"report_id\": \"r1\"}|t|smtp|dmarc@example.net|Q2|t");
    CHECK(db.scalar("SELECT c.fingerprint <> a.fingerprint FROM report_conflict c, "
                    "aggregate_report a") == "t");
    CHECK(db.scalar("SELECT convert_from(r.data, 'UTF8') FROM report_conflict c "
                    "JOIN raw_report r ON r.id = c.raw_report_id") == "forged bytes");

    // The same conflicting copy again, in other bytes and by another queue id:
    // still one conflict row, still counted as a conflict.
    const auto third = store.store(make_result({changed}, "forged again"), smtp("Q3"));
    CHECK(third.conflicts() == 1);
    CHECK(db.count("report_conflict") == 1);
    CHECK(db.count("raw_report") == 2); // the first copy's and the first conflicting copy's

    // A true duplicate is no conflict.
    const auto dup = store.store(make_result({make_report("google.com", "r1", 2)}), smtp("Q4"));
    CHECK(dup.duplicates() == 1);
    CHECK(dup.conflicts() == 0);
    CHECK(db.count("report_conflict") == 1);

    // A second, different conflicting copy is a second row.
    auto other = make_report("google.com", "r1", 2);
    other.records[0].count = 7;
    CHECK(store.store(make_result({other}, "third bytes"), smtp("Q5")).conflicts() == 1);
    CHECK(db.count("report_conflict") == 2);

    rua::Admin admin(pool);
    const auto all = admin.conflicts(std::nullopt, 100);
    REQUIRE(all.size() == 2);
    CHECK(all[0].kind == "aggregate");
    CHECK(all[0].stored_report_id == first.reports[0].id);
    CHECK(all[0].queue_id == rua::OptString("Q2"));
    CHECK(all[0].fingerprint.size() == 64);
    CHECK(all[0].raw_report_id.has_value());
    CHECK(!all[0].resolution);
    CHECK(all[1].queue_id == rua::OptString("Q5"));
    CHECK(admin.conflicts(std::string("tlsrpt"), 100).empty());
    CHECK(admin.conflicts(std::string("aggregate"), 1).size() == 1);
}

TEST_CASE("a TLS report's conflicting copy is kept with the kind's key") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto tls_report = [](std::uint64_t successful) {
        auto r = std::make_unique<rua::TlsReport>();
        r->organization_name = "Receiver \"Org\"";
        r->report_id = "t-1";
        r->begin = 1700000000;
        r->end = 1700086399;
        rua::TlsPolicy p;
        p.policy_type = "sts";
        p.policy_domain = "example.com";
        p.successful = successful;
        r->policies.push_back(std::move(p));
        std::vector<rua::ReportPtr> reports;
        reports.push_back(std::move(r));
        return rua::test::make_result_of(std::move(reports), "tls " + std::to_string(successful));
    };
    const auto first = store.store(tls_report(10), smtp("T1"));
    REQUIRE(first.stored() == 1);
    const auto second = store.store(tls_report(11), smtp("T2"));
    CHECK(second.conflicts() == 1);
    CHECK(store.store(tls_report(11), smtp("T3")).conflicts() == 1);
    CHECK(db.count("tlsrpt_report") == 1);
    CHECK(db.count("report_conflict") == 1);
    CHECK(db.scalar("SELECT concat_ws('|', kind, report_key::text, stored_report_id, queue_id) "
                    "FROM report_conflict") ==
          "tlsrpt|{\"report_id\": \"t-1\", \"organization_name\": \"Receiver \\\"Org\\\"\"}|" +
              std::to_string(first.reports[0].id) + "|T2");
}
