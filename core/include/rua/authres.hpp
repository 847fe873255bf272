// Authentication-Results header fields (RFC 8601) and what they say about a
// report's own message: parsing one field's value, choosing the fields a
// trusted upstream added, and the per-report verdict. Pure functions on
// sender text: bounded, never does I/O, never throws for bad input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rua {

// One resinfo: "dkim=pass (comment) header.d=example.com".
struct AuthMethodResult {
    std::string method; // lower case, without a version: "dkim", "dmarc", "spf"
    std::string result; // lower case: "pass", "fail", "none", ...
    std::string reason; // reason=..., unquoted; empty when absent
    // ptype.property (lower case, "header.d") and its value as given
    // (quotes and comments removed). A property without a ptype (a
    // vendor's "action=none") keeps its bare name.
    std::vector<std::pair<std::string, std::string>> properties;

    // The first value of `name` ("header.d"); nullptr when absent.
    const std::string* property(std::string_view name) const;
};

// One Authentication-Results field.
struct AuthResults {
    std::string authserv_id;               // lower case
    std::optional<std::uint32_t> version;  // the number after the authserv-id, if any
    std::vector<AuthMethodResult> results; // empty for "none"
};

// Bounds on one field's value: past them the field is refused as a whole.
inline constexpr std::size_t k_authres_max_bytes = 8192;
inline constexpr std::size_t k_authres_max_results = 64;
inline constexpr std::size_t k_authres_max_properties = 32;
inline constexpr int k_authres_max_comment_depth = 8;

// Parses the value of one Authentication-Results field (after the colon,
// folded or not). std::nullopt when it is not one: no authserv-id, a
// resinfo without "method=result", an unterminated comment or quoted
// string, a control character, or a bound above exceeded. Never throws
// (but std::bad_alloc).
std::optional<AuthResults> parse_authentication_results(std::string_view value);

// The verdict on one report's message.
enum class Authenticity {
    unknown,         // no trusted Authentication-Results (or the feature is off)
    unauthenticated, // trusted results present, nothing aligned with the reporter passed
    dkim_aligned,    // dkim=pass with header.d in the reporter's organisation
    dmarc_pass,      // dmarc=pass with header.from in the reporter's organisation
};
// "unknown", "unauthenticated", "dkim-aligned", "dmarc-pass".
const char* to_string(Authenticity authenticity);
// The inverse of to_string; std::nullopt for other text.
std::optional<Authenticity> authenticity_from_string(std::string_view text);
// dmarc-pass or dkim-aligned.
bool is_authentic(Authenticity authenticity);

// What to believe of a message's Authentication-Results.
struct AuthenticityPolicy {
    // authserv-ids whose fields count (lower case); empty: the feature is
    // off and every report is `unknown`.
    std::vector<std::string> trusted_ids;
    // This host's name as its own Received field gives it after "by" (the
    // MTA's `j` macro). A trusted field below the first Received field by
    // this host was there before this host received the message, so it is
    // ignored. Empty: no such Received field is looked for (Postfix does
    // not show its own to milters; the MTA must strip forged fields).
    std::string own_host;
};

// The Authentication-Results fields of the message's header (raw bytes,
// the header ends at the first empty line) that `policy` trusts, top
// first. Fields that do not parse are ignored. Bounded by the message's
// own size; at most k_authres_max_results fields are kept.
std::vector<AuthResults> trusted_authentication_results(std::string_view raw_message,
                                                        const AuthenticityPolicy& policy);

struct AuthenticityFinding {
    Authenticity verdict = Authenticity::unknown;
    std::string authserv_id; // the field that decided; empty for unknown
};

// The verdict for a report whose reporter's domain is `reporter_domain`
// (empty when the report names none: never aligned), given the trusted
// fields of its message.
AuthenticityFinding judge_authenticity(const std::vector<AuthResults>& trusted,
                                       std::string_view reporter_domain);

} // namespace rua
