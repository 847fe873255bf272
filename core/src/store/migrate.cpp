// Applies the numbered SQL files of sql/ in order, one transaction each,
// recording each in schema_migrations (created by 0001 itself, never here).
// Must never skip, reorder or re-run a recorded version, nor run outside the
// advisory lock that serialises concurrent migrators.
#include "pg_errors.hpp"

#include <rua/errors.hpp>
#include <rua/migrate.hpp>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

namespace rua {
namespace {

namespace fs = std::filesystem;

// Any constant works; this one spells "ruamig" in ASCII.
constexpr long long k_advisory_lock_key = 0x7275616d6967LL;

struct MigrationFile {
    int version = 0;
    std::string name;     // without the number and .sql
    std::string filename; // "0003_reports.sql"
    fs::path path;
};

// "0003_reports.sql" -> version 3, name "reports"; anything else is ignored.
std::optional<MigrationFile> parse_filename(const fs::path& path) {
    const std::string filename = path.filename().string();
    const auto underscore = filename.find('_');
    if (underscore == std::string::npos || underscore == 0 || underscore > 6 ||
        filename.size() <= underscore + 1 + 4 ||
        filename.compare(filename.size() - 4, 4, ".sql") != 0) {
        return std::nullopt;
    }
    int version = 0;
    for (std::size_t i = 0; i < underscore; ++i) {
        if (filename[i] < '0' || filename[i] > '9') {
            return std::nullopt;
        }
        version = version * 10 + (filename[i] - '0');
    }
    MigrationFile file;
    file.version = version;
    file.name = filename.substr(underscore + 1, filename.size() - underscore - 1 - 4);
    file.filename = filename;
    file.path = path;
    return file;
}

std::map<int, MigrationFile> read_dir(const std::string& sql_dir) {
    std::error_code ec;
    fs::directory_iterator it(sql_dir, ec);
    if (ec) {
        throw ConfigError("cannot read migrations directory " + sql_dir + ": " + ec.message());
    }
    std::map<int, MigrationFile> files;
    for (const auto& entry : it) {
        auto file = parse_filename(entry.path());
        if (!file || !entry.is_regular_file()) {
            continue;
        }
        const int version = file->version;
        auto [pos, inserted] = files.emplace(version, std::move(*file));
        if (!inserted) {
            throw ConfigError("two migrations with version " + std::to_string(version) + " in " +
                              sql_dir + ": " + pos->second.filename + " and " +
                              entry.path().filename().string());
        }
    }
    return files;
}

std::string read_text(const MigrationFile& file) {
    std::ifstream in(file.path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
        throw ConfigError("cannot read " + file.path.string());
    }
    return text.str();
}

struct Applied {
    std::string name;
    std::string applied_at;
};

std::map<int, Applied> read_applied(pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    std::map<int, Applied> applied;
    if (tx.exec("SELECT to_regclass('schema_migrations') IS NULL")[0][0].as<bool>()) {
        return applied; // an empty database: 0001 creates the ledger
    }
    const auto rows = tx.exec("SELECT version, name, "
                              "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS+00') "
                              "FROM schema_migrations ORDER BY version");
    for (const auto& row : rows) {
        applied.emplace(row[0].as<int>(),
                        Applied{row[1].as<std::string>(), row[2].as<std::string>()});
    }
    return applied;
}

std::unique_ptr<pqxx::connection> connect(const std::string& conninfo) {
    return open_connection(conninfo);
}

std::string version_name(int version, const std::string& name) {
    return fmt::format("{:04}_{}", version, name);
}

// A database migrated by a newer build: this one would misread it.
void refuse_newer(const std::map<int, MigrationFile>& files,
                  const std::map<int, Applied>& applied) {
    const int known = files.empty() ? 0 : files.rbegin()->first;
    for (const auto& [version, row] : applied) {
        if (files.count(version) == 0) {
            throw SchemaError(
                SchemaError::Kind::newer,
                fmt::format("the database schema is newer than this rua-milter: migration {} is "
                            "applied, this version knows migrations up to {:04}; upgrade "
                            "rua-milter (and ruactl)",
                            version_name(version, row.name), known));
        }
    }
}

// The migration files and what the database says was applied (one
// connection, closed on return). Throws what connect() and
// rethrow_as_rua_error() throw.
std::pair<std::map<int, MigrationFile>, std::map<int, Applied>>
read_state(const std::string& conninfo, const std::string& sql_dir) {
    auto files = read_dir(sql_dir);
    auto conn = connect(conninfo);
    try {
        return {std::move(files), read_applied(*conn)};
    } catch (...) {
        rethrow_as_rua_error();
    }
}

} // namespace

std::vector<std::string> migrate(const std::string& conninfo, const std::string& sql_dir) {
    const auto files = read_dir(sql_dir);
    auto conn = connect(conninfo);
    std::vector<std::string> done;
    try {
        // Session lock: a second migrator waits here, then finds nothing to do.
        pqxx::nontransaction(*conn).exec("SELECT pg_advisory_lock(" +
                                         std::to_string(k_advisory_lock_key) + ")");
        const auto applied = read_applied(*conn);
        refuse_newer(files, applied);
        for (const auto& [version, file] : files) {
            if (applied.count(version) != 0) {
                continue;
            }
            const auto sql = read_text(file);
            try {
                pqxx::work tx(*conn);
                tx.exec(sql);
                tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                               version, file.name);
                tx.commit();
            } catch (const pqxx::sql_error& e) {
                throw Error(file.filename + ": " + pg_reason(e.what()));
            }
            done.push_back(file.filename);
        }
        pqxx::nontransaction(*conn).exec("SELECT pg_advisory_unlock(" +
                                         std::to_string(k_advisory_lock_key) + ")");
    } catch (const Error&) {
        throw; // the session ends with the connection, and the lock with it
    } catch (...) {
        rethrow_as_rua_error();
    }
    return done;
}

