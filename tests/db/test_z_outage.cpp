// The database server dies in the middle of a store: the caller gets TryLater,
// no partial report is visible after the restart, and the same pool stores
// again once the server is back. Stops and restarts the shared test server,
// so it lives in the file doctest runs last and restores the server itself.
#include "db/db_fixture.hpp"

#include <rua/errors.hpp>
#include <rua/store.hpp>

#include <cstdlib>
#include <exception>
#include <thread>

using rua::test::make_report;
using rua::test::make_result;
using rua::test::ScratchDb;

namespace {

int pg_ctl(const std::string& args) {
    const std::string command = "runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D " +
                                std::string(RUA_PG_DIR) + "/data " + args + " >/dev/null";
    return std::system(command.c_str()); // NOLINT(concurrency-mt-unsafe,cert-env33-c)
}

} // namespace

TEST_CASE("a server stopped in the middle of a store gives TryLater and no partial report") {
    ScratchDb db;
    rua::ConnectionPool pool(db.url(), 1);
    rua::Store store(pool);
    rua::ConnectionPool idle_pool(db.url(), 1);
    rua::Store idle_store(idle_pool);
    REQUIRE(idle_store.store(make_result({make_report("before.example", "b")}), {}).stored() == 1);

    // Hold a lock that the store's COPY into aggregate_record must wait for:
    // the report row is then inserted but not committed when the server dies.
    auto blocker = std::make_unique<pqxx::work>(db.conn());
    blocker->exec("LOCK TABLE aggregate_record IN EXCLUSIVE MODE");

    std::exception_ptr failure;
    std::thread writer([&] {
        try {
            store.store(make_result({make_report("google.com", "mid", 100)}), {});
        } catch (...) {
            failure = std::current_exception();
        }
    });
    pqxx::connection watcher(db.url());
    bool waiting = false;
    for (int i = 0; i < 100000 && !waiting; ++i) {
        pqxx::nontransaction tx(watcher);
        waiting = tx.exec("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = "
                          "'aggregate_record'::regclass")[0][0]
                      .as<int>() > 0;
    }
    CHECK(waiting);
    REQUIRE(pg_ctl("-m immediate -w stop") == 0);
    writer.join();
    blocker.reset(); // its rollback finds the connection gone; pqxx tolerates that

    REQUIRE(failure != nullptr);
    CHECK_THROWS_AS(std::rethrow_exception(failure), rua::TryLater);
    CHECK_THROWS_WITH_AS(store.store(make_result({make_report("google.com", "down")}), {}),
                         doctest::Contains("cannot connect to the database: "), rua::TryLater);

    REQUIRE(pg_ctl("-l " + std::string(RUA_PG_DIR) + "/server.log -w -t 60 start") == 0);
    db.reconnect();
    CHECK(db.count("aggregate_report") == 1); // only the one stored before
    CHECK(db.count("aggregate_record") == 2);
    CHECK(db.count("raw_report") == 1);

    // Both pools work again: the broken connection was dropped, and the idle
    // one that died with the server is replaced transparently.
    CHECK(store.store(make_result({make_report("google.com", "mid", 100)}), {}).stored() == 1);
    CHECK(idle_store.store(make_result({make_report("after.example", "a")}), {}).stored() == 1);
    CHECK(db.count("aggregate_report") == 3);
    CHECK(db.count("aggregate_record") == 104);
}
