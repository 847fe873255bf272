// The SMTP TLS report (RFC 8460): the typed fields every part of the tlsrpt
// kind shares. Enumerations (policy-type, result-type) are kept as
// lower-cased text so that a value a sender invents survives (flagged in
// warnings) instead of being rejected or silently mapped. Plain data only:
// parsing, storing and the JSON form live in core/src/kinds/tlsrpt/.
#pragma once

#include <rua/model.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rua {

// One "failure-details" entry: sessions that failed one way.
struct TlsFailureDetail {
    std::string result_type;                 // lower-cased: "certificate-expired", ...
    std::optional<IpAddress> sending_mta_ip; // absent (Microsoft) or unparsable: nullopt
    OptString receiving_mx_hostname;
    OptString receiving_mx_helo;
    std::optional<IpAddress> receiving_ip;
    std::uint64_t failed_session_count = 0;
    OptString additional_information; // also read from "additional-info-uri"
    OptString failure_reason_code;
};

// One "policies" entry: the policy the sender applied and its sessions.
struct TlsPolicy {
    std::string policy_type;                // lower-cased: "sts", "tlsa", "no-policy-found", ...
    std::vector<std::string> policy_string; // MTA-STS policy lines or TLSA records
    std::string policy_domain;              // normalize_domain's form, else as sent
    std::vector<std::string> mx_host;       // also read from "mx-host-pattern"
    std::uint64_t successful = 0;           // total-successful-session-count
    std::uint64_t failed = 0;               // total-failure-session-count
    std::vector<TlsFailureDetail> failure_details;
};

struct TlsReport final : Report {
    std::string organization_name;
    std::string report_id;
    OptString contact_info;
    std::int64_t begin = 0; // UTC seconds, fractions floored
    std::int64_t end = 0;
    std::vector<TlsPolicy> policies;

    std::string_view kind() const override { return "tlsrpt"; }
    std::string identifier() const override { return report_id; }
    std::string reporter() const override { return organization_name; }
    // contact-info's domain: "mailto:a@b", "a@b" or an https URL's host.
    std::string reporter_domain() const override;
    // Every policy's policy-domain, lower-cased, each once, in report order.
    std::vector<std::string> domains() const override;
    std::size_t items() const override { return policies.size(); }
    std::string_view item_noun() const override { return "policy"; }
    std::string to_json() const override;
    std::string fingerprint() const override;
};

} // namespace rua
