// The enrichment queue (sql/0016, 0020): the storing transaction queues the
// reports it stores (source_pending), nothing for a duplicate; the worker's
// rua_expand_source_pending queues their new source addresses, each once;
// addresses resolved and not expired are not queued again. And
// the SQL side of the provider map and the approved sources, which the
// summaries read.
#include "db/db_fixture.hpp"
#include "unit/kinds/failure/failure_util.hpp"

#include <rua/ingest.hpp>
#include <rua/process.hpp>
#include <rua/store.hpp>

#include <doctest/doctest.h>

#include <string>

using rua::test::make_record;
using rua::test::make_report;
using rua::test::make_result;
using rua::test::ScratchDb;

namespace {

rua::Arrival imported() {
    rua::Arrival a;
    a.via = "import";
    return a;
}

constexpr const char* k_queue = "SELECT coalesce(string_agg(host(ip), ' ' ORDER BY ip), '') "
                                "FROM source_queue";

constexpr const char* k_pending = "SELECT coalesce(string_agg(kind, ' ' ORDER BY report_id), '') "
                                  "FROM source_pending";

// The worker's first step: the pending reports' addresses queued.
std::string expand(ScratchDb& db, int reports = 100) {
    return db.scalar("SELECT rua_expand_source_pending(" + std::to_string(reports) + ")");
}

// A report with records from `ips` (repeats allowed).
rua::AggregateReport report_from(const std::string& id, const std::vector<std::string>& ips) {
    auto report = make_report("google.com", id, 0);
    for (const auto& ip : ips) {
        report.records.push_back(make_record(ip, 3));
    }
    return report;
}

// An aggregate report of `records` records from 198.51.100.(i % 250).
std::string many_records_message(std::size_t records) {
    std::string xml = "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Big "
                      "Org</org_name><email>dmarc@big.example</email><report_id>big"
                      "</report_id><date_range><begin>1700000000</begin><end>1700086399</end>"
                      "</date_range></report_metadata><policy_published><domain>example.com"
                      "</domain><p>reject</p></policy_published>";
    for (std::size_t i = 0; i < records; ++i) {
        xml += "<record><row><source_ip>198.51.100." + std::to_string(i % 250) +
               "</source_ip><count>1</count><policy_evaluated><disposition>none</disposition>"
               "<dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers>"
               "<header_from>example.com</header_from></identifiers><auth_results><dkim>"
               "<domain>example.com</domain><result>pass</result></dkim></auth_results>"
               "</record>";
    }
    return rua::test::xml_message(xml + "</feedback>\n");
}

} // namespace

TEST_CASE("storing a report queues its new source addresses once; a duplicate queues nothing") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto first =
        make_result({report_from("q1", {"192.0.2.9", "2001:db8::1", "192.0.2.9", "192.0.2.10"})});
    REQUIRE(store.store(first, imported()).stored() == 1);
    CHECK(db.scalar(k_pending) == "aggregate");
    CHECK(db.scalar(k_queue) == "");
    CHECK(expand(db) == "1");
    CHECK(db.scalar(k_queue) == "192.0.2.9 192.0.2.10 2001:db8::1");
    CHECK(db.scalar(k_pending) == "");
    CHECK(expand(db) == "0");

    // The worker took them; the same report again is a duplicate: nothing queued.
    db.exec("DELETE FROM source_queue");
    const auto again = store.store(first, imported());
    CHECK(again.duplicates() == 1);
    CHECK(db.scalar(k_pending) == "");
    CHECK(db.scalar(k_queue) == "");

    // Another report: an address already queued stays queued once (its
    // queued_at unchanged), one resolved and unexpired is not queued, one
    // expired is queued again.
    db.exec("INSERT INTO source_queue (ip, queued_at) VALUES ('192.0.2.20', '2020-01-01')");
    db.exec("INSERT INTO source_host (ip, status, resolved_at, expires_at) VALUES "
            "('192.0.2.9', 'ok', now(), now() + interval '1 hour'), "
            "('192.0.2.10', 'nxdomain', now() - interval '2 hours', now() - interval '1 hour')");
    REQUIRE(store
                .store(make_result({report_from(
                           "q2", {"192.0.2.20", "192.0.2.9", "192.0.2.10", "192.0.2.21"})}),
                       imported())
                .stored() == 1);
    CHECK(expand(db) == "1");
    CHECK(db.scalar(k_queue) == "192.0.2.10 192.0.2.20 192.0.2.21");
    CHECK(db.scalar("SELECT queued_at FROM source_queue WHERE ip = '192.0.2.20'") ==
          "2020-01-01 00:00:00+00");
}

TEST_CASE("a message of two reports queues the addresses of both in one go") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    const auto result = make_result({report_from("a", {"192.0.2.1", "192.0.2.2"}),
                                     report_from("b", {"192.0.2.2", "192.0.2.3"})});
    REQUIRE(store.store(result, imported()).stored() == 2);
    CHECK(db.scalar(k_pending) == "aggregate aggregate");
    CHECK(expand(db) == "2");
    CHECK(db.scalar(k_queue) == "192.0.2.1 192.0.2.2 192.0.2.3");
}

TEST_CASE("the worker takes at most the pending reports asked for; a deleted one adds nothing") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    REQUIRE(store.store(make_result({report_from("gone", {"192.0.2.7"})}), imported()).stored() ==
            1);
    REQUIRE(store.store(make_result({report_from("kept", {"192.0.2.8"})}), imported()).stored() ==
            1);
    // Retention or a displaced copy took the first report before the worker came.
    db.exec("DELETE FROM aggregate_report WHERE report_id = 'gone'");
    CHECK(expand(db, 1) == "1");
    CHECK(db.scalar(k_queue) == "");
    CHECK(db.count("source_pending") == 1);
    CHECK(expand(db, 1) == "1");
    CHECK(db.scalar(k_queue) == "192.0.2.8");
    CHECK(db.count("source_pending") == 0);
}

