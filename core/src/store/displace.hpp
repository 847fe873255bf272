// An authenticated copy of a report replaces a stored copy that is not
// (sql/0017): the stored copy leaves its kind's table and is kept in
// report_conflict, resolved 'replaced'. Used by the whole-report path and by
// the streamed one (store.cpp), which must decide before its records are
// written. Never names a report kind.
#pragma once

#include <rua/model.hpp>

#include <pqxx/pqxx>

#include <cstdint>
#include <string>

namespace rua::detail {

// What the displaced copy was, kept for its report_conflict row.
struct DisplacedCopy {
    std::int64_t id = 0; // its id in its kind's table, gone now
    pqxx::row row;       // fingerprint, raw_report_id, via, rua, file, queue_id,
                         // authenticity, authserv_id
};

// Prepares the statements below on a connection.
void prepare_displace(pqxx::connection& conn);

// Should `report` (same key as the stored report `stored_id`) take its place?
// Only when it is authenticated and the stored copy is not.
bool displaces(pqxx::dbtransaction& tx, const Report& report, std::int64_t stored_id);

// Removes the stored copy `stored_id` from its kind's table (and its share
// of the rollups); returns what it was.
DisplacedCopy displace(pqxx::dbtransaction& tx, std::string_view kind, std::int64_t stored_id);

// The SHA-256 of the displaced copy's fingerprint (report_conflict's form).
std::string displaced_digest(const DisplacedCopy& old);

// After the new copy was stored as `placed_id`: the conflicts recorded
// against the old copy stand against the new one, except the new copy's
// own (`digest`: SHA-256 of its fingerprint), and the old copy is kept as a
// conflict resolved 'replaced'.
void settle_displaced(pqxx::dbtransaction& tx, std::string_view kind,
                      const std::string& conflict_key, const DisplacedCopy& old,
                      std::int64_t placed_id, const std::string& digest);

} // namespace rua::detail
