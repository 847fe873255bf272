// `ruactl retention apply` behind rua::Retention: calls the partition and
// retention functions of sql/0012 and hands back the lines they return. No
// DDL of its own (the tables' shape lives in sql/); never deletes a report's
// exactly-once key or a daily rollup, which those functions keep.
#include "store/admin_detail.hpp"

#include <rua/retention.hpp>

#include <fmt/format.h>

namespace rua {

struct Retention::Impl {
    Admin::Impl admin;
};

namespace {

// The partitioned tables (sql/0012, each with a DEFAULT partition), read
// from the catalog so that this file names no report kind's table.
constexpr const char* k_partitioned =
    "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
    "WHERE c.relnamespace = current_schema()::regnamespace ORDER BY c.relname";

// How long a statement waits for a table lock before retention gives up:
// while it waits, the milter's writes queue behind it.
constexpr const char* k_lock_timeout = "SET LOCAL lock_timeout = '5s'";

// Reports queued for enrichment before the records' cutoff (the first of
// the month $1 ago, in UTC, as rua_retention_apply's), and that cutoff.
constexpr const char* k_count_pending =
    "WITH k AS (SELECT date_trunc('month', now() AT TIME ZONE 'UTC') - $1::interval AS c) "
    "SELECT (SELECT count(*) FROM source_pending, k WHERE queued_at < k.c AT TIME ZONE 'UTC'), "
    "(SELECT c::date::text FROM k)";
constexpr const char* k_delete_pending =
    "WITH k AS (SELECT date_trunc('month', now() AT TIME ZONE 'UTC') - $1::interval AS c), "
    "gone AS (DELETE FROM source_pending USING k WHERE queued_at < k.c AT TIME ZONE 'UTC' "
    "RETURNING 1) SELECT (SELECT count(*) FROM gone), (SELECT c::date::text FROM k)";

std::string interval(const RetentionPeriod& period) {
    return fmt::format("{} months {} seconds", period.months, period.seconds);
}

// A lock not granted in time is worth another try later, not an error.
template <typename Body> auto locking(Body&& body) {
    try {
        return body();
    } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() == "55P03") {
            throw TryLater("retention: a table stayed locked; try again later");
        }
        throw;
    }
}

} // namespace

Retention::Retention(ConnectionPool& pool) : m_impl(std::make_unique<Impl>()) {
    m_impl->admin.conninfo = pool.conninfo();
}

Retention::~Retention() = default;

std::vector<std::string> Retention::create_partitions(int months_ahead, bool dry_run) {
    std::vector<std::string> lines;
    std::vector<std::string> parents;
    detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
        for (const auto& row : tx.exec(k_partitioned)) {
            parents.push_back(row[0].as<std::string>());
        }
    });
    for (const auto& parent : parents) {
        for (int ahead = 0; ahead <= months_ahead; ++ahead) {
            detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
                locking([&]() {
                    tx.exec(k_lock_timeout);
                    const auto row = tx.exec_params1(
                        "SELECT rua_partition_create($1, (date_trunc('month', now() AT TIME ZONE "
                        "'UTC') + make_interval(months => $2))::date, $3)",
                        parent, ahead, dry_run);
                    if (!row[0].is_null()) {
                        lines.push_back(row[0].as<std::string>());
                    }
                    return 0;
                });
            });
        }
    }
    return lines;
}

std::vector<std::string> Retention::apply(const RetentionSettings& settings) {
    return detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
        return locking([&]() {
            tx.exec(k_lock_timeout);
            std::vector<std::string> lines;
            // Reports still waiting for the enrichment worker (sql/0020)
            // once their records are due: a site that runs no worker keeps
            // one row per report otherwise.
            const auto pending = tx.exec_params1(
                settings.dry_run ? k_count_pending : k_delete_pending, interval(settings.records));
            if (const auto n = pending[0].as<std::int64_t>(); n > 0) {
                lines.push_back(fmt::format(
                    "{} {} reports waiting for enrichment (queued before {})",
                    settings.dry_run ? "would delete" : "deleted", n, pending[1].c_str()));
            }
            const auto rows = tx.exec_params(
                "SELECT * FROM rua_retention_apply($1::interval, $2::interval, $3::interval, $4)",
                interval(settings.records), interval(settings.raw), interval(settings.quarantine),
                settings.dry_run);
            for (const auto& row : rows) {
                lines.push_back(row[0].as<std::string>());
            }
            return lines;
        });
    });
}

} // namespace rua
