// process_message: the one decision path from raw message to verdict, used by
// the milter at end of message and by `ruactl import`. It never lets an
// exception out for bad input or an outage: those are verdicts.
#include <rua/errors.hpp>
#include <rua/process.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace rua {

const char* to_string(Verdict verdict) {
    switch (verdict) {
    case Verdict::stored:
        return "stored";
    case Verdict::duplicate:
        return "duplicate";
    case Verdict::quarantined:
        return "quarantined";
    case Verdict::rejected:
        return "rejected";
    case Verdict::try_later:
        return "tempfail";
    }
    return "unknown";
}

std::size_t ProcessResult::items() const {
    return ingest.items();
}

namespace {

// Why a message yields nothing storable, as a short code (quarantine.reason)
// and one line of detail.
struct Refusal {
    std::string code;
    std::string detail;
    bool always_quarantine = false; // not bad input: never rejected
};

// "account a does" or "accounts a, b do", each account named once.
std::string accounts_do(const std::vector<RuaEntry>& ruas) {
    std::vector<std::string> names;
    for (const auto& rua : ruas) {
        if (std::find(names.begin(), names.end(), rua.account) == names.end()) {
            names.push_back(rua.account);
        }
    }
    return names.size() == 1 ? fmt::format("account {} does", names.front())
                             : fmt::format("accounts {} do", fmt::join(names, ", "));
}

// Any of the message's rua recipients may own a report's domain: a message
// to two accounts' addresses carries reports for either.
std::optional<Refusal> check_domains_of(const Report& report, const std::vector<RuaEntry>& ruas) {
    for (const auto& domain : report.domains()) {
        if (!Registry::any_owns_domain(ruas, domain)) {
            return Refusal{"foreign_domain",
                           fmt::format("{} report {} is for domain {}, which {} not "
                                       "receive reports for",
                                       report.kind(), report.identifier(), domain,
                                       accounts_do(ruas)),
                           false};
        }
    }
    return std::nullopt;
}

std::optional<Refusal> check_domains(const IngestResult& result,
                                     const std::vector<RuaEntry>& ruas) {
    for (const auto& report : result.reports) {
        if (auto refusal = check_domains_of(*report, ruas)) {
            return refusal;
        }
    }
    return std::nullopt;
}

// A report that parsed but must not be stored (an ARF abuse report): the
// whole message is quarantined, never rejected.
std::optional<Refusal> check_storable(const IngestResult& result) {
    for (const auto& report : result.reports) {
        if (auto refusal = report->not_storable()) {
            return Refusal{refusal->code, refusal->detail, true};
        }
    }
    return std::nullopt;
}

// What the quarantine keeps: the message, or, when a report in it carries
// personal data, that report's private form under the configured privacy.
std::string_view kept_bytes(const ProcessResult& result, std::string_view raw, Privacy privacy,
                            std::string& storage) {
    for (const auto& report : result.ingest.reports) {
        if (auto kept = report->private_form(privacy)) {
            storage = std::move(*kept);
            return storage;
        }
    }
    return raw;
}

void refuse(ProcessResult& result, Store& store, std::string_view raw, const Arrival& arrival,
            const ProcessOptions& options, const Refusal& refusal) {
    result.reason = refusal.detail;
    result.reason_code = refusal.code;
    result.foreign_domain = refusal.code == "foreign_domain";
    if (!options.quarantine_bad && !refusal.always_quarantine) {
        result.verdict = Verdict::rejected;
        return;
    }
    std::string storage;
    result.quarantine_id =
        store.quarantine(kept_bytes(result, raw, options.privacy, storage), refusal.code,
                         refusal.detail, arrival, StoreJob{options.deadline, options.cancel});
    result.verdict = Verdict::quarantined;
}

// A part that failed beside stored reports must not vanish: the message is
// kept in the quarantine too, after the reports' transaction committed. If
// keeping it fails the verdict is try_later: the retry finds the reports as
// duplicates and keeps the message then (once per bytes and rua), so nothing
// is lost or doubled.
void keep_bad_parts(ProcessResult& result, Store& store, std::string_view raw,
                    const Arrival& arrival, const ProcessOptions& options) {
    for (const auto& d : result.ingest.diagnostics) {
        if (d.level == Diagnostic::Level::error) {
            result.bad_parts.push_back(d.text());
        }
    }
    if (result.bad_parts.empty() || !options.quarantine_bad) {
        return;
    }
    std::string storage;
    result.quarantine_id =
        store.quarantine(kept_bytes(result, raw, options.privacy, storage), "bad_part",
                         fmt::format("{}", fmt::join(result.bad_parts, "; ")), arrival,
                         StoreJob{options.deadline, options.cancel});
}

// Records the report's authenticity from the message's trusted
// Authentication-Results; with RequireAuthenticReports, one that is not
// authentic is refused (kept in the quarantine, never rejected: it is not
// bad input, only not proven to come from its reporter).
std::optional<Refusal> authenticate(Report& report, const std::vector<AuthResults>& trusted,
                                    const ProcessOptions& options) {
    const auto found = judge_authenticity(trusted, report.reporter_domain());
    report.authenticity = found.verdict;
    report.authserv_id = found.authserv_id;
    if (!options.require_authentic || is_authentic(found.verdict)) {
        return std::nullopt;
    }
    return Refusal{"unauthenticated",
                   fmt::format("{} report {} is {}: no trusted Authentication-Results show "
                               "DMARC pass or aligned DKIM for its reporter",
                               report.kind(), report.identifier(), to_string(found.verdict)),
                   true};
}

// Thrown by the admission checks to abandon a message before (or while)
// its reports are stored: nothing of it is kept but the quarantine row.
struct Refused {
    Refusal refusal;
};

} // namespace

