// The dashboard's reads of SMTP TLS reports for one policy domain: sessions
// ok and failed per UTC day (a report counts on the day its period starts),
// and the failures by result type and receiving MX, of the reports that
// reached the account's own rua addresses (or none known: sql/0019). Read-only.
#include "query/kind_queries.hpp"

namespace rua::query::detail {

std::vector<Table> tls_tables(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                              const std::string& domain, int days) {
    std::vector<Table> out;
    out.push_back(to_table(
        "daily",
        tx.exec_params("WITH p AS (SELECT r.date_begin::date AS day, p.successful, p.failed"
                       "   FROM tlsrpt_policy p JOIN tlsrpt_report r ON r.id = p.report_id"
                       "  WHERE lower(p.policy_domain) = $1"
                       "    AND r.date_begin::date > current_date - $2::int"
                       "    AND ($3::bigint IS NULL OR r.account_id IS NULL OR r.account_id = $3))"
                       " SELECT g.day, coalesce(sum(p.successful), 0)::bigint AS successful,"
                       "  coalesce(sum(p.failed), 0)::bigint AS failed"
                       " FROM (SELECT (current_date - n) AS day"
                       "        FROM generate_series(0, $2::int - 1) n) g"
                       " LEFT JOIN p ON p.day = g.day GROUP BY g.day ORDER BY g.day",
                       domain, days, account)));
    out.push_back(to_table(
        "failures", tx.exec_params("SELECT f.result_type, f.receiving_mx_hostname AS receiving_mx,"
                                   " sum(f.failed_session_count)::bigint AS sessions,"
                                   " count(DISTINCT f.report_id) AS reports"
                                   " FROM tlsrpt_failure f"
                                   " JOIN tlsrpt_policy p ON p.report_id = f.report_id"
                                   "  AND p.ordinal = f.policy_ordinal"
                                   " JOIN tlsrpt_report r ON r.id = f.report_id"
                                   " WHERE lower(p.policy_domain) = $1"
                                   "   AND r.date_begin::date > current_date - $2::int"
                                   "   AND ($3::bigint IS NULL OR r.account_id IS NULL"
                                   "        OR r.account_id = $3)"
                                   " GROUP BY 1, 2 ORDER BY sessions DESC, 1, 2 LIMIT 1000",
                                   domain, days, account)));
    return out;
}

} // namespace rua::query::detail