std::vector<MigrationState> migration_status(const std::string& conninfo,
                                             const std::string& sql_dir) {
    const auto [files, applied] = read_state(conninfo, sql_dir);
    std::map<int, MigrationState> states;
    for (const auto& [version, file] : files) {
        states[version] = MigrationState{version, file.name, std::nullopt};
    }
    for (const auto& [version, row] : applied) {
        states[version] = MigrationState{version, row.name, row.applied_at};
    }
    std::vector<MigrationState> out;
    out.reserve(states.size());
    for (auto& [version, state] : states) {
        out.push_back(std::move(state));
    }
    return out;
}

void check_schema(const std::string& conninfo, const std::string& sql_dir) {
    const auto [files, applied] = read_state(conninfo, sql_dir);
    refuse_newer(files, applied);
    if (applied.empty()) {
        throw SchemaError(SchemaError::Kind::unmigrated,
                          "the database has no rua-milter schema: run 'ruactl db migrate'");
    }
    std::size_t pending = 0;
    std::string first;
    for (const auto& [version, file] : files) {
        if (applied.count(version) == 0) {
            first = first.empty() ? file.filename : first;
            ++pending;
        }
    }
    if (pending > 0) {
        throw SchemaError(SchemaError::Kind::unmigrated,
                          fmt::format("the database schema is not up to date ({} migration{} "
                                      "pending, from {}): run 'ruactl db migrate'",
                                      pending, pending == 1 ? "" : "s", first));
    }
}

std::string default_sql_dir() {
    // Nothing in rua-milter calls setenv, so reading the environment is safe.
    if (const char* env = std::getenv("RUA_SQL_DIR"); // NOLINT(concurrency-mt-unsafe)
        env != nullptr && *env != '\0') {
        return env;
    }
    std::error_code ec;
    if (fs::is_directory(RUA_INSTALLED_SQL_DIR, ec)) {
        return RUA_INSTALLED_SQL_DIR;
    }
    return RUA_SOURCE_SQL_DIR;
}

} // namespace rua
