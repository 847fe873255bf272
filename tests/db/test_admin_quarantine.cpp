// Database tests of the quarantine as ruactl drives it: reprocessing moves a
// message that now parses into reports exactly once (also when a previous
// run stored it but did not mark the row), the rua's domain check applies,
// and list/show/purge are exact. (Keeping a message once: test_quarantine.cpp.)
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>
#include <rua/errors.hpp>

#include <fmt/format.h>

using rua::test::ScratchDb;

namespace {

// A minimal RFC 7489 report: two records (3 passing, 1 failing message).
std::string report_xml(const std::string& report_id, const std::string& domain) {
    return fmt::format(
        "<?xml version=\"1.0\"?><feedback><report_metadata><org_name>Test Org</org_name>"
        "<email>dmarc@test-org.example</email><report_id>{}</report_id><date_range>"
        "<begin>1700000000</begin><end>1700086400</end></date_range></report_metadata>"
        "<policy_published><domain>{}</domain><p>none</p></policy_published>"
        "<record><row><source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated>"
        "<disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated>"
        "</row><identifiers><header_from>{}</header_from></identifiers><auth_results><dkim>"
        "<domain>{}</domain><result>pass</result></dkim><spf><domain>{}</domain>"
        "<result>fail</result></spf></auth_results></record>"
        "<record><row><source_ip>192.0.2.2</source_ip><count>1</count><policy_evaluated>"
        "<disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated>"
        "</row><identifiers><header_from>{}</header_from></identifiers><auth_results><spf>"
        "<domain>{}</domain><result>fail</result></spf></auth_results></record></feedback>",
        report_id, domain, domain, domain, domain, domain, domain);
}

rua::Arrival imported(const char* file, const char* rua = nullptr) {
    rua::Arrival arrival;
    arrival.via = "import";
    arrival.file = std::string(file);
    if (rua != nullptr) {
        arrival.rua = std::string(rua);
    }
    return arrival;
}

} // namespace

TEST_CASE("reprocess moves a message that now parses into reports exactly once") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    // As an older parser would have left it: a valid report, quarantined.
    const auto id = store.quarantine(report_xml("fixed-1", "example.com"), "bad_report",
                                     "old parser failed", imported("a.xml"));
    rua::Admin admin(pool);
    const auto first = admin.quarantine_reprocess({}, rua::Limits{});
    CHECK(first.stored == 1);
    CHECK(first.duplicate == 0);
    CHECK(first.still_failing == 0);
    CHECK(first.messages.empty());
    CHECK(db.count("aggregate_report") == 1);
    CHECK(db.scalar("SELECT sum(count) FROM aggregate_record") == "4");
    const auto report_id = db.scalar("SELECT id FROM aggregate_report");
    CHECK(db.scalar("SELECT via || ' ' || file FROM aggregate_report") == "import a.xml");
    const auto row = admin.quarantine_get(id);
    REQUIRE(row.resolved_at.has_value());
    CHECK(row.resolved_report_ids == std::vector<std::int64_t>{std::stoll(report_id)});

    // Resolved rows are not looked at again, and naming one skips it.
    const auto again = admin.quarantine_reprocess({}, rua::Limits{});
    CHECK(again.stored + again.duplicate + again.still_failing + again.skipped == 0);
    const auto named = admin.quarantine_reprocess({id, id + 100}, rua::Limits{});
    CHECK(named.skipped == 2);
    CHECK(named.messages ==
          std::vector<std::string>{fmt::format("quarantine {}: already resolved", id),
                                   fmt::format("quarantine {}: does not exist", id + 100)});
    CHECK(db.count("aggregate_report") == 1);
}

TEST_CASE("a reprocess interrupted before marking the row finds a duplicate next time") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const auto id = store.quarantine(report_xml("fixed-2", "example.com"), "bad_report", "x",
                                     imported("b.xml"));
    rua::Admin admin(pool);
    REQUIRE(admin.quarantine_reprocess({id}, rua::Limits{}).stored == 1);
    db.exec("UPDATE quarantine SET resolved_at = NULL, resolved_report_ids = NULL");
    const auto counts = admin.quarantine_reprocess({id}, rua::Limits{});
    CHECK(counts.stored == 0);
    CHECK(counts.duplicate == 1);
    CHECK(db.count("aggregate_report") == 1);
    CHECK(admin.quarantine_get(id).resolved_report_ids.size() == 1);
}

