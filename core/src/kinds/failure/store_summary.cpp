// The failure kind's `ruactl summary` sections for one domain: reports by
// source address (with when they were first and last seen) and by auth
// failure type. Read-only; "since" filters on the report's arrival (its
// Arrival-Date, else when we received it).
#include "kinds/writer.hpp"

#include <fmt/format.h>

namespace rua::detail {

namespace {

// $1: the lower-cased domain; $2: the age limit in seconds, or NULL.
constexpr const char* k_filter =
    "WHERE r.domain = $1 AND ($2::bigint IS NULL OR coalesce(r.arrival_date, r.received_at) "
    ">= now() - $2::bigint * interval '1 second')";

constexpr const char* k_time_format = R"('YYYY-MM-DD"T"HH24:MI:SS"Z"')";

SummaryTable table(const char* name, const char* title, std::vector<std::string> columns,
                   std::vector<bool> numeric) {
    SummaryTable t;
    t.kind = "failure";
    t.name = name;
    t.title = title;
    t.columns = std::move(columns);
    t.numeric = std::move(numeric);
    return t;
}

OptString cell(const pqxx::field& field) {
    return field.is_null() ? std::nullopt : OptString(field.as<std::string>());
}

} // namespace

std::vector<SummaryTable> failure_summary(pqxx::work& tx, const std::string& domain,
                                          std::optional<std::int64_t> since) {
    const std::string age = since ? std::to_string(*since) : "";
    const char* age_param = since ? age.c_str() : nullptr;
    auto by_source =
        table("by_source", "BY SOURCE", {"source_ip", "reports", "first_seen", "last_seen"},
              {false, true, false, false});
    const auto arrival = "coalesce(r.arrival_date, r.received_at) AT TIME ZONE 'UTC'";
    for (const auto& row :
         tx.exec_params(fmt::format("SELECT host(r.source_ip), count(*), to_char(min({0}), {1}), "
                                    "to_char(max({0}), {1}) FROM failure_report r {2} "
                                    "GROUP BY r.source_ip ORDER BY 2 DESC, r.source_ip NULLS LAST",
                                    arrival, k_time_format, k_filter),
                        domain, age_param)) {
        by_source.rows.push_back({cell(row[0]), cell(row[1]), cell(row[2]), cell(row[3])});
    }
    auto by_failure =
        table("by_auth_failure", "BY AUTH FAILURE", {"auth_failure", "reports"}, {false, true});
    for (const auto& row : tx.exec_params(
             fmt::format("SELECT f.failure, count(*) FROM failure_report r "
                         "LEFT JOIN LATERAL unnest(r.auth_failure) AS f(failure) ON true {} "
                         "GROUP BY f.failure ORDER BY 2 DESC, 1 NULLS LAST",
                         k_filter),
             domain, age_param)) {
        by_failure.rows.push_back({cell(row[0]), cell(row[1])});
    }
    return {std::move(by_source), std::move(by_failure)};
}

} // namespace rua::detail
