// check_setup: file-system and identity checks with stat/getpwnam_r, and
// the database through the core's migration_status (connect, read
// schema_migrations, compare with the migrations shipped). Must never
// write anything nor connect anywhere but DatabaseURI.
#include "check.hpp"

#include "privileges.hpp"

#include <rua/errors.hpp>
#include <rua/migrate.hpp>
#include <rua/redact.hpp>

#include <fmt/format.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

namespace rua::milter {

namespace {

constexpr int k_ex_unavailable = 69;
constexpr int k_ex_config = 78;

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? std::string("/") : path.substr(0, slash);
}

std::optional<std::string> socket_path(const std::string& socket) {
    for (const std::string_view prefix : {"unix:", "local:"}) {
        if (socket.compare(0, prefix.size(), prefix) == 0) {
            return socket.substr(prefix.size());
        }
    }
    return std::nullopt;
}

// "" when `dir` is an existing directory, else why not.
std::string directory_problem(const std::string& dir) {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) {
        return std::generic_category().message(errno);
    }
    return S_ISDIR(st.st_mode) ? std::string() : std::string("not a directory");
}

bool writable_by(const std::string& dir, const Identity& identity) {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) {
        return false;
    }
    if (st.st_uid == identity.uid) {
        return (st.st_mode & S_IWUSR) != 0;
    }
    if (st.st_gid == identity.gid) {
        return (st.st_mode & S_IWGRP) != 0;
    }
    return (st.st_mode & S_IWOTH) != 0;
}

} // namespace

int check_setup(const Config& config, bool as_root, bool check_database, std::ostream& out,
                std::ostream& err) {
    std::vector<std::string> problems;
    std::vector<std::string> warnings;
    std::optional<Identity> identity;
    if (as_root && !config.user) {
        problems.emplace_back("refusing to run as root without UserID");
    } else if (as_root) {
        try {
            identity = lookup_identity(*config.user, config.group);
        } catch (const ConfigError& e) {
            problems.emplace_back(e.what());
        }
    }
    // A missing directory is only a warning: systemd's RuntimeDirectory=
    // creates /run/rua-milter just before the unit's own `-n` runs.
    if (auto path = socket_path(config.socket)) {
        const auto dir = parent_of(*path);
        if (auto why = directory_problem(dir); !why.empty()) {
            warnings.push_back(fmt::format(
                "Socket: directory {}: {} (it must exist when the daemon starts)", dir, why));
        }
    }
    if (config.pid_file) {
        const auto dir = parent_of(*config.pid_file);
        if (auto why = directory_problem(dir); !why.empty()) {
            warnings.push_back(fmt::format(
                "PidFile: directory {}: {} (it must exist when the daemon starts)", dir, why));
        } else if (identity && !writable_by(dir, *identity)) {
            warnings.push_back(
                fmt::format("PidFile: directory {} is not writable by {}: the pid file cannot be "
                            "removed at stop (systemd removes its PIDFile= itself)",
                            dir, identity->user));
        }
    }
    if (config.metrics_socket) {
        if (auto why = metrics_exposure_warning(*config.metrics_socket); !why.empty()) {
            warnings.push_back(std::move(why));
        }
    }
    for (const auto& warning : warnings) {
        err << config.file << ": warning: " << warning << '\n';
    }
    if (!problems.empty()) {
        for (const auto& problem : problems) {
            err << config.file << ": " << problem << '\n';
        }
        return k_ex_config;
    }
    if (!check_database) {
        out << config.file << ": configuration OK (database not checked)\n";
        return 0;
    }
    const std::string where = redact_credentials(config.database_uri);
    std::vector<MigrationState> states;
    try {
        states = migration_status(config.database_uri, default_sql_dir());
        try {
            check_schema(config.database_uri, default_sql_dir());
        } catch (const SchemaError& e) {
            if (e.kind() == SchemaError::Kind::newer) {
                err << config.file << ": DatabaseURI " << where << ": "
                    << redact_credentials(e.what()) << '\n';
                return k_ex_config;
            }
            // Pending migrations: counted and reported below.
        }
    } catch (const TryLater& e) {
        err << config.file << ": DatabaseURI " << where
            << ": cannot connect: " << redact_credentials(e.what()) << '\n';
        return k_ex_unavailable;
    } catch (const std::exception& e) {
        err << config.file << ": DatabaseURI " << where << ": " << redact_credentials(e.what())
            << '\n';
        return k_ex_config;
    }
    int applied = 0;
    int pending = 0;
    for (const auto& state : states) {
        if (state.pending()) {
            ++pending;
        } else {
            applied = std::max(applied, state.version);
        }
    }
    if (pending > 0) {
        err << config.file << ": DatabaseURI " << where << ": schema version " << applied << ", "
            << pending << " migration" << (pending == 1 ? "" : "s")
            << " pending: run 'ruactl db migrate'\n";
        return k_ex_config;
    }
    out << config.file << ": configuration OK (database " << where << " reachable, schema version "
        << applied << ")\n";
    return 0;
}

} // namespace rua::milter
