// The replacement of an unauthenticated stored report by an authenticated
// copy with the same key (sql/0017's rua_displace_report does the kind's
// part). Runs inside the caller's transaction; throws pqxx errors, which the
// caller translates. Never names a report kind.
#include "displace.hpp"

#include <rua/authres.hpp>

namespace rua::detail {
namespace {

constexpr const char* k_stored_authentic =
    "SELECT rua_report_authenticity($1, $2) IN ('dmarc-pass', 'dkim-aligned')";
constexpr const char* k_displace =
    "SELECT fingerprint, raw_report_id, via, rua, file, queue_id, authenticity, authserv_id "
    "FROM rua_displace_report($1, $2)";
// The new copy's own conflict row, if it was recorded earlier, is no longer
// a conflict; the others now stand against the new copy.
constexpr const char* k_forget_own_conflict =
    "DELETE FROM report_conflict WHERE kind = $1 AND stored_report_id = $2 AND fingerprint = $3";
constexpr const char* k_repoint_conflicts =
    "UPDATE report_conflict SET stored_report_id = $3 WHERE kind = $1 AND stored_report_id = $2";
constexpr const char* k_insert_displaced =
    "INSERT INTO report_conflict (kind, report_key, stored_report_id, fingerprint, "
    "raw_report_id, via, rua, file, queue_id, authenticity, authserv_id, resolution, "
    "resolved_at) VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'replaced', "
    "now()) ON CONFLICT (kind, stored_report_id, fingerprint) DO NOTHING";

} // namespace

void prepare_displace(pqxx::connection& conn) {
    conn.prepare("rua_stored_authentic", k_stored_authentic);
    conn.prepare("rua_displace", k_displace);
    conn.prepare("rua_forget_own_conflict", k_forget_own_conflict);
    conn.prepare("rua_repoint_conflicts", k_repoint_conflicts);
    conn.prepare("rua_insert_displaced", k_insert_displaced);
}

bool displaces(pqxx::dbtransaction& tx, const Report& report, std::int64_t stored_id) {
    return is_authentic(report.authenticity) &&
           !tx.exec_prepared1("rua_stored_authentic", std::string(report.kind()), stored_id)[0]
                .as<bool>();
}

DisplacedCopy displace(pqxx::dbtransaction& tx, std::string_view kind, std::int64_t stored_id) {
    return DisplacedCopy{stored_id,
                         tx.exec_prepared1("rua_displace", std::string(kind), stored_id)};
}

std::string displaced_digest(const DisplacedCopy& old) {
    return pqxx::binarystring(old.row[0]).str();
}

void settle_displaced(pqxx::dbtransaction& tx, std::string_view kind,
                      const std::string& conflict_key, const DisplacedCopy& old,
                      std::int64_t placed_id, const std::string& digest) {
    const std::string kind_text(kind);
    const pqxx::binarystring own(digest.data(), digest.size());
    tx.exec_prepared("rua_forget_own_conflict", kind_text, old.id, own);
    tx.exec_prepared("rua_repoint_conflicts", kind_text, old.id, placed_id);
    const pqxx::binarystring old_fingerprint(old.row[0]);
    const auto text = [&](int i) { return old.row[i].is_null() ? nullptr : old.row[i].c_str(); };
    tx.exec_prepared("rua_insert_displaced", kind_text, conflict_key, placed_id, old_fingerprint,
                     text(1), text(2), text(3), text(4), text(5), text(6), text(7));
}

} // namespace rua::detail
