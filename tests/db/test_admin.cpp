// Database tests of the admin queries behind ruactl: registry management
// (normalisation, refusals with their exact text) and the per-domain summary
// (exact numbers on a small stored set). Each test has its own scratch
// database; nothing here touches another test's data.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>
#include <rua/errors.hpp>

using rua::test::make_report;
using rua::test::make_result;
using rua::test::ScratchDb;

TEST_CASE("a rua address that differs only in case is refused with a clear error") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Admin admin(pool);
    CHECK(admin.add_rua("<Dmarc@Example.NET>", "", {}) == "example.net");
    CHECK_THROWS_WITH_AS(admin.add_rua("dmarc@example.net", "", {}),
                         "rua address dmarc@example.net is already registered "
                         "(account \"example.net\")",
                         rua::AlreadyExists);
    CHECK(db.scalar("SELECT string_agg(address, ',') FROM rua_address") == "dmarc@example.net");
}

TEST_CASE("rua add without an account creates the one named after the address's domain") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Admin admin(pool);
    admin.add_rua("rua@Example.COM", "", {"Example.com", "mail.example.com."});
    admin.add_rua("other@example.com", "", {"example.com"});
    const auto accounts = admin.accounts();
    REQUIRE(accounts.size() == 1);
    CHECK(accounts[0].name == "example.com");
    CHECK(accounts[0].domains == std::vector<std::string>{"example.com", "mail.example.com"});
    CHECK(accounts[0].rua_count == 2);
    const auto ruas = admin.ruas();
    REQUIRE(ruas.size() == 2);
    CHECK(ruas[0].address == "other@example.com");
    CHECK(ruas[1].address == "rua@example.com");
    CHECK(ruas[1].account == "example.com");
    CHECK(ruas[1].active);
}

TEST_CASE("registry refusals name the object and say why") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Admin admin(pool);
    admin.add_account("acme");
    CHECK_THROWS_WITH_AS(admin.add_account(" acme "), "account \"acme\" already exists",
                         rua::AlreadyExists);
    CHECK_THROWS_WITH_AS(admin.add_account("  "), "account name is empty", rua::AdminError);
    CHECK_THROWS_WITH_AS(admin.add_rua("a@b.example", "nope", {}),
                         "account \"nope\" does not exist", rua::NotFound);
    CHECK_THROWS_WITH_AS(admin.add_rua("no-at-sign", "acme", {}),
                         "invalid rua address \"no-at-sign\": expected local@domain",
                         rua::AdminError);
    CHECK_THROWS_WITH_AS(admin.add_domain("bad domain", "acme"), "invalid domain \"bad domain\"",
                         rua::AdminError);
    admin.add_domain("Example.ORG", "acme");
    CHECK_THROWS_WITH_AS(admin.add_domain("example.org", "acme"),
                         "domain example.org is already listed for account \"acme\"",
                         rua::AlreadyExists);
    CHECK_THROWS_WITH_AS(admin.remove_rua("x@y.example"),
                         "rua address x@y.example is not registered", rua::NotFound);
    CHECK_THROWS_WITH_AS(admin.set_rua_active("x@y.example", false),
                         "rua address x@y.example is not registered", rua::NotFound);
    CHECK(db.count("account") == 1);
    CHECK(db.count("rua_address") == 0);
}

TEST_CASE("a refused rua add changes nothing") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Admin admin(pool);
    admin.add_rua("a@example.net", "", {});
    // The address exists: the domain given with it is not added either.
    CHECK_THROWS_AS(admin.add_rua("A@example.net", "", {"new.example"}), rua::AlreadyExists);
    // A bad domain is refused before the account would be created.
    CHECK_THROWS_WITH_AS(admin.add_rua("x@fresh.example", "", {"bad domain"}),
                         "invalid domain \"bad domain\"", rua::AdminError);
    CHECK(db.scalar("SELECT string_agg(name, ',') FROM account") == "example.net");
    CHECK(db.count("account_domain") == 0);
    CHECK(db.count("rua_address") == 1);
}

TEST_CASE("domain remove needs the account when two accounts list the domain") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Admin admin(pool);
    admin.add_account("a");
    admin.add_account("b");
    admin.add_domain("shared.example", "a");
    admin.add_domain("shared.example", "b");
    admin.add_domain("only-a.example", "a");
    CHECK_THROWS_WITH_AS(admin.remove_domain("shared.example", ""),
                         "domain shared.example is listed for accounts \"a\", \"b\": name one "
                         "with --account",
                         rua::AdminError);
    CHECK(admin.remove_domain("shared.example", "b") == 0);
    CHECK(admin.remove_domain("SHARED.example", "") == 1);
    CHECK_THROWS_WITH_AS(admin.remove_domain("shared.example", ""),
                         "domain shared.example is not listed for any account", rua::NotFound);
    CHECK_THROWS_WITH_AS(admin.remove_domain("only-a.example", "b"),
                         "domain only-a.example is not listed for account \"b\"", rua::NotFound);
    CHECK(db.scalar("SELECT string_agg(domain, ',') FROM account_domain") == "only-a.example");
}

