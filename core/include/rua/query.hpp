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
