// The domain list, the domain overview and the per-domain metrics, read from
// the v_day_* rollup views (sums of message counts spread over the days a
// report covers, never row counts). Every query is scoped to the principal's
// account in SQL. Never reads report records: the rollup answers.
#include "query/kind_queries.hpp"

#include <rua/query.hpp>

#include <fmt/format.h>

namespace rua::query {

namespace {

// The compliance of the messages summed so far, in percent with one
// decimal; NULL with no messages.
constexpr const char* k_compliance =
    "CASE WHEN sum(messages) > 0 THEN round(100.0 * coalesce(sum(messages) FILTER "
    "(WHERE dmarc_pass), 0) / sum(messages), 1) END";

} // namespace

Table Queries::domains(const Principal& who, std::string_view search, const Page& page) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        const auto account = detail::scope(who);
        const auto sql = fmt::format(
            "WITH mine AS ("
            "  SELECT domain FROM account_domain WHERE ($1::bigint IS NULL OR account_id = $1)"
            "  UNION"
            "  SELECT DISTINCT domain FROM v_day_domain"
            "   WHERE ($1::bigint IS NULL OR account_id = $1)"
            "     AND day > current_date - 30 AND day <= current_date),"
            " chosen AS (SELECT domain, count(*) OVER () AS total FROM mine"
            "   WHERE strpos(domain, $2) > 0 ORDER BY domain LIMIT $3 OFFSET $4),"
            " days AS (SELECT v.domain, v.day, sum(v.messages)::bigint AS messages,"
            "   coalesce(sum(v.messages) FILTER (WHERE v.dmarc_pass), 0)::bigint AS pass"
            "   FROM v_day_domain v JOIN chosen c ON c.domain = v.domain"
            "  WHERE ($1::bigint IS NULL OR v.account_id = $1)"
            "    AND v.day > current_date - 30 AND v.day <= current_date"
            "  GROUP BY v.domain, v.day),"
            " spark AS (SELECT c.domain, array_agg(coalesce(d.messages, 0) ORDER BY g.day)"
            "   AS sparkline"
            "   FROM chosen c CROSS JOIN (SELECT (current_date - n) AS day"
            "                               FROM generate_series(0, 29) n) g"
            "   LEFT JOIN days d ON d.domain = c.domain AND d.day = g.day"
            "  GROUP BY c.domain)"
            " SELECT c.domain, coalesce(sum(d.messages), 0)::bigint AS messages,"
            "   coalesce(sum(d.pass), 0)::bigint AS compliant,"
            "   CASE WHEN sum(d.messages) > 0"
            "        THEN round(100.0 * sum(d.pass) / sum(d.messages), 1) END AS compliance_pct,"
            "   s.sparkline, c.total"
            "  FROM chosen c JOIN spark s ON s.domain = c.domain"
            "  LEFT JOIN days d ON d.domain = c.domain"
            " GROUP BY c.domain, s.sparkline, c.total ORDER BY c.domain");
        auto table = detail::to_table(
            "domains", tx.exec_params(sql, account, std::string(search), page.limit, page.offset));
        std::vector<std::string> names;
        for (const auto& row : table.rows) {
            names.push_back(std::get<std::string>(row[0]));
        }
        const auto policies = detail::dmarc_policies(tx, account, names);
        for (const char* column : {"last_report", "p", "sp", "pct"}) {
            table.columns.emplace_back(column);
        }
        for (auto& row : table.rows) {
            const auto it = policies.find(std::get<std::string>(row[0]));
            const detail::PolicySeen none;
            const auto& seen = it == policies.end() ? none : it->second;
            // Appended in place rather than through `v ? Cell{*v} : Cell{}`:
            // GCC 12 at -O3 warns (falsely) that the temporary's string may
            // be uninitialized.
            const auto append = [&row](const auto& v) {
                if (v) {
                    row.emplace_back(*v);
                } else {
                    row.emplace_back();
                }
            };
            append(seen.last_report);
            append(seen.p);
            append(seen.sp);
            append(seen.pct);
        }
        return table;
    });
}

