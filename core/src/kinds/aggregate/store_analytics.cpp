// The aggregate kind's part of the analytics (core/src/query/analytics.cpp):
// breakdowns the rollup cannot answer because its rows carry no such key
// (the domains of each record's DKIM signatures and SPF checks, the
// provider they and the source name), and the failing messages of sources
// an account has not approved (sql/0016's functions). Each
// record's count is spread over days by rua_day_split, the rollup's one rule,
// so these sums agree with the rollup's for the same window. Read-only.
#include "query/kind_queries.hpp"

#include <fmt/format.h>

namespace rua::query::detail {

namespace {

// The reports that can put a message in the window: a report counts on days
// from its begin's to its end's (or on its begin's alone), so one that ends
// before the window or begins after today cannot. $1 account, $2 domains
// (text[]), $3 days.
constexpr const char* k_reports =
    "a AS (SELECT id, account_id, lower(domain) AS domain, date_begin, date_end"
    "  FROM aggregate_report"
    "  WHERE lower(domain) = ANY($2::text[]) AND ($1::bigint IS NULL OR account_id = $1)"
    "    AND date_begin < (current_date + 1)::timestamp AT TIME ZONE 'UTC'"
    "    AND greatest(date_begin, date_end)"
    "        >= (current_date - $3::int + 1)::timestamp AT TIME ZONE 'UTC')";

// Per account, domain, source, DMARC result and the names a provider is
// found by: the messages in the window (failing only when $4), each with
// its provider. Needs k_reports as `a`.
constexpr const char* k_providers =
    "g AS (SELECT a.account_id, a.domain, r.source_ip, r.dmarc_pass, k.dkim_domain,"
    "   k.spf_domain, sum(s.messages) AS messages"
    "   FROM a JOIN aggregate_record r ON r.report_id = a.id AND r.date_begin = a.date_begin"
    "   CROSS JOIN LATERAL (SELECT"
    "     (SELECT lower(rtrim(e->>'domain', '.')) FROM json_array_elements(r.auth_dkim) e"
    "       WHERE lower(e->>'result') = 'pass' LIMIT 1) AS dkim_domain,"
    "     (SELECT lower(rtrim(e->>'domain', '.')) FROM json_array_elements(r.auth_spf) e"
    "       WHERE lower(e->>'result') = 'pass' LIMIT 1) AS spf_domain) k"
    "   CROSS JOIN LATERAL rua_day_split(r.count, a.date_begin, a.date_end) s"
    "  WHERE (NOT $4::boolean OR NOT r.dmarc_pass)"
    "    AND s.day > current_date - $3::int AND s.day <= current_date"
    "  GROUP BY 1, 2, 3, 4, 5, 6),"
    " p AS (SELECT g.*, rua_source_provider(g.source_ip, g.dkim_domain, g.spf_domain)"
    "   AS provider FROM g)";

} // namespace

Table dmarc_record_breakdown(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                             const std::vector<std::string>& domains, int days, RecordKey key,
                             bool failing_only, std::optional<std::int64_t> limit) {
    const char* list = key == RecordKey::dkim_domain ? "r.auth_dkim" : "r.auth_spf";
    // $1 account, $2 domains, $3 days, $4 failing only, $5 limit.
    const auto sql = fmt::format(
        "WITH {1},"
        " g AS (SELECT k.key, s.messages, r.dmarc_pass"
        "   FROM a JOIN aggregate_record r ON r.report_id = a.id AND r.date_begin = a.date_begin"
        "   CROSS JOIN LATERAL (SELECT DISTINCT lower(rtrim(e->>'domain', '.')) AS key"
        "                         FROM json_array_elements({0}) e"
        "                       UNION ALL SELECT NULL WHERE json_array_length({0}) = 0) k"
        "   CROSS JOIN LATERAL rua_day_split(r.count, a.date_begin, a.date_end) s"
        "  WHERE (NOT $4::boolean OR NOT r.dmarc_pass)"
        "    AND s.day > current_date - $3::int AND s.day <= current_date)"
        " SELECT key, sum(messages)::bigint AS messages,"
        "   coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint AS pass,"
        "   coalesce(sum(messages) FILTER (WHERE NOT dmarc_pass), 0)::bigint AS fail,"
        "   count(*) OVER () AS total"
        "  FROM g GROUP BY key ORDER BY messages DESC, key NULLS LAST LIMIT $5",
        list, k_reports);
    return to_table("breakdown",
                    tx.exec_params(sql, account, text_array(domains), days, failing_only, limit));
}

Table dmarc_provider_breakdown(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                               const std::vector<std::string>& domains, int days, bool failing_only,
                               std::optional<std::int64_t> limit) {
    const auto sql =
        fmt::format("WITH {}, {}"
                    " SELECT provider AS key, sum(messages)::bigint AS messages,"
                    "   coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint AS pass,"
                    "   coalesce(sum(messages) FILTER (WHERE NOT dmarc_pass), 0)::bigint AS fail,"
                    "   count(*) OVER () AS total"
                    "  FROM p GROUP BY provider ORDER BY messages DESC, key NULLS LAST LIMIT $5",
                    k_reports, k_providers);
    return to_table("breakdown",
                    tx.exec_params(sql, account, text_array(domains), days, failing_only, limit));
}

std::pair<std::int64_t, std::int64_t> dmarc_unapproved(pqxx::transaction_base& tx,
                                                       std::optional<std::int64_t> account,
                                                       const std::string& domain, int days) {
    const auto row = tx.exec_params1(
        fmt::format("WITH {}, {}"
                    " SELECT count(DISTINCT source_ip), coalesce(sum(messages), 0)::bigint"
                    "  FROM p WHERE NOT rua_source_approved(account_id, domain, source_ip,"
                    "                                       provider)",
                    k_reports, k_providers),
        account, text_array({domain}), days, true);
    return {row[0].as<std::int64_t>(), row[1].as<std::int64_t>()};
}

} // namespace rua::query::detail
