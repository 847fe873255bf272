// Queries on stored reports of every kind (lists, details, downloads) and
// the operator's views (quarantine, conflicts). The kinds' own tables are
// read by the kinds (kind_queries.hpp); this file applies the principal's
// scope and visibility around them. Never returns a redacted field.
#include "query/kind_queries.hpp"

#include <rua/query.hpp>

namespace rua::query {

Table Queries::reports(const Principal& who, std::string_view domain, int days, const Page& page) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        detail::require_domain(tx, who, domain);
        return detail::dmarc_reports(tx, detail::scope(who), std::string(domain), days, page);
    });
}

std::vector<Table> Queries::report_detail(const Principal& who, std::int64_t id,
                                          const Page& records) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        return detail::dmarc_report_detail(tx, detail::scope(who), id, records);
    });
}

RawFile Queries::report_raw(const Principal& who, std::int64_t id) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        return detail::dmarc_report_raw(tx, detail::scope(who), id);
    });
}

std::vector<Table> Queries::tls(const Principal& who, std::string_view domain, int days) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        detail::require_domain(tx, who, domain);
        return detail::tls_tables(tx, detail::scope(who), std::string(domain), days);
    });
}

Table Queries::failures(const Principal& who, std::string_view domain, int days, const Page& page) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        detail::require_domain(tx, who, domain);
        return detail::ruf_list(tx, detail::scope(who), std::string(domain), days, page);
    });
}

Table Queries::failure_detail(const Principal& who, std::int64_t id) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        auto found = detail::ruf_detail(tx, detail::scope(who), id);
        if (!found) {
            throw NotVisible("no such failure report");
        }
        detail::require_domain(tx, who, found->first);
        return std::move(found->second);
    });
}

Table Queries::quarantine(const Principal& who, const Page& page) {
    if (!who.admin()) {
        throw NotVisible("the quarantine is for the operator");
    }
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        return detail::to_table(
            "quarantine",
            tx.exec_params("SELECT id, received_at, via, rua, queue_id, reason, detail, size,"
                           " resolved_at, count(*) OVER () AS total"
                           " FROM quarantine ORDER BY id DESC LIMIT $1 OFFSET $2",
                           page.limit, page.offset));
    });
}

Table Queries::conflicts(const Principal& who, const Page& page) {
    if (!who.admin()) {
        throw NotVisible("conflicts are for the operator");
    }
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        return detail::to_table(
            "conflicts", tx.exec_params("SELECT id, kind, report_key, stored_report_id,"
                                        " encode(fingerprint, 'hex') AS fingerprint, raw_report_id,"
                                        " received_at, via, rua, authenticity, resolution,"
                                        " resolved_at,"
                                        " count(*) OVER () AS total"
                                        " FROM report_conflict ORDER BY id DESC LIMIT $1 OFFSET $2",
                                        page.limit, page.offset));
    });
}

} // namespace rua::query
