// The members of an SMTP TLS report (RFC 8460 section 4.4) as the parser
// knows them: in which object each may appear, its spellings, and what its
// value must be. Plain tables, no parsing state; shared by the handler
// (handler.cpp) and the value readers (fill.cpp).
#pragma once

#include <cstdint>
#include <string_view>

namespace rua::detail::tlsrpt {

// Every member the parser reads (none: no member pending; unknown: one it
// ignores). At most 32: `seen` sets hold one bit per member.
enum class Member : std::uint8_t {
    none,
    unknown,
    organization_name,
    date_range,
    contact_info,
    report_id,
    policies,
    start_datetime,
    end_datetime,
    policy,
    summary,
    failure_details,
    policy_type,
    policy_string,
    policy_domain,
    mx_host,
    successful,
    failed,
    result_type,
    sending_mta_ip,
    receiving_mx_hostname,
    receiving_mx_helo,
    receiving_ip,
    failed_session_count,
    additional_information,
    failure_reason_code,
};

// Which part of the report an open JSON container fills.
enum class Ctx : std::uint8_t {
    report,       // the top-level object
    date_range,   // "date-range"
    policies,     // the "policies" list
    policy_entry, // one element of "policies"
    policy,       // its "policy" object
    summary,      // its "summary" object
    failures,     // its "failure-details" list
    failure,      // one failure detail
    list,         // a list of strings ("policy-string", "mx-host")
    skip,         // anything inside an unknown member: read and dropped
};

struct MemberName {
    Ctx ctx;
    std::string_view name;
    Member member;
    bool alias; // another spelling (RFC 8460's field descriptions use them)
};

// The member called `name` in an object of `ctx`; null when unknown.
const MemberName* find_member(Ctx ctx, std::string_view name);
// Its schema spelling, for messages.
std::string_view member_name(Member member);
// What its value must be: "an object", "a list", "a string", ...
std::string_view expected_type(Member member);
bool known_policy_type(std::string_view type);
bool known_result_type(std::string_view type);

inline std::uint32_t member_bit(Member member) {
    return 1u << static_cast<unsigned>(member);
}
inline bool has_member(std::uint32_t seen, Member member) {
    return (seen & member_bit(member)) != 0;
}

} // namespace rua::detail::tlsrpt
