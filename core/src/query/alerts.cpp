// The dashboard's read of the alerts raised (alert_event, sql/0018): the
// principal's account only (every account for the operator), newest first.
// Read-only; the payload holds sender-chosen text the web escapes.
#include "query/read.hpp"

namespace rua::query {

Table Queries::alerts(const Principal& who, int days, const Page& page) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        return detail::to_table(
            "alerts",
            tx.exec_params("SELECT e.id, e.created_at, e.kind, e.domain, e.key, e.rule_id,"
                           " a.name AS account, e.delivered_at, e.attempts, e.last_error,"
                           " e.payload::json AS details, count(*) OVER () AS total"
                           " FROM alert_event e JOIN account a ON a.id = e.account_id"
                           " WHERE ($1::bigint IS NULL OR e.account_id = $1)"
                           "   AND e.created_at::date > current_date - $2::int"
                           " ORDER BY e.id DESC LIMIT $3 OFFSET $4",
                           detail::scope(who), days, page.limit, page.offset));
    });
}

} // namespace rua::query
