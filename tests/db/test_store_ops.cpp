// Database tests of the store's other calls and of its failure paths:
// quarantine rows, the registry snapshot, pool exhaustion, and the SQLSTATE
// classification behind TryLater / BadInput.
#include "db/db_fixture.hpp"
#include "store/pg_errors.hpp"
#include "store/pool.hpp"

#include <rua/errors.hpp>
#include <rua/store.hpp>

#include <atomic>
#include <thread>

using rua::test::make_report;
using rua::test::make_result;
using rua::test::ScratchDb;

TEST_CASE("quarantine keeps the raw message and its reason") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    rua::Arrival arrival;
    arrival.via = "import";
    arrival.file = "/var/mail/x.eml";
    const std::string raw("Subject: hi\r\n\r\n\0\xff binary", 24);
    const std::string detail("part 1: bad \xff\xfe byte\0", 20);
    const auto id = store.quarantine(raw, "bad_report", detail, arrival);
    CHECK(id > 0);
    CHECK(db.count("quarantine") == 1);
    pqxx::nontransaction tx(db.conn());
    const auto row = tx.exec("SELECT id, via, file, rua, reason, detail, raw, size, resolved_at "
                             "FROM quarantine")[0];
    CHECK(row[0].as<std::int64_t>() == id);
    CHECK(row[1].as<std::string>() == "import");
    CHECK(row[2].as<std::string>() == "/var/mail/x.eml");
    CHECK(row[3].is_null());
    CHECK(row[4].as<std::string>() == "bad_report");
    CHECK(row[5].as<std::string>() == "part 1: bad ?? byte?");
    CHECK(pqxx::binarystring(row[6]).str() == raw);
    CHECK(row[7].as<std::size_t>() == raw.size());
    CHECK(row[8].is_null());
}

TEST_CASE("load_registry returns every address with its account and domains") {
    ScratchDb db;
    db.exec("INSERT INTO account (name) VALUES ('acme'), ('open')");
    db.exec("INSERT INTO account_domain (account_id, domain) SELECT id, d FROM account, "
            "unnest(ARRAY['acme.example', 'acme.test']) d WHERE name = 'acme'");
    db.exec("INSERT INTO rua_address (address, account_id, active) "
            "SELECT 'dmarc@acme.example', id, true FROM account WHERE name = 'acme' UNION ALL "
            "SELECT 'old@acme.example', id, false FROM account WHERE name = 'acme' UNION ALL "
            "SELECT 'rua@open.example', id, true FROM account WHERE name = 'open'");
    CHECK_THROWS_AS(db.exec("INSERT INTO rua_address (address, account_id) "
                            "SELECT 'Upper@acme.example', id FROM account LIMIT 1"),
                    pqxx::check_violation);

    rua::ConnectionPool pool(db.url(), 1);
    const auto registry = rua::Store(pool).load_registry();
    CHECK(registry.size() == 3);
    const auto* acme = registry.find("<DMARC@acme.example>");
    REQUIRE(acme != nullptr);
    CHECK(acme->account == "acme");
    CHECK(acme->active);
    CHECK(acme->domains == std::vector<std::string>{"acme.example", "acme.test"});
    const auto* old = registry.find("old@acme.example");
    REQUIRE(old != nullptr);
    CHECK_FALSE(old->active);
    const auto* open = registry.find("rua@open.example");
    REQUIRE(open != nullptr);
    CHECK(open->domains.empty());
    CHECK(registry.find("nobody@acme.example") == nullptr);
}

TEST_CASE("an exhausted pool answers TryLater instead of waiting forever") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1, std::chrono::milliseconds(20));
    rua::Store store(pool);
    CHECK(pool.in_use() == 0);
    {
        auto held = pool.impl().acquire();
        CHECK(pool.in_use() == 1); // what rua_milter_db_pool_in_use shows
        CHECK_THROWS_WITH_AS(store.store(make_result({make_report("google.com", "r1")}), {}),
                             "database connection pool exhausted", rua::TryLater);
        CHECK_THROWS_WITH_AS(store.load_registry(), "database connection pool exhausted",
                             rua::TryLater);
    }
    CHECK(pool.in_use() == 0);
    CHECK(store.store(make_result({make_report("google.com", "r1")}), {}).stored() == 1);
    CHECK(pool.in_use() == 0);
}

TEST_CASE("eight threads share a pool of two connections and every report is stored once") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 2);
    rua::Store store(pool);
    std::atomic<int> stored{0};
    std::atomic<int> duplicates{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    threads.reserve(8);
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            // Each thread stores 5 own reports and one that every thread sends.
            for (int i = 0; i < 6; ++i) {
                const auto id = i == 5 ? std::string("shared")
                                       : "t" + std::to_string(t) + "-" + std::to_string(i);
                try {
                    const auto outcome =
                        store.store(make_result({make_report("google.com", id, 3)}, id), {});
                    stored += static_cast<int>(outcome.stored());
                    duplicates += static_cast<int>(outcome.duplicates());
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    CHECK(failures == 0);
    CHECK(stored == 41);
    CHECK(duplicates == 7);
    CHECK(db.count("aggregate_report") == 41);
    CHECK(db.count("aggregate_record") == 123);
    CHECK(db.count("raw_report") == 41);
}

TEST_CASE("an unreachable server is TryLater with libpq's reason") {
    rua::ConnectionPool pool("postgresql:///rua?host=/nonexistent-rua-dir&connect_timeout=2", 1);
    try {
        rua::Store(pool).load_registry();
        FAIL("load_registry did not throw");
    } catch (const rua::TryLater& e) {
        CHECK(std::string(e.what()).rfind("cannot connect to the database: ", 0) == 0);
    }
}

TEST_CASE("SQLSTATE classes 22 and 23 are bad input, everything else retries") {
    using rua::PgErrorKind;
    CHECK(rua::classify_sqlstate("22021") == PgErrorKind::bad_input); // bad encoding
    CHECK(rua::classify_sqlstate("22003") == PgErrorKind::bad_input); // out of range
    CHECK(rua::classify_sqlstate("23514") == PgErrorKind::bad_input); // check violation
    CHECK(rua::classify_sqlstate("08006") == PgErrorKind::try_later);
    CHECK(rua::classify_sqlstate("40001") == PgErrorKind::try_later);
    CHECK(rua::classify_sqlstate("40P01") == PgErrorKind::try_later);
    CHECK(rua::classify_sqlstate("53100") == PgErrorKind::try_later);
    CHECK(rua::classify_sqlstate("57P01") == PgErrorKind::try_later);
    CHECK(rua::classify_sqlstate("42P01") == PgErrorKind::try_later);
    CHECK(rua::classify_sqlstate("") == PgErrorKind::try_later);
    CHECK(rua::pg_reason("ERROR:  value too long\nCONTEXT:  COPY x, line 1\n") == "value too long");
    CHECK(rua::pg_reason("") == "unknown database error");
}
