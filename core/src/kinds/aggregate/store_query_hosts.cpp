// The sources of a domain with what enrichment found (sql/0016), for
// `ruactl source list` through Queries::source_hosts: counts from
// v_day_source; the records only for the DKIM and SPF domains that name a
// provider. Read-only; scoped by account in SQL.
#include "query/kind_queries.hpp"

namespace rua::query::detail {

namespace {

// The provider of a source: its confirmed PTR's, else its passing DKIM
// domain's, else its passing SPF domain's (rua_source_provider). Of several
// domains seen for one address, the smallest names it (stable, if arbitrary).
constexpr const char* k_source_hosts =
    "WITH v AS (SELECT source_ip, account_id, sum(messages)::bigint AS messages,"
    "   coalesce(sum(messages) FILTER (WHERE NOT dmarc_pass), 0)::bigint AS failing"
    "  FROM v_day_source WHERE ($1::bigint IS NULL OR account_id = $1) AND domain = $2"
    "   AND day > current_date - $3::int AND day <= current_date GROUP BY 1, 2),"
    " a AS (SELECT r.source_ip,"
    "   min((SELECT min(d->>'domain') FROM json_array_elements(r.auth_dkim) d"
    "        WHERE d->>'result' = 'pass')) AS dkim_domain,"
    "   min((SELECT min(s->>'domain') FROM json_array_elements(r.auth_spf) s"
    "        WHERE s->>'result' = 'pass')) AS spf_domain"
    "  FROM aggregate_report p JOIN aggregate_record r"
    "   ON r.report_id = p.id AND r.date_begin = p.date_begin"
    "  WHERE ($1::bigint IS NULL OR p.account_id = $1) AND lower(p.domain) = $2"
    "   AND p.date_end > current_date - $3::int GROUP BY 1)"
    " SELECT host(v.source_ip) AS source_ip, h.ptr, h.ptr_confirmed AS confirmed,"
    "  coalesce(h.status, 'queued') AS status, x.provider,"
    "  rua_source_approved(v.account_id, $2, v.source_ip, x.provider) AS approved,"
    "  v.messages, v.failing, h.asn, h.as_name, h.country"
    " FROM v LEFT JOIN a ON a.source_ip = v.source_ip"
    " LEFT JOIN source_host h ON h.ip = v.source_ip"
    " CROSS JOIN LATERAL (SELECT rua_source_provider(v.source_ip, a.dkim_domain,"
    "   a.spf_domain) AS provider) x"
    " ORDER BY v.messages DESC, v.source_ip, v.account_id LIMIT $4";

} // namespace

Table dmarc_source_hosts(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                         const std::string& domain, int days, std::int64_t limit) {
    return to_table("source_hosts", tx.exec_params(k_source_hosts, account, domain, days, limit));
}

} // namespace rua::query::detail
