// The dashboard's reads of DMARC aggregate reports: the policy each domain
// published, its changes, the sources (numbers from v_day_source; records
// only to pick sources by DKIM or SPF domain), report lists, a report with
// its records, and its attachment. Read-only; scoped by account in SQL.
#include "query/kind_queries.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace rua::query::detail {

namespace {

// A sort key the caller validated -> its ORDER BY (never caller text).
std::string_view order_column(std::string_view sort) {
    if (sort == "failing") {
        return "fail";
    }
    if (sort == "compliance") {
        return "compliance_pct";
    }
    if (sort == "source_ip") {
        return "s.source_ip";
    }
    return "messages";
}

// An attachment's name as a download offers it: letters, digits, '.', '-'
// and '_' only.
std::string safe_filename(std::string_view name, std::int64_t id) {
    std::string out;
    for (char c : name) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        out += plain ? c : '_';
    }
    if (out.empty() || out.front() == '.') {
        out = fmt::format("report-{}.bin", id);
    }
    return out;
}

} // namespace

std::map<std::string, PolicySeen> dmarc_policies(pqxx::transaction_base& tx,
                                                 std::optional<std::int64_t> account,
                                                 const std::vector<std::string>& domains) {
    std::map<std::string, PolicySeen> out;
    if (domains.empty()) {
        return out;
    }
    const auto rows = tx.exec_params(
        "SELECT d.domain, r.p, r.sp, r.pct, r.date_end FROM unnest($2::text[]) AS d(domain)"
        " JOIN LATERAL (SELECT p, sp, pct, date_end FROM aggregate_report a"
        "   WHERE lower(a.domain) = d.domain AND ($1::bigint IS NULL OR a.account_id = $1)"
        "   ORDER BY a.date_begin DESC, a.id DESC LIMIT 1) r ON true",
        account, text_array(domains));
    for (const auto& row : rows) {
        PolicySeen seen;
        const auto text = [&row](int column) -> std::optional<std::string> {
            return row[column].is_null() ? std::nullopt
                                         : std::optional<std::string>(row[column].c_str());
        };
        seen.p = text(1);
        seen.sp = text(2);
        if (!row[3].is_null()) {
            seen.pct = row[3].as<std::int64_t>();
        }
        seen.last_report = text(4);
        out.emplace(row[0].as<std::string>(), std::move(seen));
    }
    return out;
}

Table dmarc_policy_changes(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                           const std::string& domain, int days) {
    // Each report whose published policy differs from the one before it (by
    // period start): the policy as reporters saw it change over time.
    return to_table(
        "policy_changes",
        tx.exec_params(
            "SELECT day, p, sp, pct, adkim, aspf, reporter FROM ("
            "  SELECT date_begin::date AS day, p, sp, pct, adkim, aspf, reporter,"
            "         row(p, sp, pct, adkim, aspf)::text AS policy,"
            "         lag(row(p, sp, pct, adkim, aspf)::text) OVER (ORDER BY date_begin, id)"
            "           AS before"
            "    FROM aggregate_report WHERE lower(domain) = $2"
            "     AND ($1::bigint IS NULL OR account_id = $1)"
            "     AND date_end > current_date - ($3::int - 1)) x"
            " WHERE before IS DISTINCT FROM policy ORDER BY day LIMIT 1000",
            account, domain, days));
}

