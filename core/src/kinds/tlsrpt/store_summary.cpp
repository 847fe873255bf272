// `ruactl summary` for SMTP TLS reports: sessions that succeeded and failed
// per policy domain and policy type, and failed sessions per result type
// and receiving MX. Read-only; counts are sessions (sums of the reported
// counts, numeric: a sum of bigints may pass 2^63), never rows.
#include "kinds/tlsrpt/store_summary.hpp"

namespace rua::detail::tlsrpt {

namespace {

// $1: the lower-cased domain; $2: the age limit in seconds, or NULL.
constexpr const char* k_filter =
    "WHERE lower(p.policy_domain) = $1 "
    "AND ($2::bigint IS NULL OR r.date_end >= now() - $2::bigint * interval '1 second')";

std::string sessions_sql() {
    return std::string(
               "SELECT lower(p.policy_domain), p.policy_type, count(DISTINCT r.id)::bigint, "
               "sum(p.successful)::numeric, sum(p.failed)::numeric "
               "FROM tlsrpt_report r JOIN tlsrpt_policy p ON p.report_id = r.id ") +
           k_filter + " GROUP BY 1, 2 ORDER BY 1, 2";
}

std::string failures_sql() {
    return std::string("SELECT f.result_type, f.receiving_mx_hostname, "
                       "sum(f.failed_session_count)::numeric "
                       "FROM tlsrpt_report r JOIN tlsrpt_policy p ON p.report_id = r.id "
                       "JOIN tlsrpt_failure f ON f.report_id = p.report_id "
                       "AND f.policy_ordinal = p.ordinal ") +
           k_filter + " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 NULLS LAST";
}

SummaryTable table(std::string name, std::string title, std::vector<std::string> columns,
                   std::vector<bool> numeric, const pqxx::result& rows) {
    SummaryTable out;
    out.kind = "tlsrpt";
    out.name = std::move(name);
    out.title = std::move(title);
    out.columns = std::move(columns);
    out.numeric = std::move(numeric);
    for (const auto& row : rows) {
        std::vector<OptString> cells;
        for (const auto& field : row) {
            cells.push_back(field.is_null() ? OptString() : OptString(field.as<std::string>()));
        }
        out.rows.push_back(std::move(cells));
    }
    return out;
}

} // namespace

std::vector<SummaryTable> summary(pqxx::work& tx, const std::string& domain,
                                  std::optional<std::int64_t> since_seconds_ago) {
    const std::string age = since_seconds_ago ? std::to_string(*since_seconds_ago) : "";
    const char* age_param = since_seconds_ago ? age.c_str() : nullptr;
    std::vector<SummaryTable> out;
    out.push_back(table(
        "sessions", "SESSIONS", {"policy_domain", "policy_type", "reports", "successful", "failed"},
        {false, false, true, true, true}, tx.exec_params(sessions_sql(), domain, age_param)));
    out.push_back(table("failures", "FAILURES",
                        {"result_type", "receiving_mx_hostname", "sessions"}, {false, false, true},
                        tx.exec_params(failures_sql(), domain, age_param)));
    return out;
}

} // namespace rua::detail::tlsrpt
