// Breakdowns of a domain's messages (`ruactl summary --by`, the API's
// /breakdown, the overview page's table): grouped by source, reporter, From
// domain or day from the v_day_* rollup views, by DKIM or SPF domain from
// the records (the aggregate kind's store_analytics.cpp). Sums of message
// counts, never rows; scoped to the principal's account in SQL. By provider
// from the records too, through the enrichment's rua_source_provider.
#include "query/analytics.hpp"

#include "query/kind_queries.hpp"

#include <rua/psl.hpp>
#include <rua/query.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace rua::query {

namespace {

constexpr std::pair<BreakdownBy, std::string_view> k_names[] = {
    {BreakdownBy::source, "source"},
    {BreakdownBy::provider, "provider"},
    {BreakdownBy::reporter, "reporter"},
    {BreakdownBy::dkim_domain, "dkim-domain"},
    {BreakdownBy::spf_domain, "spf-domain"},
    {BreakdownBy::header_from, "header-from"},
    {BreakdownBy::day, "day"},
};

std::int64_t integer(const Cell& cell) {
    const auto* value = std::get_if<std::int64_t>(&cell);
    return value ? *value : 0;
}

// The groups of a v_day_* view: key, messages, pass, fail, total.
// $1 account, $2 domains, $3 days, $4 failing only, $5 limit.
Table view_groups(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                  const std::vector<std::string>& domains, const BreakdownQuery& q,
                  std::optional<std::int64_t> limit) {
    const char* key = "host(source_ip)";
    const char* view = "v_day_source";
    const char* order = "messages DESC, key";
    switch (q.by) {
    case BreakdownBy::reporter:
        key = "reporter";
        break;
    case BreakdownBy::header_from:
        key = "lower(rtrim(header_from, '.'))";
        break;
    case BreakdownBy::day:
        key = "day";
        view = "v_day_domain";
        order = "key DESC";
        break;
    default:
        break;
    }
    const auto sql = fmt::format(
        "SELECT {} AS key, sum(messages)::bigint AS messages,"
        " coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint AS pass,"
        " coalesce(sum(messages) FILTER (WHERE NOT dmarc_pass), 0)::bigint AS fail,"
        " count(*) OVER () AS total"
        " FROM {} WHERE ($1::bigint IS NULL OR account_id = $1) AND domain = ANY($2::text[])"
        "  AND day > current_date - $3::int AND day <= current_date"
        "  AND (NOT $4::boolean OR NOT dmarc_pass)"
        " GROUP BY 1 ORDER BY {} NULLS LAST LIMIT $5",
        key, view, order);
    return detail::to_table("breakdown", tx.exec_params(sql, account, detail::text_array(domains),
                                                        q.days, q.failing_only, limit));
}

// From domains summed under their registrable domain (a name that has none,
// a public suffix or no domain at all, stays as it is): most messages first.
Table rolled_up(Table groups) {
    std::map<std::optional<std::string>, std::array<std::int64_t, 3>> sums;
    for (const auto& row : groups.rows) {
        std::optional<std::string> key;
        if (const auto* text = std::get_if<std::string>(&row[0])) {
            key = registrable_domain(*text).value_or(*text);
        }
        auto& sum = sums[key];
        sum[0] += integer(row[1]);
        sum[1] += integer(row[2]);
        sum[2] += integer(row[3]);
    }
    groups.rows.clear();
    for (const auto& [key, sum] : sums) {
        groups.rows.push_back({key ? Cell{*key} : Cell{}, sum[0], sum[1], sum[2]});
    }
    // Most messages first; among equals by name, no name last.
    std::stable_sort(groups.rows.begin(), groups.rows.end(), [](const auto& a, const auto& b) {
        if (integer(a[1]) != integer(b[1])) {
            return integer(a[1]) > integer(b[1]);
        }
        return !std::holds_alternative<std::monostate>(a[0]) &&
               std::holds_alternative<std::monostate>(b[0]);
    });
    groups.total = static_cast<std::int64_t>(groups.rows.size());
    return groups;
}

} // namespace

std::optional<BreakdownBy> breakdown_by(std::string_view name) {
    for (const auto& [by, text] : k_names) {
        std::string underscored(text);
        std::replace(underscored.begin(), underscored.end(), '-', '_');
        if (name == text || name == underscored) {
            return by;
        }
    }
    return std::nullopt;
}

std::string_view breakdown_name(BreakdownBy by) {
    for (const auto& [known, text] : k_names) {
        if (known == by) {
            return text;
        }
    }
    return "source";
}

std::string_view breakdown_column(BreakdownBy by) {
    switch (by) {
    case BreakdownBy::source:
        return "source_ip";
    case BreakdownBy::provider:
        return "provider";
    case BreakdownBy::reporter:
        return "reporter";
    case BreakdownBy::dkim_domain:
        return "dkim_domain";
    case BreakdownBy::spf_domain:
        return "spf_domain";
    case BreakdownBy::header_from:
        return "header_from";
    case BreakdownBy::day:
        return "day";
    }
    return "key";
}

