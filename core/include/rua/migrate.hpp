// The schema migration runner: applies sql/NNNN_name.sql files in version
// order, each in its own transaction together with its schema_migrations
// row, under an advisory lock so concurrent runs do not race. It runs only
// the files it is given: the C++ never creates or alters a table by itself.
#pragma once

#include <rua/errors.hpp>

#include <optional>
#include <string>
#include <vector>

namespace rua {

// The database's schema does not match this build's migrations: a setup
// error, never retried. what() says what to do about it.
class SchemaError : public ConfigError {
public:
    enum class Kind {
        unmigrated, // migrations of this build not applied: run `ruactl db migrate`
        newer,      // a migration this build does not know was applied
    };
    SchemaError(Kind kind, const std::string& what) : ConfigError(what), m_kind(kind) {}
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

struct MigrationState {
    int version = 0;
    std::string name;                      // "reports" for 0003_reports.sql
    std::optional<std::string> applied_at; // "2026-01-31 12:00:00+00"; nullopt: pending
    bool pending() const { return !applied_at; }
};

// Applies every pending migration of `sql_dir` to the database `conninfo`
// names and returns the files applied ("0003_reports.sql"), in order; empty
// when the schema is current. Throws ConfigError (unreadable directory, two
// files with one version, a connection that cannot work: malformed string,
// authentication, no such database), SchemaError::newer (the database has a
// migration the directory lacks), TryLater (server unreachable now) or Error
// ("FILE: reason" when a migration fails; that file and later ones are then
// not applied).
std::vector<std::string> migrate(const std::string& conninfo, const std::string& sql_dir);

// Every migration known to the directory or recorded in the database, by
// version: applied ones with their time, the others pending. Same throws.
std::vector<MigrationState> migration_status(const std::string& conninfo,
                                             const std::string& sql_dir);

// Checks that the database `conninfo` names has exactly the migrations of
// `sql_dir` applied, before anything reads or writes it. Throws SchemaError
// (unmigrated: "... run 'ruactl db migrate'"; newer: a version this build
// does not know), ConfigError and TryLater as migrate() does.
void check_schema(const std::string& conninfo, const std::string& sql_dir);

// The migrations directory: $RUA_SQL_DIR, else the installed
// <datadir>/rua-milter/sql when it exists, else the source tree's sql/.
std::string default_sql_dir();

} // namespace rua
