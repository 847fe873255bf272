// Database tests of the admin queries behind ruactl: registry management
// (normalisation, refusals with their exact text) and the per-domain summary
// (exact numbers on a small stored set). Each test has its own scratch
// database; nothing here touches another test's data.
#include "db/db_fixture.hpp"

#include <rua/admin.hpp>
#include <rua/errors.hpp>

#include <stdexcept>
#include <string>
#include <vector>

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

// The aggregate kind's table `name` in a summary.
const rua::SummaryTable& table(const rua::DomainSummary& summary, const std::string& name) {
    for (const auto& t : summary.tables) {
        if (t.kind == "aggregate" && t.name == name) {
            return t;
        }
    }
    throw std::runtime_error("no aggregate table " + name + " in the summary");
}

// The names of the aggregate kind's tables, in order.
std::vector<std::string> aggregate_tables(const rua::DomainSummary& summary) {
    std::vector<std::string> out;
    for (const auto& t : summary.tables) {
        if (t.kind == "aggregate") {
            out.push_back(t.name);
        }
    }
    return out;
}

// The first cells of the rows, in order.
std::vector<std::string> keys(const rua::SummaryTable& t) {
    std::vector<std::string> out;
    for (const auto& row : t.rows) {
        out.push_back(row.at(0).value_or("(null)"));
    }
    return out;
}

// The row whose first cell is `key`.
const std::vector<rua::OptString>& row_of(const rua::SummaryTable& t, const std::string& key) {
    for (const auto& row : t.rows) {
        if (!row.empty() && row[0] == key) {
            return row;
        }
    }
    throw std::runtime_error("no row " + key + " in table " + t.name);
}

const std::vector<std::string> k_numbers = {"reports",      "messages", "pass",       "fail",
                                            "pass_percent", "none",     "quarantine", "reject"};

// The table's shape: its kind, title and columns (the key column first).
void check_shape(const rua::SummaryTable& t, const std::string& title, const std::string& key) {
    INFO("table " << t.name);
    CHECK(t.kind == "aggregate");
    CHECK(t.title == title);
    std::vector<std::string> columns{key};
    columns.insert(columns.end(), k_numbers.begin(), k_numbers.end());
    CHECK(t.columns == columns);
    std::vector<bool> numeric(columns.size(), true);
    numeric[0] = false;
    CHECK(t.numeric == numeric);
}

void check_row(const rua::SummaryTable& t, const std::string& key, std::uint64_t reports,
               std::uint64_t messages, std::uint64_t pass, std::uint64_t reject,
               const rua::OptString& pass_percent) {
    INFO("table " << t.name << " row " << key);
    const auto& row = row_of(t, key);
    const auto n = [](std::uint64_t value) { return rua::OptString(std::to_string(value)); };
    CHECK(row == std::vector<rua::OptString>{key, n(reports), n(messages), n(pass),
                                             n(messages - pass), pass_percent, n(pass), n(0),
                                             n(reject)});
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
    // The aggregate kind's sections, in this order (other kinds add their own).
    CHECK(aggregate_tables(s) ==
          std::vector<std::string>{"total", "by_reporter", "by_source", "by_authenticity"});
    const auto only = admin.summary("example.com", std::nullopt, {"aggregate"});
    CHECK(only.tables.size() == 4);
    CHECK(aggregate_tables(only) == aggregate_tables(s));
    const auto& total = table(s, "total");
    check_shape(total, "TOTAL", "key");
    CHECK(keys(total) == std::vector<std::string>{"total"});
    check_row(total, "total", 2, 9, 5, 4, "55.6");
    const auto& by_reporter = table(s, "by_reporter");
    check_shape(by_reporter, "BY REPORTER", "reporter");
    CHECK(keys(by_reporter) == std::vector<std::string>{"org-a", "org-b"});
    check_row(by_reporter, "org-a", 1, 6, 4, 2, "66.7");
    check_row(by_reporter, "org-b", 1, 3, 1, 2, "33.3");
    const auto& by_source = table(s, "by_source");
    check_shape(by_source, "BY SOURCE", "source_ip");
    CHECK(keys(by_source) == std::vector<std::string>{"192.0.2.2", "192.0.2.3", "192.0.2.1"});
    check_row(by_source, "192.0.2.2", 2, 4, 0, 4, "0.0");
    check_row(by_source, "192.0.2.3", 1, 3, 3, 0, "100.0");
    check_row(by_source, "192.0.2.1", 2, 2, 2, 0, "100.0");
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
    check_row(table(s, "total"), "total", 1, 3, 1, 2, "33.3");
    CHECK(keys(table(s, "by_reporter")) == std::vector<std::string>{"org-b"});
    CHECK(table(s, "by_source").rows.size() == 2);
    const auto none = admin.summary("example.com", 1800);
    CHECK(keys(table(none, "total")) == std::vector<std::string>{"total"});
    check_row(table(none, "total"), "total", 0, 0, 0, 0, std::nullopt);
    CHECK(table(none, "by_reporter").rows.empty());
    CHECK(table(none, "by_source").rows.empty());
}
