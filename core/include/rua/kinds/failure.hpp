// The DMARC failure report (RFC 6591 ARF as updated by RFC 9991, and the
// plain-text notices some senders send instead): the typed fields every part
// of the failure kind shares. Values are kept as the report states them
// (enumerations lower-cased); nothing here masks anything: redaction is a
// storage decision (private_form, the writer), never a parsing one.
#pragma once

#include <rua/model.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rua {

// One header field: its name as written, its value unfolded (line breaks
// removed, white space runs made one space) and trimmed.
struct ArfField {
    std::string name;
    std::string value;
};

// The message the report is about, as far as the report carries it.
struct FailureOriginal {
    OptString from;                          // the first From address, without angle brackets
    std::vector<std::string> to;             // every To address
    OptString subject;                       // RFC 2047-decoded, unfolded
    OptString message_id;                    // without angle brackets
    std::optional<std::int64_t> date;        // UTC seconds
    bool headers_only = true;                // no body came with it (text/rfc822-headers)
    std::optional<std::uint64_t> body_bytes; // the body's size as carried
    std::vector<ArfField> headers;           // every header field, in order
    std::string body;                        // as carried, cut at Limits::max_original_body_bytes
    std::string subject_sha256;              // hex sha256 of `subject`; "" without one
    std::optional<std::int64_t> subject_length; // bytes of `subject`
};

struct FailureReport final : Report {
    std::string format;      // "arf" (message/feedback-report) or "text" (a notice)
    OptString feedback_type; // lower case: "auth-failure", "abuse", ...
    OptString user_agent;
    OptString version;
    std::optional<std::int64_t> arrival_date; // UTC seconds
    std::optional<IpAddress> source_ip;
    OptString reported_domain;
    OptString original_mail_from; // without angle brackets; "" when empty (<>)
    std::vector<std::string> original_rcpt_to;
    OptString reporting_mta;                     // the host name, without its "dns;" type
    std::vector<std::string> auth_failure;       // lower case
    OptString delivery_result;                   // lower case
    std::vector<std::string> identity_alignment; // lower case: "dkim", "spf", "none"
    OptString dkim_domain;
    OptString dkim_identity;
    OptString dkim_selector;
    OptString spf_dns;
    std::vector<std::string> authentication_results;
    FailureOriginal original;
    // Every field of the message/feedback-report part (ARF) or every
    // "Name: value" line of the notice (text form), in order: the input of
    // the exactly-once key and of private_form.
    std::vector<ArfField> fields;

    std::string_view kind() const override { return "failure"; }
    // The first 16 hex digits of sha256(fingerprint()).
    std::string identifier() const override;
    std::string reporter() const override {
        return reporting_mta ? *reporting_mta : user_agent.value_or(std::string());
    }
    std::string reporter_domain() const override { return reporting_mta.value_or(std::string()); }
    // {reported_domain}, else {the original From's domain}, normalised
    // (rua/address.hpp; lower-cased when that fails);
    // empty when the report names neither (never for a stored report).
    std::vector<std::string> domains() const override;
    std::size_t items() const override { return 1; }
    std::string_view item_noun() const override { return "message"; }
    std::string to_json() const override;
    // The content key: the fields (names lower-cased, sorted), the original's
    // Message-ID and the reported domain; for the text form also the
    // original's header fields. Never how the report arrived.
    std::string fingerprint() const override;
    // Set for ARF whose Feedback-Type is not auth-failure (abuse, fraud, ...).
    std::optional<NotStorable> not_storable() const override;
    // A small ARF e-mail holding what `privacy` keeps (nullopt for full).
    std::optional<std::string> private_form(Privacy privacy) const override;
};

} // namespace rua
