// The member tables of the tlsrpt kind (members.hpp): RFC 8460's names, the
// alternative spellings its own field descriptions use, and the policy and
// result types IANA registers (anything else is kept and flagged).
#include "kinds/tlsrpt/members.hpp"

#include <algorithm>
#include <array>

namespace rua::detail::tlsrpt {

namespace {

constexpr std::array<MemberName, 26> k_members = {{
    {Ctx::report, "organization-name", Member::organization_name, false},
    {Ctx::report, "date-range", Member::date_range, false},
    {Ctx::report, "contact-info", Member::contact_info, false},
    {Ctx::report, "report-id", Member::report_id, false},
    {Ctx::report, "policies", Member::policies, false},
    {Ctx::date_range, "start-datetime", Member::start_datetime, false},
    {Ctx::date_range, "end-datetime", Member::end_datetime, false},
    {Ctx::policy_entry, "policy", Member::policy, false},
    {Ctx::policy_entry, "summary", Member::summary, false},
    {Ctx::policy_entry, "failure-details", Member::failure_details, false},
    {Ctx::policy, "policy-type", Member::policy_type, false},
    {Ctx::policy, "policy-string", Member::policy_string, false},
    {Ctx::policy, "policy-domain", Member::policy_domain, false},
    {Ctx::policy, "mx-host", Member::mx_host, false},
    {Ctx::policy, "mx-host-pattern", Member::mx_host, true},
    {Ctx::summary, "total-successful-session-count", Member::successful, false},
    {Ctx::summary, "total-failure-session-count", Member::failed, false},
    {Ctx::failure, "result-type", Member::result_type, false},
    {Ctx::failure, "sending-mta-ip", Member::sending_mta_ip, false},
    {Ctx::failure, "receiving-mx-hostname", Member::receiving_mx_hostname, false},
    {Ctx::failure, "receiving-mx-helo", Member::receiving_mx_helo, false},
    {Ctx::failure, "receiving-ip", Member::receiving_ip, false},
    {Ctx::failure, "failed-session-count", Member::failed_session_count, false},
    {Ctx::failure, "additional-information", Member::additional_information, false},
    {Ctx::failure, "additional-info-uri", Member::additional_information, true},
    {Ctx::failure, "failure-reason-code", Member::failure_reason_code, false},
}};

constexpr std::array<std::string_view, 3> k_policy_types = {"sts", "tlsa", "no-policy-found"};
constexpr std::array<std::string_view, 11> k_result_types = {
    "starttls-not-supported", "certificate-host-mismatch",
    "certificate-expired",    "certificate-not-trusted",
    "validation-failure",     "tlsa-invalid",
    "dnssec-invalid",         "dane-required",
    "sts-policy-fetch-error", "sts-policy-invalid",
    "sts-webpki-invalid"};

template <std::size_t N>
bool known(const std::array<std::string_view, N>& values, std::string_view value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

} // namespace

std::string_view member_name(Member member) {
    for (const auto& m : k_members) {
        if (m.member == member && !m.alias) {
            return m.name;
        }
    }
    return "member";
}

std::string_view expected_type(Member member) {
    switch (member) {
    case Member::date_range:
    case Member::policy:
    case Member::summary:
        return "an object";
    case Member::policies:
    case Member::failure_details:
        return "a list";
    case Member::policy_string:
    case Member::mx_host:
        return "a list of strings";
    case Member::successful:
    case Member::failed:
    case Member::failed_session_count:
        return "a number";
    default:
        return "a string";
    }
}

const MemberName* find_member(Ctx ctx, std::string_view name) {
    const auto found = std::find_if(k_members.begin(), k_members.end(), [&](const MemberName& m) {
        return m.ctx == ctx && m.name == name;
    });
    return found == k_members.end() ? nullptr : &*found;
}

bool known_policy_type(std::string_view type) {
    return known(k_policy_types, type);
}

bool known_result_type(std::string_view type) {
    return known(k_result_types, type);
}

} // namespace rua::detail::tlsrpt
