// The aggregate kind's `ruactl summary` sections: DMARC results for one
// policy domain, in total, by reporter and by source address, with the
// dispositions receivers applied. Read-only; counts are messages (sums of
// record counts), never rows.
#include "kinds/writer.hpp"

#include <fmt/format.h>

#include <string>

namespace rua::detail {

namespace {

// The aggregates every row of a summary carries, in SummaryRow order.
// Sums as numeric: each count is a bigint, their sum may pass 2^63.
constexpr const char* k_aggregates =
    "count(DISTINCT a.id)::bigint, "
    "coalesce(sum(r.count), 0)::numeric, "
    "coalesce(sum(r.count) FILTER (WHERE r.dmarc_pass), 0)::numeric, "
    "coalesce(sum(r.count) FILTER (WHERE NOT r.dmarc_pass), 0)::numeric, "
    "coalesce(sum(r.count) FILTER (WHERE r.disposition = 'none'), 0)::numeric, "
    "coalesce(sum(r.count) FILTER (WHERE r.disposition = 'quarantine'), 0)::numeric, "
    "coalesce(sum(r.count) FILTER (WHERE r.disposition = 'reject'), 0)::numeric";

// $1: the lower-cased domain; $2: the age limit in seconds, or NULL.
constexpr const char* k_filter =
    "WHERE lower(a.domain) = $1 "
    "AND ($2::bigint IS NULL OR a.date_end >= now() - $2::bigint * interval '1 second')";

const std::vector<std::string> k_numbers = {"reports",      "messages", "pass",       "fail",
                                            "pass_percent", "none",     "quarantine", "reject"};

// `part` and `whole` are decimal integers (numeric sums, maybe past 2^64);
// the percentage needs no more precision than a long double's.
OptString percent(const std::string& part, const std::string& whole) {
    const long double w = std::stold(whole);
    if (w == 0) {
        return std::nullopt;
    }
    return fmt::format("{:.1f}", static_cast<double>(100.0L * std::stold(part) / w));
}

SummaryTable table(const char* name, const char* title, const char* key) {
    SummaryTable t;
    t.kind = "aggregate";
    t.name = name;
    t.title = title;
    t.columns.emplace_back(key);
    t.numeric.push_back(false);
    for (const auto& column : k_numbers) {
        t.columns.push_back(column);
        t.numeric.push_back(true);
    }
    return t;
}

// One result row (an optional key, then k_aggregates in order) as cells.
std::vector<OptString> cells(const pqxx::row& row, bool keyed) {
    std::vector<OptString> out;
    pqxx::row::size_type i = 0;
    out.emplace_back(keyed ? OptString(row[i++].as<std::string>()) : OptString("total"));
    std::string n[7]; // decimal text, exact
    for (auto& value : n) {
        value = row[i++].as<std::string>();
    }
    out.emplace_back(n[0]);
    out.emplace_back(n[1]);
    out.emplace_back(n[2]);
    out.emplace_back(n[3]);
    out.push_back(percent(n[2], n[1]));
    out.emplace_back(n[4]);
    out.emplace_back(n[5]);
    out.emplace_back(n[6]);
    return out;
}

} // namespace

std::vector<SummaryTable> aggregate_summary(pqxx::work& tx, const std::string& domain,
                                            std::optional<std::int64_t> since) {
    const std::string age = since ? std::to_string(*since) : "";
    const char* age_param = since ? age.c_str() : nullptr;
    const std::string from =
        "FROM aggregate_report a LEFT JOIN aggregate_record r ON r.report_id = a.id ";
    auto total = table("total", "TOTAL", "key");
    total.rows.push_back(
        cells(tx.exec_params1(fmt::format("SELECT {} {}{}", k_aggregates, from, k_filter), domain,
                              age_param),
              false));
    auto by_reporter = table("by_reporter", "BY REPORTER", "reporter");
    for (const auto& row :
         tx.exec_params(fmt::format("SELECT coalesce(max(a.org_name), a.reporter), {} {}{} "
                                    "GROUP BY a.reporter ORDER BY 3 DESC, 1",
                                    k_aggregates, from, k_filter),
                        domain, age_param)) {
        by_reporter.rows.push_back(cells(row, true));
    }
    auto by_source = table("by_source", "BY SOURCE", "source_ip");
    for (const auto& row :
         tx.exec_params(fmt::format("SELECT host(r.source_ip), {} FROM aggregate_report a "
                                    "JOIN aggregate_record r ON r.report_id = a.id {} "
                                    "GROUP BY r.source_ip ORDER BY 3 DESC, r.source_ip",
                                    k_aggregates, k_filter),
                        domain, age_param)) {
        by_source.rows.push_back(cells(row, true));
    }
    return {std::move(total), std::move(by_reporter), std::move(by_source)};
}

} // namespace rua::detail
