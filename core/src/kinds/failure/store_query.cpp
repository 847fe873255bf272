// The dashboard's reads of DMARC failure reports, redacted whatever privacy
// they were stored under: never the subject, the headers, the body, a local
// part of an address or the Message-ID. Read-only.
#include "query/kind_queries.hpp"

namespace rua::query::detail {

namespace {

// The columns every view of a failure report may show.
constexpr const char* k_columns =
    "id, coalesce(arrival_date, received_at) AS arrived, host(source_ip) AS source_ip,"
    " feedback_type, delivery_result, array_to_string(auth_failure, ',') AS auth_failure,"
    " array_to_string(identity_alignment, ',') AS identity_alignment, dkim_domain,"
    " dkim_selector, spf_dns, nullif(split_part(original_from, '@', 2), '') AS from_domain,"
    " reporting_mta, privacy, authenticity, authserv_id";

} // namespace

Table ruf_list(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
               const std::string& domain, int days, const Page& page) {
    return to_table(
        "failures",
        tx.exec_params(std::string("SELECT ") + k_columns +
                           ", count(*) OVER () AS total FROM failure_report WHERE domain = $1"
                           " AND coalesce(arrival_date, received_at) > current_date - ($2::int - 1)"
                           " AND ($5::bigint IS NULL OR account_id IS NULL OR account_id = $5)"
                           " ORDER BY arrived DESC, id DESC LIMIT $3 OFFSET $4",
                       domain, days, page.limit, page.offset, account));
}

std::optional<std::pair<std::string, Table>>
ruf_detail(pqxx::transaction_base& tx, std::optional<std::int64_t> account, std::int64_t id) {
    const auto rows =
        tx.exec_params(std::string("SELECT domain, ") + k_columns +
                           ", user_agent, version, format, original_date, original_headers_only,"
                           " original_body_bytes, original_subject_length,"
                           " cardinality(original_to) AS original_to_count, received_at, via"
                           " FROM failure_report WHERE id = $1"
                           " AND ($2::bigint IS NULL OR account_id IS NULL OR account_id = $2)",
                       id, account);
    if (rows.empty() || rows[0][0].is_null()) {
        return std::nullopt;
    }
    auto table = to_table("failure", rows);
    table.columns.erase(table.columns.begin());
    table.rows[0].erase(table.rows[0].begin());
    return std::make_pair(rows[0][0].as<std::string>(), std::move(table));
}

} // namespace rua::query::detail