Table dmarc_sources(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                    const std::string& domain, int days, const SourceFilter& filter,
                    const Page& page) {
    // $5/$6: a DKIM or SPF domain: keep the sources whose records in the
    // window carried a check of it (json lists of the records).
    const auto sql = fmt::format(
        "WITH picked AS ("
        "  SELECT DISTINCT r.source_ip FROM aggregate_record r"
        "    JOIN aggregate_report a ON a.id = r.report_id AND a.date_begin = r.date_begin"
        "   WHERE ($5::text IS NOT NULL OR $6::text IS NOT NULL)"
        "     AND lower(a.domain) = $2 AND ($1::bigint IS NULL OR a.account_id = $1)"
        "     AND a.date_end > current_date - ($3::int - 1)"
        "     AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM json_array_elements(r.auth_dkim) d"
        "                                      WHERE lower(d->>'domain') = $5))"
        "     AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM json_array_elements(r.auth_spf) s"
        "                                      WHERE lower(s->>'domain') = $6))),"
        " s AS (SELECT source_ip, sum(messages)::bigint AS messages,"
        "   coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0)::bigint AS pass,"
        "   coalesce(sum(messages) FILTER (WHERE NOT dmarc_pass), 0)::bigint AS fail,"
        "   CASE WHEN sum(messages) > 0 THEN round(100.0 * coalesce(sum(messages) FILTER"
        "     (WHERE dmarc_pass), 0) / sum(messages), 1) END AS compliance_pct,"
        "   count(DISTINCT reporter) AS reporters, min(day) AS first_day, max(day) AS last_day"
        "   FROM v_day_source"
        "  WHERE ($1::bigint IS NULL OR account_id = $1) AND domain = $2"
        "    AND day > current_date - $3::int AND day <= current_date"
        "    AND ($4::text IS NULL OR reporter = $4)"
        "    AND (($5::text IS NULL AND $6::text IS NULL)"
        "         OR source_ip IN (SELECT source_ip FROM picked))"
        "  GROUP BY source_ip)"
        " SELECT host(s.source_ip) AS source_ip, messages, pass, fail, compliance_pct,"
        "   reporters, first_day, last_day, count(*) OVER () AS total"
        "  FROM s WHERE (NOT $7::boolean OR fail > 0)"
        " ORDER BY {} {} NULLS LAST, s.source_ip LIMIT $8 OFFSET $9",
        order_column(filter.sort), filter.descending ? "DESC" : "ASC");
    return to_table("sources", tx.exec_params(sql, account, domain, days, filter.reporter,
                                              filter.dkim_domain, filter.spf_domain,
                                              filter.failing_only, page.limit, page.offset));
}

Table dmarc_reports(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                    const std::string& domain, int days, const Page& page) {
    return to_table("reports",
                    tx.exec_params("SELECT id, reporter, org_name, report_id, date_begin, date_end,"
                                   " record_count, message_count, p, sp, pct, received_at,"
                                   " authenticity, authserv_id, count(*) OVER () AS total"
                                   " FROM aggregate_report WHERE lower(domain) = $2"
                                   " AND ($1::bigint IS NULL OR account_id = $1)"
                                   " AND date_end > current_date - ($3::int - 1)"
                                   " ORDER BY date_begin DESC, id DESC LIMIT $4 OFFSET $5",
                                   account, domain, days, page.limit, page.offset));
}

std::vector<Table> dmarc_report_detail(pqxx::transaction_base& tx,
                                       std::optional<std::int64_t> account, std::int64_t id,
                                       const Page& records) {
    auto report = to_table(
        "report",
        tx.exec_params("SELECT id, lower(domain) AS domain, reporter, org_name, email,"
                       " extra_contact_info, report_id, date_begin, date_end, errors::text"
                       " AS errors, generator, adkim, aspf, p, sp, np, pct, fo, testing,"
                       " schema_flavour, warnings::text AS warnings, received_at, via, rua,"
                       " record_count, message_count, raw_report_id IS NOT NULL AS has_raw,"
                       " authenticity, authserv_id"
                       " FROM aggregate_report WHERE id = $1"
                       " AND ($2::bigint IS NULL OR account_id = $2)",
                       id, account));
    if (report.rows.empty()) {
        throw NotVisible("no such report");
    }
    auto rows = to_table(
        "records",
        tx.exec_params("SELECT r.ordinal, host(r.source_ip) AS source_ip, r.count,"
                       " r.disposition, r.dkim, r.spf, r.dmarc_pass, r.header_from,"
                       " r.envelope_from, r.envelope_to, r.reasons, r.auth_dkim, r.auth_spf"
                       " FROM aggregate_record r JOIN aggregate_report a"
                       "   ON a.id = r.report_id AND a.date_begin = r.date_begin"
                       " WHERE a.id = $1 ORDER BY r.ordinal LIMIT $2 OFFSET $3",
                       id, records.limit, records.offset));
    // The records' total is the report's record_count, found by its name.
    const auto at = std::find(report.columns.begin(), report.columns.end(), "record_count");
    rows.total = std::get<std::int64_t>(report.rows[0][at - report.columns.begin()]);
    return {std::move(report), std::move(rows)};
}

RawFile dmarc_report_raw(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                         std::int64_t id) {
    const auto rows =
        tx.exec_params("SELECT w.filename, w.data FROM aggregate_report a"
                       " JOIN raw_report w ON w.id = a.raw_report_id"
                       " WHERE a.id = $1 AND ($2::bigint IS NULL OR a.account_id = $2)",
                       id, account);
    if (rows.empty()) {
        throw NotVisible("no such report attachment");
    }
    RawFile file;
    file.filename = safe_filename(rows[0][0].is_null() ? "" : rows[0][0].c_str(), id);
    const pqxx::binarystring data(rows[0][1]);
    file.data = data.str();
    return file;
}

} // namespace rua::query::detail
