// Report-level validation: what makes a parsed document a storable report.
// Rejects only what the store cannot key on (report_id, policy domain, date
// range); everything else odd is kept and explained in Report::warnings.
#include "validate.hpp"

#include "xml_values.hpp"

#include <rua/address.hpp>
#include <rua/errors.hpp>

#include <string>

namespace rua::detail {

namespace {

constexpr std::string_view k_rfc9990_namespace = "urn:ietf:params:xml:ns:dmarc-2.0";
constexpr std::string_view k_draft_namespace_prefix = "http://dmarc.org/dmarc-xml/";

// The domain of a contact address: "noreply@Example.COM" -> "example.com";
// also accepts "<a@b>" and "mailto:a@b". Empty when there is no '@'.
std::string email_domain(std::string_view email) {
    const std::size_t at = email.rfind('@');
    if (at == std::string_view::npos) {
        return {};
    }
    std::string_view domain = email.substr(at + 1);
    while (!domain.empty() && (domain.back() == '>' || domain.back() == '.')) {
        domain.remove_suffix(1);
    }
    return to_lower_ascii(trim(domain));
}

// The policy domain in the one normal form (rua/address.hpp) before the
// exactly-once key and the fingerprint see it: "Example.COM." is a
// second copy of "example.com", not a second report. A domain that does not
// normalise is kept as sent, with a warning.
void normalize_policy_domain(AggregateReport& report) {
    auto& domain = report.policy.domain;
    Warnings warnings(report.warnings);
    if (auto normal = normalize_domain(domain)) {
        domain = std::move(*normal);
    } else {
        warnings.add("policy_published/domain " + excerpt(domain) + " is not a domain name");
    }
}

} // namespace

// The rule, in order:
//   1. namespace urn:ietf:params:xml:ns:dmarc-2.0           -> "rfc9990"
//   2. any namespace under http://dmarc.org/dmarc-xml/ (0.1 from AOL's
//      2012 reports, 0.2 from the DMARCbis drafts)           -> "draft"
//   3. no such namespace but <version> 2.x (DMARCbis drafts)  -> "draft"
//   4. everything else                                        -> "rfc7489"
// The pre-RFC form published on the dmarc.org wiki has the same elements as
// RFC 7489 Appendix C and no marker of its own (no version, no namespace),
// so it cannot be told apart and is read and labelled as "rfc7489".
const char* schema_flavour(const OptString& xml_namespace, const OptString& version) {
    if (xml_namespace) {
        if (*xml_namespace == k_rfc9990_namespace) {
            return "rfc9990";
        }
        if (xml_namespace->compare(0, k_draft_namespace_prefix.size(), k_draft_namespace_prefix) ==
            0) {
            return "draft";
        }
    }
    if (version && !version->empty() && (*version)[0] == '2' &&
        (version->size() == 1 || (*version)[1] == '.')) {
        return "draft";
    }
    return "rfc7489";
}

AggregateReport finish_report(ReportDraft draft) {
    AggregateReport report = std::move(draft.report);
    if (report.report_id.empty()) {
        throw BadInput("missing report_id");
    }
    if (report.policy.domain.empty()) {
        throw BadInput("missing policy_published/domain");
    }
    normalize_policy_domain(report);
    if (!draft.begin) {
        throw BadInput("missing date_range/begin");
    }
    if (!draft.end) {
        throw BadInput("missing date_range/end");
    }
    report.begin = *draft.begin;
    report.end = *draft.end;
    Warnings warnings(report.warnings);
    // Kept, not rejected: the numbers are the sender's, and a reversed range
    // says nothing about the records; the store keys on them as they are.
    if (report.end < report.begin) {
        warnings.add("date_range end " + std::to_string(report.end) + " is before begin " +
                     std::to_string(report.begin));
    }
    if (!report.org_name) {
        const std::string domain = report.email ? email_domain(*report.email) : std::string();
        if (!domain.empty()) {
            report.org_name = domain;
            warnings.add("org_name missing; using the domain of email (" + domain + ")");
        } else {
            warnings.add("org_name missing and no email domain to use instead");
        }
    }
    report.schema = schema_flavour(report.xml_namespace, draft.version);
    return report;
}

} // namespace rua::detail