ProcessResult process_message(Store& store, std::string_view raw, const Limits& limits,
                              const Arrival& arrival, const ProcessOptions& options) {
    ProcessResult result;
    const std::string source =
        arrival.file ? *arrival.file : (arrival.queue_id ? *arrival.queue_id : "-");
    try {
        std::optional<Refusal> refusal;
        const auto trusted = trusted_authentication_results(raw, options.authenticity);
        Store::Admission admission;
        // A report delivered while parsed: the domain check before any of it
        // is written (the message check below repeats it for every report).
        admission.report = [&](Report& report) {
            if (auto refused = report.not_storable()) {
                throw Refused{Refusal{refused->code, refused->detail, true}};
            }
            if (!options.ruas.empty()) {
                if (auto refused = check_domains_of(report, options.ruas)) {
                    throw Refused{*refused};
                }
            }
            if (auto refused = authenticate(report, trusted, options)) {
                throw Refused{*refused};
            }
        };
        admission.message = [&](const IngestResult& ingested) {
            std::optional<Refusal> why;
            if (ingested.reports.empty()) {
                bool had_error = false;
                for (const auto& d : ingested.diagnostics) {
                    had_error = had_error || d.level == Diagnostic::Level::error;
                }
                why =
                    Refusal{had_error ? "bad_report" : "no_report", ingested.first_error(), false};
            }
            if (!why) {
                why = check_storable(ingested);
            }
            if (!why && !options.ruas.empty()) {
                why = check_domains(ingested, options.ruas);
            }
            for (const auto& report : ingested.reports) {
                auto refused = authenticate(*report, trusted, options);
                if (!why && refused) {
                    why = std::move(refused);
                }
            }
            if (why) {
                throw Refused{*why};
            }
        };
        try {
            result.outcome = store.ingest_and_store(raw, limits, source, arrival, options.privacy,
                                                    StoreJob{options.deadline, options.cancel},
                                                    admission, result.ingest);
            result.verdict = result.outcome.stored() > 0 ? Verdict::stored : Verdict::duplicate;
            keep_bad_parts(result, store, raw, arrival, options);
            return result;
        } catch (const Refused& refused) {
            refusal = refused.refusal;
        } catch (const DatabaseRefused& e) {
            // The database refused the data: keep the message for a later fix.
            refusal = Refusal{"db_refused", e.what(), false};
        } catch (const LimitExceeded& e) {
            refusal = Refusal{"over_limit", e.what(), false};
        } catch (const BadInput& e) {
            refusal = Refusal{"bad_report", e.what(), false};
        }
        refuse(result, store, raw, arrival, options, *refusal);
    } catch (const TryLater& e) {
        result.verdict = Verdict::try_later;
        result.reason = e.what();
        result.reason_code = "try_later";
    } catch (const std::logic_error&) {
        throw;
    } catch (const std::exception& e) {
        // Unknown failure: answer "later" so the sender keeps the message.
        result.verdict = Verdict::try_later;
        result.reason = fmt::format("internal error: {}", e.what());
        result.reason_code = "try_later";
    }
    return result;
}

} // namespace rua