TEST_CASE("disable, enable and remove are what the milter's registry sees") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Admin admin(pool);
    rua::Store store(pool);
    admin.add_rua("dmarc@example.net", "", {"example.net"});
    admin.set_rua_active("DMARC@example.net", false);
    {
        const auto registry = store.load_registry();
        const auto* entry = registry.find("dmarc@example.net");
        REQUIRE(entry != nullptr);
        CHECK_FALSE(entry->active);
        CHECK(entry->domains == std::vector<std::string>{"example.net"});
    }
    admin.set_rua_active("dmarc@example.net", true);
    CHECK(store.load_registry().find("dmarc@example.net")->active);
    admin.remove_rua("<dmarc@EXAMPLE.net>");
    CHECK(store.load_registry().size() == 0);
}

TEST_CASE("an unreachable database is TryLater for admin queries") {
    rua::ConnectionPool pool("postgresql:///none?host=/nonexistent-rua-dir", 1);
    rua::Admin admin(pool);
    CHECK_THROWS_AS(admin.accounts(), rua::TryLater);
}

namespace {

// Two reports about example.com and one about example.org, stored.
// org-a: records of 1 (pass), 2 (fail), 3 (pass) messages from 192.0.2.1-3;
// org-b: 1 (pass), 2 (fail) from 192.0.2.1-2. Passing records have
// disposition none, failing ones reject (see make_record).
void store_sample(rua::Store& store) {
    store.store(make_result({make_report("org-a", "r1", 3)}), rua::Arrival{});
    store.store(make_result({make_report("org-b", "r2", 2)}, "other bytes"), rua::Arrival{});
    auto foreign = make_report("org-a", "r3", 4);
    foreign.policy.domain = "example.org";
    store.store(make_result({foreign}, "third"), rua::Arrival{});
}

void check_row(const rua::SummaryRow& row, const std::string& key, std::uint64_t reports,
               std::uint64_t messages, std::uint64_t pass, std::uint64_t reject) {
    INFO("row " << key);
    CHECK(row.key == key);
    CHECK(row.reports == reports);
    CHECK(row.messages == messages);
    CHECK(row.pass == pass);
    CHECK(row.fail == messages - pass);
    CHECK(row.none == pass);
    CHECK(row.quarantine == 0);
    CHECK(row.reject == reject);
}

} // namespace

TEST_CASE("summary numbers are exact by reporter and by source for one domain") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    store_sample(store);
    rua::Admin admin(pool);
    const auto s = admin.summary("EXAMPLE.com.", std::nullopt);
    CHECK(s.domain == "example.com");
    CHECK_FALSE(s.since.has_value());
    check_row(s.total, "", 2, 9, 5, 4);
    REQUIRE(s.by_reporter.size() == 2);
    check_row(s.by_reporter[0], "org-a", 1, 6, 4, 2);
    check_row(s.by_reporter[1], "org-b", 1, 3, 1, 2);
    REQUIRE(s.by_source.size() == 3);
    check_row(s.by_source[0], "192.0.2.2", 2, 4, 0, 4);
    check_row(s.by_source[1], "192.0.2.3", 1, 3, 3, 0);
    check_row(s.by_source[2], "192.0.2.1", 2, 2, 2, 0);
}

TEST_CASE("summary --since leaves out reports that ended before it") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    store_sample(store);
    // org-b's report ends an hour ago; org-a's ended in 2023 (make_report).
    db.exec("UPDATE aggregate_report SET date_begin = now() - interval '25 hours', "
            "date_end = now() - interval '1 hour' WHERE report_id = 'r2'");
    rua::Admin admin(pool);
    const auto s = admin.summary("example.com", 2 * 3600);
    REQUIRE(s.since.has_value());
    check_row(s.total, "", 1, 3, 1, 2);
    REQUIRE(s.by_reporter.size() == 1);
    CHECK(s.by_reporter[0].key == "org-b");
    CHECK(s.by_source.size() == 2);
    const auto none = admin.summary("example.com", 1800);
    check_row(none.total, "", 0, 0, 0, 0);
    CHECK(none.by_reporter.empty());
    CHECK(none.by_source.empty());
}
