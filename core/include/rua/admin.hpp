// Operator queries behind `ruactl`: registry management (accounts, their
// domains, rua addresses), the quarantine (list, show, reprocess, purge) and
// per-domain summaries. All admin SQL lives behind this header; callers see
// std types only. Never used by the milter's SMTP path.
#pragma once

#include <rua/errors.hpp>
#include <rua/limits.hpp>
#include <rua/model.hpp>
#include <rua/registry.hpp>
#include <rua/store.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua {

// A request the registry or the quarantine refuses (the message says why,
// in one line, naming the object).
class AdminError : public Error {
public:
    using Error::Error;
};

// The object named does not exist.
class NotFound : public AdminError {
public:
    using AdminError::AdminError;
};

// The object to create exists already.
class AlreadyExists : public AdminError {
public:
    using AdminError::AdminError;
};

struct AccountInfo {
    std::string name;
    std::vector<std::string> domains; // sorted; empty: any domain accepted
    std::size_t rua_count = 0;
};

struct QuarantineEntry {
    std::int64_t id = 0;
    std::int64_t received_at = 0; // UTC seconds
    std::string via;
    OptString rua;
    OptString file;
    OptString queue_id;
    std::string reason;
    OptString detail;
    std::int64_t size = 0;
    std::optional<std::int64_t> resolved_at;
    std::vector<std::int64_t> resolved_report_ids;
};

struct ReprocessCounts {
    std::size_t stored = 0;            // resolved: at least one new report stored
    std::size_t duplicate = 0;         // resolved: every report was stored already
    std::size_t still_failing = 0;     // left in the quarantine
    std::size_t skipped = 0;           // asked for, but missing or already resolved
    std::vector<std::string> messages; // "quarantine 7: <why>", one per failure
};

// A conflicting copy of a stored report (report_conflict): same exactly-once
// key, other content. Text fields are as the sender sent them: escape them
// before printing.
struct ConflictEntry {
    std::int64_t id = 0;
    std::string kind;
    std::string report_key;                    // the kind's key as a JSON object
    std::int64_t stored_report_id = 0;         // the first stored copy, in the kind's table
    std::string fingerprint;                   // hex sha256 of the conflicting copy's content
    std::optional<std::int64_t> raw_report_id; // its attachment, kept in raw_report
    std::int64_t received_at = 0;              // UTC seconds
    std::string via;
    OptString rua;
    OptString file;
    OptString queue_id;
    OptString resolution; // null while open
};

// One section of `ruactl summary`: a titled table from one kind's writer.
// Cells are text (numbers in decimal); null is an absent value.
struct SummaryTable {
    std::string kind;                 // Report::kind() it summarises
    std::string name;                 // stable key for JSON and CSV: "by_reporter"
    std::string title;                // for the table form: "BY REPORTER"
    std::vector<std::string> columns; // stable keys: "reporter", "messages", ...
    std::vector<bool> numeric;        // per column: right-aligned, bare in JSON
    std::vector<std::vector<OptString>> rows;
};

// `ruactl summary` for one domain: every kind's sections.
struct DomainSummary {
    std::string domain;                // lower-cased
    std::optional<std::int64_t> since; // UTC seconds; reports ending before are left out
    std::vector<SummaryTable> tables;  // kinds in registration order
};

// An API token of rua-web (never its text nor its hash). Times in UTC seconds.
struct TokenInfo {
    std::int64_t id = 0;
    OptString account; // null: an admin token (every account)
    OptString label;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> revoked_at;
};

// One administrative session: a single database connection opened on first
// use from the pool's conninfo (admin work is sequential), plus the pool
// itself for storing reprocessed reports through Store. Every method throws
// TryLater when the database cannot be reached, AdminError (or a subclass)
// for a refused request, and Error for anything else the database reports.
class Admin {
public:
    explicit Admin(ConnectionPool& pool); // no I/O
    ~Admin();
    Admin(const Admin&) = delete;
    Admin& operator=(const Admin&) = delete;

    // Registry. Names, addresses and domains are normalised (trimmed, lower
    // case; addresses lose angle brackets) before they are stored or compared.
    void add_account(std::string_view name);
    std::vector<AccountInfo> accounts();
    void add_domain(std::string_view domain, std::string_view account);
    // `account` may be empty when the domain belongs to exactly one account.
    // Returns how many domains that account still lists (0: it now accepts
    // reports for any domain).
    std::size_t remove_domain(std::string_view domain, std::string_view account);
    // Registers `address` for `account`; an empty account means the account
    // named after the address's domain, created when missing (a named account
    // must exist). `domains` are added to that account. One transaction.
    // Returns the account used.
    std::string add_rua(std::string_view address, std::string_view account,
                        const std::vector<std::string>& domains);
    std::vector<RuaEntry> ruas(); // sorted by address
    void remove_rua(std::string_view address);
    void set_rua_active(std::string_view address, bool active);

    // Quarantine. list: newest first; unresolved only unless `all`.
    std::vector<QuarantineEntry> quarantine_list(std::size_t limit, bool all);
    QuarantineEntry quarantine_get(std::int64_t id); // throws NotFound
    std::string quarantine_raw(std::int64_t id);     // throws NotFound
    // Runs the current parser on unresolved rows (`ids` empty: all of them);
    // stores what now parses (the rua's domain check applies) and marks the
    // row resolved with the new report ids. Idempotent: a row stored but not
    // yet marked is found duplicate next time and marked then.
    ReprocessCounts quarantine_reprocess(const std::vector<std::int64_t>& ids, const Limits& limits,
                                         Privacy privacy = Privacy::redacted);
    // Deletes rows received more than `age_seconds` ago; returns how many.
    std::size_t quarantine_purge_older(std::int64_t age_seconds);
    std::size_t quarantine_purge_ids(const std::vector<std::int64_t>& ids);

    // Conflicting copies, oldest first; only `kind`'s when given.
    std::vector<ConflictEntry> conflicts(const std::optional<std::string>& kind, std::size_t limit);

    // Every kind's summary of one domain (exact match, case-insensitive),
    // for reports whose period ends after `since_seconds_ago` when given;
    // only the kinds named in `kinds` when it is not empty.
    DomainSummary summary(std::string_view domain, std::optional<std::int64_t> since_seconds_ago,
                          const std::vector<std::string>& kinds = {});
    // The registered report kinds, for --kind.
    static std::vector<std::string> kinds();

    // API tokens (rua-web; core/src/store/admin_tokens.cpp). add_token makes
    // a token for the account named `account` (std::nullopt: an admin token),
    // stores only its sha256 and returns its text ("rua_" and 43 base64url
    // characters), to be shown once. Throws NotFound for an unknown account,
    // AdminError for a label with a control character or past 200 bytes, and
    // Error when no random bytes can be had.
    std::string add_token(const std::optional<std::string>& account, const OptString& label);
    // Every token (only `account`'s when given), by id. Throws NotFound for
    // an unknown account.
    std::vector<TokenInfo> tokens(const std::optional<std::string>& account);
    // Revokes token `id` and deletes its web sessions. Returns false when it
    // was revoked already (its sessions are deleted all the same). Throws
    // NotFound for an unknown id.
    bool revoke_token(std::int64_t id);

    // The daily rollup (sql/0013; core/src/store/admin_rollup.cpp): folds
    // every pending report into the folded tables in one transaction and
    // returns how many it folded.
    std::int64_t fold_rollup();

    struct Impl;

private:
    ConnectionPool& m_pool;
    std::unique_ptr<Impl> m_impl;
};

} // namespace rua
