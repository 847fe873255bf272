// One message, start to finish: ingest, check the domains against the rua's
// account, store in one transaction, or quarantine. Shared by the milter
// (end of message) and `ruactl import`, so both give the same verdicts.
#pragma once

#include <rua/authres.hpp>
#include <rua/cancel.hpp>
#include <rua/ingest.hpp>
#include <rua/registry.hpp>
#include <rua/store.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rua {

enum class Verdict {
    stored,      // at least one new report stored
    duplicate,   // every report was already stored (or conflicted)
    quarantined, // no storable report; the message is kept in `quarantine`
    rejected,    // no storable report and the caller asked not to quarantine
    try_later,   // cannot store now; nothing was written
};
const char* to_string(Verdict verdict);

struct ProcessOptions {
    bool quarantine_bad = true; // false: Verdict::rejected instead
    // The message's rua recipients. When not empty, every report must be
    // for a domain that at least one of their accounts owns
    // (Registry::any_owns_domain); empty: no domain check.
    std::vector<RuaEntry> ruas;
    Privacy privacy = Privacy::redacted; // what of personal data is kept (FailureReportPrivacy)
    // When set, every database transaction of this message sets its
    // statement_timeout to the time left (at least 1 ms); past it the verdict
    // is try_later and nothing is written.
    std::chrono::steady_clock::time_point deadline{}; // none when default
    // cancel() from another thread aborts the running statement: try_later,
    // the transaction rolled back. May be null.
    std::shared_ptr<CancelToken> cancel;
    // Which Authentication-Results of the message to believe (the milter's
    // TrustedAuthservIDs); empty trusted_ids: every report is `unknown`.
    AuthenticityPolicy authenticity;
    // RequireAuthenticReports: a report that is neither dmarc-pass nor
    // dkim-aligned is kept in the quarantine with reason `unauthenticated`.
    bool require_authentic = false;
};

struct ProcessResult {
    Verdict verdict = Verdict::try_later;
    std::string reason;             // one line: why quarantined/rejected/try_later
    bool foreign_domain = false;    // rejected or quarantined because of the domain check
    IngestResult ingest;            // what the core found
    MessageOutcome outcome;         // what the store did
    std::int64_t quarantine_id = 0; // the row kept (or found already kept: same bytes and rua)
    // Parts that failed beside reports that were stored (or were duplicates),
    // as Diagnostic::text(): "part 3 (text/xml, \"b.xml\"): ...". When not
    // empty the message is also kept in `quarantine` with reason bad_part
    // (quarantine_id), once per (bytes, rua), unless quarantine_bad is false.
    std::vector<std::string> bad_parts;
    // Short and stable, for logs and counters: for quarantined and rejected
    // the quarantine.reason code (no_report, bad_report, over_limit,
    // foreign_domain, db_refused, unauthenticated, or a kind's own code for a report that is
    // never stored); "try_later" for try_later; empty otherwise.
    std::string reason_code;

    std::size_t items() const; // Report::items() of the reports found
};

// Never throws for bad input or a database outage: the verdict says it.
// Throws only on our own bugs (std::logic_error) or std::bad_alloc.
ProcessResult process_message(Store& store, std::string_view raw, const Limits& limits,
                              const Arrival& arrival, const ProcessOptions& options);

} // namespace rua
