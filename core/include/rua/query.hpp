// The read side of the store for rua-web (and later `ruactl summary`): who a
// token or session is, and every table the dashboard and the API show, each
// scoped to the principal's account in SQL. Every query is parameterised and
// read-only, except the sessions rua-web opens and closes. Callers see std
// types only; numbers come from the v_day_* rollup views, never from rows.
#pragma once

#include <rua/errors.hpp>
#include <rua/store.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rua::query {

// Who asks: an account's token (account_id set) or the operator's (admin).
struct Principal {
    std::int64_t token_id = 0;
    std::optional<std::int64_t> account_id; // nullopt: admin, every account
    bool admin() const { return !account_id; }
};

// A JSON value exactly as the database gave it (a json column).
struct RawJson {
    std::string text;
};

// One value of a result: NULL, boolean, integer, decimal, text, a JSON text,
// or a list of integers (a sparkline).
using Cell = std::variant<std::monostate, bool, std::int64_t, double, std::string, RawJson,
                          std::vector<std::int64_t>>;

// A result as columns and rows; `total` is the row count before paging.
struct Table {
    std::string name; // stable key: "daily", "top_sources", ...
    std::vector<std::string> columns;
    std::vector<std::vector<Cell>> rows;
    std::optional<std::int64_t> total;
};

struct Page {
    std::int64_t limit = 50; // the caller bounds it (MaxPageSize)
    std::int64_t offset = 0;
};

// The thing asked for does not exist for this principal (another account's
// domain or report, an operator view asked by an account): HTTP 404.
class NotVisible : public Error {
public:
    using Error::Error;
};

// How the sources of a domain are chosen and ordered.
struct SourceFilter {
    bool failing_only = false;              // only sources with failing messages
    std::optional<std::string> reporter;    // the reporter as stored, exact
    std::optional<std::string> dkim_domain; // a DKIM signature of this domain
    std::optional<std::string> spf_domain;  // an SPF check of this domain
    std::string sort = "messages";          // messages, failing, compliance, source_ip
    bool descending = true;
};

// What a breakdown groups a domain's messages by (`ruactl summary --by`, the
// API's by=): the source address, its provider (enrichment), the reporter,
// each DKIM signature's or SPF check's domain, the From header's domain, or
// the UTC day.
enum class BreakdownBy { source, provider, reporter, dkim_domain, spf_domain, header_from, day };

// "source", "provider", "reporter", "dkim-domain", "spf-domain",
// "header-from", "day" (the underscore forms too); nullopt for anything else.
std::optional<BreakdownBy> breakdown_by(std::string_view name);
// The name breakdown_by reads: "source", "dkim-domain", ...
std::string_view breakdown_name(BreakdownBy by);
// The key column of a breakdown: "source_ip", "provider", "reporter",
// "dkim_domain", "spf_domain", "header_from", "day".
std::string_view breakdown_column(BreakdownBy by);

constexpr std::int64_t k_breakdown_default_top = 20;
constexpr std::int64_t k_breakdown_max_top = 1000;
constexpr int k_default_days = 30;

// One breakdown: the last `days` UTC days (today included), the same window
// and the same day split as the overview.
struct BreakdownQuery {
    BreakdownBy by = BreakdownBy::source;
    int days = k_default_days;
    bool failing_only = false; // only messages that failed DMARC
    // Organisational roll-up: every domain of the principal with the same
    // registrable domain (public suffix list) as the one asked, and each
    // From domain counted under its registrable domain.
    bool rollup = false;
    std::int64_t top = k_breakdown_default_top; // 1..k_breakdown_max_top
};

// One readiness check: what was measured, what the next step wants, and
// whether it holds.
struct ReadinessCheck {
    std::string name;  // "policy", "compliance", "unapproved", "reporters", "data"
    std::string value; // "97.8 %", "3", ...
    std::string want;  // ">= 98.0 %", ...
    bool ok = false;
};

// Whether a domain can take its next DMARC policy step, from the last `days`
// UTC days: compliance (messages passing DMARC over all messages), failing
// messages from sources its account has not approved, reporters, days with
// data, and the policy its latest report published.
struct Readiness {
    std::string domain;
    int days = k_default_days;
    std::int64_t messages = 0;
    std::int64_t pass = 0;
    std::int64_t fail = 0;
    std::optional<double> compliance_pct; // one decimal; nullopt with no messages
    std::optional<std::string> p;         // the latest report's published policy
    std::optional<std::string> sp;
    std::optional<std::int64_t> pct;
    std::optional<std::string> last_report; // its date_end
    // Sources with failing messages that the account has not approved
    // (sql/0016's approved_source: by provider or network), and those messages.
    std::int64_t unapproved_sources = 0;
    std::int64_t unapproved_messages = 0; // their failing messages
    std::optional<double> unapproved_pct; // of all messages
    std::int64_t reporters = 0;
    std::int64_t days_with_data = 0;
    std::optional<std::string> next_step; // "move to p=quarantine", ...; nullopt at the end
    bool ready = false;
    std::vector<ReadinessCheck> checks;
    std::string line; // "example.com: 97.8 % compliant over 30 days; ...? no (...)"
};

