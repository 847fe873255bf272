// Database tests of the migration runner: an empty database gets every file
// of sql/ once, in order; a second run applies nothing; status is exact.
// Each test works in its own scratch database.
#include "db/db_fixture.hpp"

#include <rua/errors.hpp>
#include <rua/migrate.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

using rua::test::ScratchDb;

namespace {

std::vector<std::string> sql_files() {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(rua::test::sql_dir())) {
        if (entry.path().extension() == ".sql") {
            names.push_back(entry.path().filename().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

TEST_CASE("migrate on an empty database applies every file in order, then nothing") {
    ScratchDb db(false);
    const auto expected = sql_files();
    REQUIRE(expected.size() >= 5);
    CHECK(expected.front() == "0001_schema_migrations.sql");

    const auto before = rua::migration_status(db.url(), rua::test::sql_dir());
    REQUIRE(before.size() == expected.size());
    for (const auto& state : before) {
        CHECK(state.pending());
    }

    CHECK(rua::migrate(db.url(), rua::test::sql_dir()) == expected);
    CHECK(db.count("schema_migrations") == static_cast<long long>(expected.size()));
    CHECK(rua::migrate(db.url(), rua::test::sql_dir()).empty());
    CHECK(db.count("schema_migrations") == static_cast<long long>(expected.size()));

    const auto after = rua::migration_status(db.url(), rua::test::sql_dir());
    REQUIRE(after.size() == expected.size());
    CHECK(after[0].version == 1);
    CHECK(after[0].name == "schema_migrations");
    CHECK(after[2].version == 3);
    CHECK(after[2].name == "reports");
    for (const auto& state : after) {
        CHECK_FALSE(state.pending());
        REQUIRE(state.applied_at);
        CHECK(state.applied_at->size() == 22); // "2026-01-31 12:00:00+00"
    }
}

TEST_CASE("a new file is pending, then applied alone; a failing file is not recorded") {
    ScratchDb db(false);
    const auto dir = std::filesystem::path(RUA_BINARY_DIR) / ("sql_" + db.name());
    std::filesystem::create_directories(dir);
    for (const auto& name : sql_files()) {
        std::filesystem::copy_file(std::filesystem::path(rua::test::sql_dir()) / name, dir / name);
    }
    const auto base = rua::migrate(db.url(), dir.string());
    std::ofstream(dir / "0900_extra.sql") << "CREATE TABLE extra (x int);\n";
    std::ofstream(dir / "0901_broken.sql") << "CREATE TABLE broken (x nosuchtype);\n";
    std::ofstream(dir / "README") << "not a migration\n";

    const auto status = rua::migration_status(db.url(), dir.string());
    REQUIRE(status.size() == base.size() + 2);
    CHECK(status[base.size()].version == 900);
    CHECK(status[base.size()].name == "extra");
    CHECK(status[base.size()].pending());

    CHECK_THROWS_WITH_AS(rua::migrate(db.url(), dir.string()),
                         "0901_broken.sql: type \"nosuchtype\" does not exist", rua::Error);
    CHECK(db.scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations "
                    "WHERE version >= 900") == "900");
    CHECK(db.scalar("SELECT to_regclass('broken') IS NULL") == "t");
    std::filesystem::remove_all(dir);
}

TEST_CASE("two files with one version are refused before touching the database") {
    const auto dir = std::filesystem::path(RUA_BINARY_DIR) / "sql_dup_versions";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "0001_a.sql") << "SELECT 1;\n";
    std::ofstream(dir / "0001_b.sql") << "SELECT 1;\n";
    CHECK_THROWS_AS(rua::migrate("postgresql:///nosuchdb?host=/nonexistent", dir.string()),
                    rua::ConfigError);
    std::filesystem::remove_all(dir);
}

TEST_CASE("two concurrent migrations apply each file exactly once") {
    ScratchDb db(false);
    std::vector<std::string> first;
    std::vector<std::string> second;
    std::thread other([&] { second = rua::migrate(db.url(), rua::test::sql_dir()); });
    first = rua::migrate(db.url(), rua::test::sql_dir());
    other.join();
    const auto expected = sql_files();
    CHECK(first.size() + second.size() == expected.size());
    CHECK((first == expected || second == expected));
    CHECK(db.count("schema_migrations") == static_cast<long long>(expected.size()));
}

TEST_CASE("default_sql_dir prefers RUA_SQL_DIR, then falls back to the source tree") {
    // Single-threaded here: setenv is safe.
    ::setenv("RUA_SQL_DIR", "/etc/rua-test-sql", 1); // NOLINT(concurrency-mt-unsafe)
    CHECK(rua::default_sql_dir() == "/etc/rua-test-sql");
    ::unsetenv("RUA_SQL_DIR"); // NOLINT(concurrency-mt-unsafe)
    if (!std::filesystem::is_directory("/usr/local/share/rua-milter/sql") &&
        !std::filesystem::is_directory("/usr/share/rua-milter/sql")) {
        CHECK(rua::default_sql_dir() == std::string(RUA_SOURCE_DIR) + "/sql");
    }
}
