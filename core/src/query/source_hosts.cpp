// `ruactl source list` (and, later, the dashboard): the sources of a domain
// with what enrichment found (sql/0016): PTR, confirmation, provider and
// whether the domain's owner approved them, beside their messages. The SQL
// is the DMARC kind's (its store_query_hosts.cpp). Read-only;
// never resolves anything.
#include "query/kind_queries.hpp"

namespace rua::query {

Table Queries::source_hosts(const Principal& who, std::string_view domain, int days,
                            std::int64_t limit) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        detail::require_domain(tx, who, domain);
        return detail::dmarc_source_hosts(tx, detail::scope(who), std::string(domain), days, limit);
    });
}

} // namespace rua::query