std::vector<Table> Queries::overview(const Principal& who, std::string_view domain, int days) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        detail::require_domain(tx, who, domain);
        const auto account = detail::scope(who);
        const std::string name(domain);
        // $1 account, $2 domain, $3 days: the window is the last $3 UTC days.
        const auto window = [](const char* view) {
            return fmt::format("FROM {} WHERE ($1::bigint IS NULL OR account_id = $1)"
                               " AND domain = $2 AND day > current_date - $3::int"
                               " AND day <= current_date",
                               view);
        };
        std::vector<Table> out;
        out.push_back(detail::to_table(
            "daily",
            tx.exec_params(
                fmt::format("WITH v AS (SELECT day, messages, dmarc_pass {})"
                            " SELECT g.day, coalesce(sum(v.messages), 0)::bigint AS messages,"
                            "  coalesce(sum(v.messages) FILTER (WHERE v.dmarc_pass), 0)::bigint"
                            "    AS pass,"
                            "  coalesce(sum(v.messages) FILTER (WHERE NOT v.dmarc_pass), 0)"
                            "    ::bigint AS fail,"
                            "  CASE WHEN sum(v.messages) > 0 THEN round(100.0 * coalesce("
                            "    sum(v.messages) FILTER (WHERE v.dmarc_pass), 0)"
                            "    / sum(v.messages), 1) END AS compliance_pct"
                            " FROM (SELECT (current_date - n) AS day"
                            "        FROM generate_series(0, $3::int - 1) n) g"
                            " LEFT JOIN v ON v.day = g.day GROUP BY g.day ORDER BY g.day",
                            window("v_day_domain")),
                account, name, days)));
        out.push_back(detail::to_table(
            "disposition",
            tx.exec_params(fmt::format("SELECT coalesce(disposition, '') AS disposition,"
                                       " sum(messages)::bigint AS messages {}"
                                       " GROUP BY 1 ORDER BY messages DESC, 1",
                                       window("v_day_domain")),
                           account, name, days)));
        out.push_back(detail::dmarc_policy_changes(tx, account, name, days));
        out.push_back(detail::to_table(
            "top_reporters",
            tx.exec_params(
                fmt::format("SELECT reporter, sum(messages)::bigint AS messages,"
                            " coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint AS pass,"
                            " coalesce(sum(messages) FILTER (WHERE NOT dmarc_pass), 0)::bigint"
                            "   AS fail, {} AS compliance_pct {}"
                            " GROUP BY reporter ORDER BY messages DESC, reporter LIMIT 10",
                            k_compliance, window("v_day_source")),
                account, name, days)));
        out.push_back(detail::to_table(
            "top_sources",
            tx.exec_params(
                fmt::format(
                    "SELECT host(source_ip) AS source_ip, sum(messages)::bigint AS messages,"
                    " coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint AS pass,"
                    " coalesce(sum(messages) FILTER (WHERE NOT dmarc_pass), 0)::bigint"
                    "   AS fail, {} AS compliance_pct {}"
                    " GROUP BY source_ip ORDER BY messages DESC, source_ip LIMIT 10",
                    k_compliance, window("v_day_source")),
                account, name, days)));
        out.push_back(detail::to_table(
            "auth",
            tx.exec_params(fmt::format("SELECT method, auth_domain, selector, result, aligned,"
                                       " sum(messages)::bigint AS messages {}"
                                       " GROUP BY 1, 2, 3, 4, 5"
                                       " ORDER BY method, messages DESC, 2, 3, 4, 5 LIMIT 500",
                                       window("v_day_auth")),
                           account, name, days)));
        return out;
    });
}

Table Queries::sources(const Principal& who, std::string_view domain, int days,
                       const SourceFilter& filter, const Page& page) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        detail::require_domain(tx, who, domain);
        return detail::dmarc_sources(tx, detail::scope(who), std::string(domain), days, filter,
                                     page);
    });
}

std::vector<Table> Queries::source_detail(const Principal& who, std::string_view domain,
                                          std::string_view source_ip, int days) {
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        detail::require_domain(tx, who, domain);
        const auto account = detail::scope(who);
        const std::string name(domain);
        const std::string ip(source_ip);
        const char* where = "FROM v_day_source WHERE ($1::bigint IS NULL OR account_id = $1)"
                            " AND domain = $2 AND source_ip = $4::inet"
                            " AND day > current_date - $3::int AND day <= current_date";
        std::vector<Table> out;
        out.push_back(detail::to_table(
            "daily",
            tx.exec_params(
                fmt::format("SELECT day, sum(messages)::bigint AS messages,"
                            " coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint AS pass,"
                            " coalesce(sum(messages) FILTER (WHERE NOT dmarc_pass), 0)::bigint"
                            "   AS fail {} GROUP BY day ORDER BY day",
                            where),
                account, name, days, ip)));
        out.push_back(detail::to_table(
            "breakdown",
            tx.exec_params(fmt::format("SELECT reporter, header_from, disposition, dkim, spf,"
                                       " dmarc_pass, sum(messages)::bigint AS messages {}"
                                       " GROUP BY 1, 2, 3, 4, 5, 6"
                                       " ORDER BY messages DESC, 1, 2, 3, 4, 5, 6 LIMIT 1000",
                                       where),
                           account, name, days, ip)));
        return out;
    });
}

Table Queries::metrics(const Principal& who, std::int64_t max_domains) {
    if (!who.admin()) {
        throw NotVisible("metrics are for the operator");
    }
    return detail::read(m_pool, m_statement_timeout_ms, [&](pqxx::transaction_base& tx) {
        return detail::to_table(
            "metrics",
            tx.exec_params("SELECT domain, sum(messages)::bigint AS messages,"
                           " coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint"
                           "   AS compliant"
                           " FROM v_day_domain WHERE day > current_date - 30"
                           "  AND day <= current_date"
                           " GROUP BY domain ORDER BY messages DESC, domain LIMIT $1",
                           max_domains));
    });
}

} // namespace rua::query