namespace detail {

std::optional<double> percent(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) {
        return std::nullopt;
    }
    // Half away from zero at one decimal, as PostgreSQL's round(numeric, 1).
    return std::floor(1000.0L * part / whole + 0.5L) / 10.0;
}

std::vector<std::string> covered_domains(pqxx::transaction_base& tx, const Principal& who,
                                         const std::string& domain, int days, bool rollup) {
    if (!rollup) {
        require_domain(tx, who, domain);
        return {domain};
    }
    const auto org = registrable_domain(domain).value_or(domain);
    // The principal's domains under `org` (registered, or with data in the
    // window), then those whose registrable domain is `org` indeed.
    const auto rows = tx.exec_params(
        "SELECT domain FROM account_domain WHERE ($1::bigint IS NULL OR account_id = $1)"
        "   AND (domain = $2 OR right(domain, length($2) + 1) = '.' || $2)"
        " UNION SELECT DISTINCT domain FROM v_day_domain"
        "  WHERE ($1::bigint IS NULL OR account_id = $1)"
        "    AND (domain = $2 OR right(domain, length($2) + 1) = '.' || $2)"
        "    AND day > current_date - $3::int AND day <= current_date"
        " ORDER BY 1",
        scope(who), org, days);
    std::vector<std::string> out;
    for (const auto& row : rows) {
        auto name = row[0].as<std::string>();
        if (registrable_domain(name).value_or(name) == org) {
            out.push_back(std::move(name));
        }
    }
    if (out.empty()) {
        // Nothing of the organisation: the domain asked, checked as usual.
        require_domain(tx, who, domain);
        out.push_back(domain);
    }
    return out;
}

} // namespace detail

std::vector<Table> Queries::breakdown(const Principal& who, std::string_view domain,
                                      const BreakdownQuery& q) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        const auto account = detail::scope(who);
        const auto domains =
            detail::covered_domains(tx, who, std::string(domain), q.days, q.rollup);
        const auto top = std::clamp<std::int64_t>(q.top, 1, k_breakdown_max_top);
        const bool regroup = q.rollup && q.by == BreakdownBy::header_from;
        const std::optional<std::int64_t> limit =
            regroup ? std::nullopt : std::optional<std::int64_t>(top);
        Table groups;
        switch (q.by) {
        case BreakdownBy::dkim_domain:
        case BreakdownBy::spf_domain:
            groups = detail::dmarc_record_breakdown(tx, account, domains, q.days,
                                                    q.by == BreakdownBy::dkim_domain
                                                        ? detail::RecordKey::dkim_domain
                                                        : detail::RecordKey::spf_domain,
                                                    q.failing_only, limit);
            break;
        case BreakdownBy::provider:
            groups = detail::dmarc_provider_breakdown(tx, account, domains, q.days, q.failing_only,
                                                      limit);
            break;
        default:
            groups = view_groups(tx, account, domains, q, limit);
            break;
        }
        if (regroup) {
            groups = rolled_up(std::move(groups));
            if (groups.rows.size() > static_cast<std::size_t>(top)) {
                groups.rows.resize(static_cast<std::size_t>(top));
            }
        }
        if (q.by == BreakdownBy::day) {
            std::reverse(groups.rows.begin(), groups.rows.end()); // oldest first
        }
        const auto totals_row =
            tx.exec_params1("SELECT coalesce(sum(messages), 0)::bigint,"
                            " coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint"
                            " FROM v_day_domain WHERE ($1::bigint IS NULL OR account_id = $1)"
                            "  AND domain = ANY($2::text[])"
                            "  AND day > current_date - $3::int AND day <= current_date"
                            "  AND (NOT $4::boolean OR NOT dmarc_pass)",
                            account, detail::text_array(domains), q.days, q.failing_only);
        const auto messages = totals_row[0].as<std::int64_t>();
        const auto pass = totals_row[1].as<std::int64_t>();

        Table breakdown;
        breakdown.name = "breakdown";
        breakdown.columns = {std::string(breakdown_column(q.by)),
                             "messages",
                             "pass",
                             "fail",
                             "compliance_pct",
                             "share_pct"};
        breakdown.total = groups.total.value_or(0);
        for (auto& row : groups.rows) {
            const auto m = integer(row[1]);
            const auto p = integer(row[2]);
            const auto share = detail::percent(m, messages);
            const auto compliance = detail::percent(p, m);
            breakdown.rows.push_back({std::move(row[0]), m, p, integer(row[3]),
                                      compliance ? Cell{*compliance} : Cell{},
                                      share ? Cell{*share} : Cell{}});
        }
        Table totals;
        totals.name = "totals";
        totals.columns = {"messages", "pass", "fail", "compliance_pct", "groups"};
        const auto compliance = detail::percent(pass, messages);
        totals.rows.push_back({messages, pass, messages - pass,
                               compliance ? Cell{*compliance} : Cell{}, *breakdown.total});
        Table covered;
        covered.name = "domains";
        covered.columns = {"domain"};
        for (const auto& name : domains) {
            covered.rows.push_back({name});
        }
        return std::vector<Table>{std::move(breakdown), std::move(totals), std::move(covered)};
    });
}

} // namespace rua::query
