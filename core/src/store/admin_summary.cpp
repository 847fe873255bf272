// `ruactl summary`: DMARC results for one policy domain, in total, by
// reporter and by source address, with the dispositions receivers applied.
// Read-only; counts are messages (sums of record counts), never rows.
#include "store/admin_detail.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace rua {

namespace {

// The aggregates every row of a summary carries, in SummaryRow order.
constexpr const char* k_aggregates =
    "count(DISTINCT a.id)::bigint, "
    "coalesce(sum(r.count), 0)::bigint, "
    "coalesce(sum(r.count) FILTER (WHERE r.dmarc_pass), 0)::bigint, "
    "coalesce(sum(r.count) FILTER (WHERE NOT r.dmarc_pass), 0)::bigint, "
    "coalesce(sum(r.count) FILTER (WHERE r.disposition = 'none'), 0)::bigint, "
    "coalesce(sum(r.count) FILTER (WHERE r.disposition = 'quarantine'), 0)::bigint, "
    "coalesce(sum(r.count) FILTER (WHERE r.disposition = 'reject'), 0)::bigint";

// $1: the lower-cased domain; $2: the age limit in seconds, or NULL.
constexpr const char* k_filter =
    "WHERE lower(a.domain) = $1 "
    "AND ($2::bigint IS NULL OR a.date_end >= now() - $2::bigint * interval '1 second')";

SummaryRow to_row(const pqxx::row& row, bool keyed) {
    SummaryRow out;
    pqxx::row::size_type i = 0;
    if (keyed) {
        out.key = row[i++].as<std::string>();
    }
    out.reports = row[i++].as<std::uint64_t>();
    out.messages = row[i++].as<std::uint64_t>();
    out.pass = row[i++].as<std::uint64_t>();
    out.fail = row[i++].as<std::uint64_t>();
    out.none = row[i++].as<std::uint64_t>();
    out.quarantine = row[i++].as<std::uint64_t>();
    out.reject = row[i++].as<std::uint64_t>();
    return out;
}

} // namespace

DomainSummary Admin::summary(std::string_view raw_domain,
                             std::optional<std::int64_t> since_seconds_ago) {
    DomainSummary summary;
    summary.domain.assign(raw_domain.begin(), raw_domain.end());
    std::transform(summary.domain.begin(), summary.domain.end(), summary.domain.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!summary.domain.empty() && summary.domain.back() == '.') {
        summary.domain.pop_back();
    }
    const std::string age = since_seconds_ago ? std::to_string(*since_seconds_ago) : "";
    const char* age_param = since_seconds_ago ? age.c_str() : nullptr;

    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        if (since_seconds_ago) {
            summary.since = tx.exec_params1("SELECT extract(epoch FROM now() - $1::bigint * "
                                            "interval '1 second')::bigint",
                                            age_param)[0]
                                .as<std::int64_t>();
        }
        const std::string from =
            "FROM aggregate_report a LEFT JOIN aggregate_record r ON r.report_id = a.id ";
        summary.total =
            to_row(tx.exec_params1(fmt::format("SELECT {} {}{}", k_aggregates, from, k_filter),
                                   summary.domain, age_param),
                   false);
        for (const auto& row :
             tx.exec_params(fmt::format("SELECT coalesce(max(a.org_name), a.reporter), {} {}{} "
                                        "GROUP BY a.reporter ORDER BY 3 DESC, 1",
                                        k_aggregates, from, k_filter),
                            summary.domain, age_param)) {
            summary.by_reporter.push_back(to_row(row, true));
        }
        for (const auto& row :
             tx.exec_params(fmt::format("SELECT host(r.source_ip), {} FROM aggregate_report a "
                                        "JOIN aggregate_record r ON r.report_id = a.id {} "
                                        "GROUP BY r.source_ip ORDER BY 3 DESC, r.source_ip",
                                        k_aggregates, k_filter),
                            summary.domain, age_param)) {
            summary.by_source.push_back(to_row(row, true));
        }
        return summary;
    });
}

} // namespace rua