TEST_CASE("a streamed report queues the distinct addresses of all its records") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    rua::Limits limits;
    limits.stream_items = 100;
    const auto outcome = rua::process_message(store, many_records_message(600), limits, imported(),
                                              rua::ProcessOptions{});
    REQUIRE(outcome.verdict == rua::Verdict::stored);
    REQUIRE(outcome.ingest.reports.at(0)->streamed);
    CHECK(db.scalar(k_pending) == "aggregate");
    CHECK(expand(db) == "1");
    CHECK(db.count("source_queue") == 250);
    CHECK(db.scalar("SELECT count(*) FROM source_queue WHERE ip << '198.51.100.0/24'") == "250");

    db.exec("DELETE FROM source_queue");
    const auto again = rua::process_message(store, many_records_message(600), limits, imported(),
                                            rua::ProcessOptions{});
    CHECK(again.verdict == rua::Verdict::duplicate);
    CHECK(db.count("source_pending") == 0);
    CHECK(db.count("source_queue") == 0);
}

TEST_CASE("a failure report queues its Source-IP") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    const auto result = rua::ingest(failure_test::fixture("arf_rfc822.eml"), rua::Limits{}, "t");
    REQUIRE(result.reports.size() == 1);
    REQUIRE(rua::Store(pool).store(result, imported()).stored() == 1);
    CHECK(db.scalar(k_pending) == "failure");
    CHECK(expand(db) == "1");
    CHECK(db.scalar(k_queue) == "192.0.2.2");
}

TEST_CASE("rua_source_provider: confirmed PTR, then DKIM, then SPF; operator rows win") {
    ScratchDb db;
    db.exec("INSERT INTO provider_map (kind, domain, provider, provider_type, origin) VALUES "
            "('ptr', 'google.com', 'Google', 'mailbox', 'shipped'), "
            "('ptr', 'outlook.com', 'Microsoft', 'mailbox', 'shipped'), "
            "('ptr', 'protection.outlook.com', 'Microsoft 365', 'mailbox', 'shipped'), "
            "('dkim', 'sendgrid.net', 'SendGrid', 'esp', 'shipped'), "
            "('dkim', 'sendgrid.net', 'Our SendGrid', 'esp', 'operator'), "
            "('spf', 'amazonses.com', 'Amazon SES', 'esp', 'shipped')");
    db.exec("INSERT INTO source_host (ip, ptr, ptr_confirmed, status) VALUES "
            "('192.0.2.1', 'mail-ot1-f41.google.com', true, 'ok'), "
            "('192.0.2.2', 'forged.google.com', false, 'ok'), "
            "('192.0.2.3', 'mail-eopbgr.eur01.protection.OUTLOOK.com.', true, 'ok')");
    const auto provider = [&](const std::string& ip, const std::string& dkim,
                              const std::string& spf) {
        const auto q = [](const std::string& v) { return v.empty() ? "NULL" : "'" + v + "'"; };
        return db.scalar("SELECT rua_source_provider('" + ip + "', " + q(dkim) + ", " + q(spf) +
                         ") || '/' || rua_source_provider_type('" + ip + "', " + q(dkim) + ", " +
                         q(spf) + ")");
    };
    CHECK(provider("192.0.2.1", "sendgrid.net", "amazonses.com") == "Google/mailbox");
    CHECK(provider("192.0.2.3", "", "") == "Microsoft 365/mailbox");
    // An unconfirmed PTR names nobody: the DKIM domain (a parent of d=) does.
    CHECK(provider("192.0.2.2", "em1234.sendgrid.net", "") == "Our SendGrid/esp");
    CHECK(provider("192.0.2.99", "", "eu-west-1.amazonses.com") == "Amazon SES/esp");
    CHECK(provider("192.0.2.99", "example.com", "example.com") == "NULL");

    // An operator row for a parent domain wins over a more specific shipped one.
    db.exec("INSERT INTO provider_map VALUES ('ptr', 'outlook.com', 'Contoso Exchange', "
            "'mailbox', 'operator')");
    CHECK(provider("192.0.2.3", "", "") == "Contoso Exchange/mailbox");
}

TEST_CASE("rua_source_approved: by provider or network, per account or for all, subdomains") {
    ScratchDb db;
    db.exec("INSERT INTO account (name) VALUES ('a'), ('b')");
    db.exec("INSERT INTO approved_source (account_id, domain, provider, cidr) VALUES "
            "(NULL, 'example.com', 'Google', NULL), "
            "(1, 'example.com', NULL, '198.51.100.0/24'), "
            "(2, 'example.org', NULL, '2001:db8::/32')");
    const auto approved = [&](const std::string& args) {
        return db.scalar("SELECT rua_source_approved(" + args + ")");
    };
    CHECK(approved("1, 'example.com', '192.0.2.1', 'google'") == "t");
    CHECK(approved("2, 'news.example.com', '192.0.2.1', 'Google'") == "t");
    CHECK(approved("1, 'example.com', '198.51.100.9', NULL") == "t");
    CHECK(approved("2, 'example.com', '198.51.100.9', NULL") == "f");
    CHECK(approved("2, 'example.org', '2001:db8::5', 'SendGrid'") == "t");
    CHECK(approved("1, 'example.org', '2001:db8::5', NULL") == "f");
    CHECK(approved("1, 'example.net', '192.0.2.1', 'Google'") == "f");
    // The same approval twice is refused by the unique index (NULLs equal).
    CHECK_THROWS(db.exec("INSERT INTO approved_source (account_id, domain, provider) VALUES "
                         "(NULL, 'example.com', 'Google')"));
}