// Readiness as tables: "readiness" (one row per domain) and "checks".
std::vector<Table> readiness_tables(const std::vector<Readiness>& list);

// A stored attachment for download.
struct RawFile {
    std::string filename; // safe: letters, digits, '.', '-', '_' only
    std::string data;
};

// One instance per process, shared by every request thread. Every method
// throws TryLater (database unreachable, pool exhausted, statement timeout),
// NotVisible as documented, and Error for anything else the database says.
class Queries {
public:
    // `statement_timeout_ms` bounds each statement (0: none).
    Queries(ConnectionPool& pool, std::int64_t statement_timeout_ms);

    // The principal of a live (not revoked) API token, by its sha256.
    std::optional<Principal> token_principal(std::string_view token);
    // The principal of a live session cookie (not expired, token not revoked).
    std::optional<Principal> session_principal(std::string_view cookie);
    // Stores sha256(cookie) as a session of the principal's token.
    void session_create(const Principal& who, std::string_view cookie,
                        std::int64_t lifetime_seconds);
    // Deletes the session (nothing when it does not exist).
    void session_delete(std::string_view cookie);

    // The principal's domains (those its account registered and those with
    // reports in the last 30 days; an older domain is still reachable by
    // name): 30-day messages, compliance, last report, published policy, 30
    // daily message counts (oldest first). `search` keeps domains containing
    // it ("" keeps all).
    Table domains(const Principal& who, std::string_view search, const Page& page);

    // Tables "daily", "disposition", "policy_changes", "top_reporters",
    // "top_sources", "auth" for the last `days` UTC days (today included).
    // Throws NotVisible for a domain the principal cannot see.
    std::vector<Table> overview(const Principal& who, std::string_view domain, int days);

    // Sources of a domain over `days`, filtered, sorted and paged.
    Table sources(const Principal& who, std::string_view domain, int days,
                  const SourceFilter& filter, const Page& page);
    // Tables "daily" and "breakdown" (reporter, header_from, results) of
    // one source. Throws NotVisible as overview does.
    std::vector<Table> source_detail(const Principal& who, std::string_view domain,
                                     std::string_view source_ip, int days);

    // Sources of a domain over `days` with what enrichment found (sql/0016):
    // source_ip, ptr, confirmed, status, provider, approved, messages,
    // failing, asn, as_name, country; the busiest `limit` first. Sender text
    // (ptr, provider, as_name) as stored: the caller escapes it.
    Table source_hosts(const Principal& who, std::string_view domain, int days, std::int64_t limit);

    // Aggregate reports of a domain whose period ends within `days`.
    Table reports(const Principal& who, std::string_view domain, int days, const Page& page);
    // Tables "report" (one row) and "records" (paged by `records`). Throws
    // NotVisible for a report of another account or none.
    std::vector<Table> report_detail(const Principal& who, std::int64_t id, const Page& records);
    // The report's attachment as received. Throws NotVisible.
    RawFile report_raw(const Principal& who, std::int64_t id);

    // SMTP TLS reports of a policy domain: "daily" (sessions ok/failed per
    // day) and "failures" (by result type and receiving MX).
    std::vector<Table> tls(const Principal& who, std::string_view domain, int days);

    // Failure reports about a domain, redacted: never a subject, header,
    // body or local part. `failure_detail` throws NotVisible.
    Table failures(const Principal& who, std::string_view domain, int days, const Page& page);
    Table failure_detail(const Principal& who, std::int64_t id);

    // A domain's messages grouped as `q` says (core/src/query/analytics.cpp):
    // tables "breakdown" (the `top` groups, most messages first, by day for
    // BreakdownBy::day; total = the number of groups), "totals" (one row:
    // the messages of the window and filter, however grouped) and
    // "domains" (the policy domains covered). Sums of message counts, never
    // rows; a DKIM or SPF breakdown counts a message once under each domain
    // its record names (once under NULL when it names none). Throws
    // NotVisible for a domain the principal cannot see.
    std::vector<Table> breakdown(const Principal& who, std::string_view domain,
                                 const BreakdownQuery& q);
    // The readiness of `domain`, or with `rollup` of each domain of its
    // organisation the principal sees (core/src/query/readiness.cpp).
    // Throws NotVisible as breakdown does.
    std::vector<Readiness> readiness(const Principal& who, std::string_view domain, int days,
                                     bool rollup);

    // Operator views; NotVisible for an account's principal.
    Table quarantine(const Principal& who, const Page& page);
    Table conflicts(const Principal& who, const Page& page);

    // The alerts raised for the principal's account (every account for the
    // operator) in the last `days` UTC days, newest first (sql/0018).
    Table alerts(const Principal& who, int days, const Page& page);

    // Per domain, 30 days: messages and compliant messages, the busiest
    // `max_domains` first. Admin only (NotVisible otherwise).
    Table metrics(const Principal& who, std::int64_t max_domains);

private:
    ConnectionPool& m_pool;
    std::int64_t m_statement_timeout_ms;
};

} // namespace rua::query
