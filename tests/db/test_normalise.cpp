// Database tests of the one address and domain normal form (issue 8 items 1,
// 2, 7): a policy domain with a trailing dot is a duplicate, not a second
// copy; the set of rua recipients decides the account check; migration 0008
// normalises rows stored before it.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>
#include <rua/migrate.hpp>
#include <rua/process.hpp>

#include <filesystem>

using rua::test::ScratchDb;

namespace {

// An aggregate report for `domain` whose record is for example.com.
std::string report_message(const std::string& id, const std::string& domain) {
    return rua::test::xml_message(rua::test::aggregate_xml(id, domain, "example.com"));
}

rua::Arrival arrival() {
    rua::Arrival a;
    a.rua = "dmarc@example.net";
    a.queue_id = "Q1";
    return a;
}

} // namespace

TEST_CASE("a policy domain with a trailing dot or capitals is a duplicate, one row kept") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    const rua::ProcessOptions options;
    const auto first = rua::process_message(store, report_message("dot-1", "example.com"),
                                            rua::Limits{}, arrival(), options);
    REQUIRE(first.verdict == rua::Verdict::stored);
    for (const char* domain : {"example.com.", "Example.COM."}) {
        CAPTURE(domain);
        const auto again = rua::process_message(store, report_message("dot-1", domain),
                                                rua::Limits{}, arrival(), options);
        CHECK(again.verdict == rua::Verdict::duplicate);
        REQUIRE(again.outcome.reports.size() == 1);
        CHECK(again.outcome.reports[0].outcome == rua::ReportOutcome::duplicate);
    }
    CHECK(db.scalar("SELECT string_agg(domain, ',') FROM aggregate_report") == "example.com");
    CHECK(db.count("aggregate_record") == 1);
}

TEST_CASE("two rua recipients of different accounts: a report for the second's domain is "
          "stored") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    rua::Admin admin(pool);
    admin.add_account("first");
    admin.add_account("second");
    admin.add_rua("first@example.net", "first", {"first.example"});
    admin.add_rua("second@example.net", "second", {"second.example"});
    const auto registry = store.load_registry();
    rua::ProcessOptions options;
    for (const char* address : {"first@example.net", "second@example.net"}) {
        const rua::RuaEntry* entry = registry.find(address);
        REQUIRE(entry != nullptr);
        options.ruas.push_back(*entry);
    }
    const auto second = rua::process_message(store, report_message("multi-1", "second.example"),
                                             rua::Limits{}, arrival(), options);
    CHECK(second.verdict == rua::Verdict::stored);
    CHECK_FALSE(second.foreign_domain);

    const auto neither = rua::process_message(store, report_message("multi-2", "third.example"),
                                              rua::Limits{}, arrival(), options);
    CHECK(neither.verdict == rua::Verdict::quarantined);
    CHECK(neither.reason_code == "foreign_domain");
    CHECK(neither.reason.find("which accounts first, second do not receive reports for") !=
          std::string::npos);
    CHECK(db.scalar("SELECT string_agg(domain, ',') FROM aggregate_report") == "second.example");
    CHECK(db.scalar("SELECT string_agg(reason, ',') FROM quarantine") == "foreign_domain");
}

TEST_CASE("ruactl's registry stores addresses and domains in the normal form") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Admin admin(pool);
    CHECK(admin.add_rua("<DMARC@Example.NET.>", "",
                        {"Example.COM.", "B\xC3\xBC"
                                         "cher.example"}) == "example.net");
    CHECK(db.scalar("SELECT address FROM rua_address") == "dmarc@example.net");
    CHECK(db.scalar("SELECT string_agg(domain, ',' ORDER BY domain) FROM account_domain") ==
          "example.com,xn--bcher-kva.example");
    CHECK_THROWS_WITH_AS(admin.add_rua("dmarc@example.net", "", {}),
                         "rua address dmarc@example.net is already registered (account "
                         "\"example.net\")",
                         rua::AlreadyExists);
    admin.add_rua("dmarc+cust1@example.net", "", {});
    CHECK_THROWS_WITH_AS(admin.add_rua("\"a b\"@example.net", "", {}),
                         "invalid rua address \"\"a b\"@example.net\": expected local@domain",
                         rua::AdminError);
    CHECK(db.count("rua_address") == 2);
}

TEST_CASE("migration 0008 normalises stored domains; of two rows made one, the first stays") {
    ScratchDb db(false);
    const auto dir = std::filesystem::path(RUA_BINARY_DIR) / ("sql_" + db.name());
    std::filesystem::create_directories(dir);
    for (const auto& entry : std::filesystem::directory_iterator(rua::test::sql_dir())) {
        const auto name = entry.path().filename().string();
        if (entry.path().extension() == ".sql" && name < "0008") {
            std::filesystem::copy_file(entry.path(), dir / name);
        }
    }
    rua::migrate(db.url(), dir.string());
    // Rows as an earlier release could store them (written in SQL: this
    // build's writer needs the later migrations): the parser kept the policy
    // domain as sent, the registry kept a trailing dot.
    db.exec("INSERT INTO aggregate_report (org_name, report_id, date_begin, date_end, domain, "
            "schema_flavour, via, fingerprint, record_count, message_count) VALUES "
            "('google.com', 'r1', to_timestamp(0), to_timestamp(86400), 'Example.COM.', "
            "'rfc7489', 'import', '\\x01', 1, 1), "
            "('google.com', 'r1', to_timestamp(0), to_timestamp(86400), 'example.com', "
            "'rfc7489', 'import', '\\x01', 1, 1), "
            "('google.com', 'r2', to_timestamp(0), to_timestamp(86400), 'example.org.', "
            "'rfc7489', 'import', '\\x02', 1, 1)");
    db.exec("INSERT INTO aggregate_record (report_id, ordinal, source_ip, count, dmarc_pass) "
            "SELECT id, 0, '192.0.2.1', 1, true FROM aggregate_report");
    db.exec("INSERT INTO account (name) VALUES ('acme')");
    db.exec("INSERT INTO rua_address (address, account_id) SELECT 'dmarc@example.net.', id "
            "FROM account");
    db.exec("INSERT INTO rua_address (address, account_id) SELECT 'dmarc@example.net', id "
            "FROM account");
    db.exec("INSERT INTO rua_address (address, account_id) SELECT 'other@example.org.', id "
            "FROM account");
    db.exec("INSERT INTO account_domain (account_id, domain) SELECT id, 'example.com.' "
            "FROM account");
    REQUIRE(db.count("aggregate_report") == 3);

    std::filesystem::copy_file(std::filesystem::path(rua::test::sql_dir()) /
                                   "0008_normalise_domains.sql",
                               dir / "0008_normalise_domains.sql");
    rua::migrate(db.url(), dir.string());
    std::filesystem::remove_all(dir);

    CHECK(db.scalar("SELECT string_agg(report_id || '=' || domain, ',' ORDER BY id) "
                    "FROM aggregate_report") == "r1=example.com,r2=example.org");
    // The first copy (the dotted one, id 1) is the one kept, with its records.
    CHECK(db.scalar("SELECT min(id) FROM aggregate_report") == "1");
    CHECK(db.scalar("SELECT count(DISTINCT report_id) FROM aggregate_record") == "2");
    CHECK(db.scalar("SELECT string_agg(address, ',' ORDER BY id) FROM rua_address") ==
          "dmarc@example.net,other@example.org");
    CHECK(db.scalar("SELECT string_agg(domain, ',') FROM account_domain") == "example.com");
}