TEST_CASE("reprocess keeps applying the rua's domain check until the account owns the domain") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    rua::Admin admin(pool);
    admin.add_rua("dmarc@example.net", "", {"example.net"});
    const auto id = store.quarantine(report_xml("foreign-1", "other.example"), "foreign_domain",
                                     "not ours", imported("c.xml", "dmarc@example.net"));
    const auto refused = admin.quarantine_reprocess({}, rua::Limits{});
    CHECK(refused.still_failing == 1);
    CHECK(refused.messages ==
          std::vector<std::string>{
              fmt::format("quarantine {}: foreign_domain: aggregate report foreign-1 is for domain "
                          "other.example, which account example.net does not receive reports for",
                          id)});
    CHECK(db.count("aggregate_report") == 0);
    CHECK(db.count("quarantine") == 1); // the row itself, not a second copy
    admin.add_domain("other.example", "example.net");
    CHECK(admin.quarantine_reprocess({}, rua::Limits{}).stored == 1);
    CHECK(db.scalar("SELECT rua FROM aggregate_report") == "dmarc@example.net");
}

TEST_CASE("a message that still does not parse stays in the quarantine with the parser's reason") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const auto id = store.quarantine("Subject: hello\r\n\r\nno report here\r\n", "no_report", "",
                                     imported("d.eml"));
    rua::Admin admin(pool);
    const auto counts = admin.quarantine_reprocess({id}, rua::Limits{});
    CHECK(counts.still_failing == 1);
    REQUIRE(counts.messages.size() == 1);
    CHECK(counts.messages[0].rfind(fmt::format("quarantine {}: ", id), 0) == 0);
    CHECK_FALSE(admin.quarantine_get(id).resolved_at.has_value());
    CHECK(db.count("aggregate_report") == 0);
}

TEST_CASE("quarantine list, show and raw return what was kept") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const std::string raw("bytes\0with nul\xff", 15);
    const auto first = store.quarantine(raw, "no_report", "nothing found", imported("e.eml"));
    const auto second =
        store.quarantine(report_xml("l-1", "example.com"), "bad_report", "old", imported("f.xml"));
    rua::Admin admin(pool);
    auto rows = admin.quarantine_list(10, false);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].id == second);
    CHECK(rows[1].id == first);
    CHECK(rows[1].reason == "no_report");
    CHECK(rows[1].detail == std::optional<std::string>("nothing found"));
    CHECK(rows[1].file == std::optional<std::string>("e.eml"));
    CHECK(rows[1].via == "import");
    CHECK(rows[1].size == 15);
    CHECK(admin.quarantine_list(1, false).size() == 1);
    CHECK(admin.quarantine_raw(first) == raw);
    REQUIRE(admin.quarantine_reprocess({second}, rua::Limits{}).stored == 1);
    rows = admin.quarantine_list(10, false);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].id == first);
    CHECK(admin.quarantine_list(10, true).size() == 2);
    CHECK_THROWS_WITH_AS(admin.quarantine_get(second + 1),
                         fmt::format("quarantine {} does not exist", second + 1).c_str(),
                         rua::NotFound);
    CHECK_THROWS_AS(admin.quarantine_raw(second + 1), rua::NotFound);
}

TEST_CASE("purge deletes rows by id or by age, nothing else") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const auto a = store.quarantine("a", "no_report", "", imported("a"));
    const auto b = store.quarantine("b", "no_report", "", imported("b"));
    const auto c = store.quarantine("c", "no_report", "", imported("c"));
    db.exec(fmt::format("UPDATE quarantine SET received_at = now() - interval '3 days' "
                        "WHERE id = {}",
                        a));
    rua::Admin admin(pool);
    CHECK(admin.quarantine_purge_older(4 * 86400) == 0);
    CHECK(admin.quarantine_purge_older(2 * 86400) == 1);
    CHECK(admin.quarantine_purge_ids({b, c + 10}) == 1);
    CHECK(db.scalar("SELECT string_agg(id::text, ',') FROM quarantine") == std::to_string(c));
}
