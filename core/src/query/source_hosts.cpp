// `ruactl source list` (and, later, the dashboard): the sources of a domain
// with what enrichment found (sql/0016): PTR, confirmation, provider and
// whether the domain's owner approved them, beside their messages. Counts
// come from v_day_source; only the DKIM and SPF domains that name a
// provider are read from the records. Read-only; never resolves anything.
#include "query/read.hpp"

#include <fmt/format.h>

namespace rua::query {

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

Table Queries::source_hosts(const Principal& who, std::string_view domain, int days,
                            std::int64_t limit) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        detail::require_domain(tx, who, domain);
        return detail::to_table("source_hosts", tx.exec_params(k_source_hosts, detail::scope(who),
                                                               std::string(domain), days, limit));
    });
}

} // namespace rua::query
