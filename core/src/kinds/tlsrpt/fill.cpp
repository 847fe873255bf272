// What the values of a TLS report become (ReportHandler::apply) and what an
// object must hold when it closes (the close_* checks): the tolerated
// quirks, each flagged with one short warning, and the refusals, each with
// its precise message. Sender text always goes through printable().
#include "filename.hpp"
#include "kinds/tlsrpt/handler.hpp"

#include <rua/address.hpp>
#include <rua/errors.hpp>

#include <fmt/format.h>

namespace rua::detail::tlsrpt {

namespace {

constexpr std::size_t k_quoted_max = 64; // sender text quoted in a warning

} // namespace

std::string ReportHandler::take_string(Member member, const Scalar& value,
                                       std::string* text) const {
    if (value.type != Scalar::Type::string) {
        throw BadInput(fmt::format("{} is not {}", label(member), expected_type(member)));
    }
    check_length(text->size(), label(member));
    return std::move(*text);
}

OptString ReportHandler::take_optional(Member member, const Scalar& value,
                                       std::string* text) const {
    if (value.type == Scalar::Type::null) {
        return std::nullopt;
    }
    std::string s = take_string(member, value, text);
    return s.empty() ? OptString() : OptString(std::move(s));
}

void ReportHandler::apply(Member member, const Scalar& value, std::string* text) {
    const auto enumeration = [&](std::string_view noun) {
        const std::string original = take_string(member, value, text);
        if (original.empty()) {
            throw BadInput(label(member) + " is empty");
        }
        std::string lowered = lower(original);
        if (lowered != original) {
            m_warnings.add(fmt::format("{}{} \"{}\" lower-cased", where(), noun,
                                       printable(original, k_quoted_max)));
        }
        return lowered;
    };
    const auto address = [&]() -> std::optional<IpAddress> {
        const OptString raw = take_optional(member, value, text);
        if (!raw) {
            if (member == Member::sending_mta_ip) {
                m_warnings.add(label(member) + " is null");
            }
            return std::nullopt;
        }
        auto ip = IpAddress::parse(*raw);
        if (!ip) {
            m_warnings.add(fmt::format("{} \"{}\" is not an IP address", label(member),
                                       printable(*raw, k_quoted_max)));
        }
        return ip;
    };
    switch (member) {
    case Member::organization_name:
        m_report->organization_name = take_string(member, value, text);
        break;
    case Member::report_id:
        m_report->report_id = take_string(member, value, text);
        break;
    case Member::contact_info:
        m_report->contact_info = take_optional(member, value, text);
        if (value.type == Scalar::Type::null) {
            m_warnings.add("contact-info is null");
        }
        break;
    case Member::start_datetime:
        m_report->begin =
            parse_datetime(take_string(member, value, text), "start-datetime", m_warnings);
        break;
    case Member::end_datetime:
        m_report->end =
            parse_datetime(take_string(member, value, text), "end-datetime", m_warnings);
        break;
    case Member::policy_type: {
        policy().policy_type = enumeration("policy-type");
        const std::string& type = policy().policy_type;
        if (type == "no-policy-found") {
            m_warnings.add(where() + "policy-type no-policy-found");
        } else if (!known_policy_type(type)) {
            m_warnings.add(fmt::format("{}unknown policy-type \"{}\"", where(),
                                       printable(type, k_quoted_max)));
        }
        break;
    }
    case Member::policy_domain: {
        std::string domain = take_string(member, value, text);
        if (!domain.empty() && domain.back() == '.') {
            domain.pop_back();
            m_warnings.add(where() + "trailing dot removed from policy-domain");
        }
        if (domain.empty()) {
            throw BadInput(label(member) + " is empty");
        }
        // The one normal form (rua/address.hpp) before the fingerprint sees
        // it; a name that does not normalise is kept as sent, with a warning.
        if (auto normal = normalize_domain(domain)) {
            domain = std::move(*normal);
        } else {
            m_warnings.add(fmt::format("{}policy-domain \"{}\" is not a domain name", where(),
                                       printable(domain, k_quoted_max)));
        }
        policy().policy_domain = std::move(domain);
        break;
    }
    case Member::policy_string:
    case Member::mx_host: {
        auto& list = member == Member::mx_host ? policy().mx_host : policy().policy_string;
        list = {take_string(member, value, text)};
        m_warnings.add(label(member) + " is a string, not a list");
        break;
    }
    case Member::successful:
        policy().successful = parse_count(value, label(member), m_limits, m_warnings);
        break;
    case Member::failed:
        policy().failed = parse_count(value, label(member), m_limits, m_warnings);
        break;
    case Member::failed_session_count:
        failure().failed_session_count = parse_count(value, label(member), m_limits, m_warnings);
        break;
    case Member::result_type: {
        failure().result_type = enumeration("result-type");
        const std::string& type = failure().result_type;
        if (!known_result_type(type)) {
            m_warnings.add(fmt::format("{}unknown result-type \"{}\"", where(),
                                       printable(type, k_quoted_max)));
        }
        break;
    }
    case Member::sending_mta_ip:
        failure().sending_mta_ip = address();
        break;
    case Member::receiving_ip:
        failure().receiving_ip = address();
        break;
    case Member::receiving_mx_hostname:
        failure().receiving_mx_hostname = take_optional(member, value, text);
        break;
    case Member::receiving_mx_helo:
        failure().receiving_mx_helo = take_optional(member, value, text);
        break;
    case Member::additional_information:
        failure().additional_information = take_optional(member, value, text);
        break;
    case Member::failure_reason_code:
        failure().failure_reason_code = take_optional(member, value, text);
        break;
    default: // a container member given a scalar
        throw BadInput(fmt::format("{} is not {}", label(member), expected_type(member)));
    }
}

void ReportHandler::close_report(std::uint32_t seen) {
    if (!m_is_report) {
        return; // {}: nothing says it is a TLS report
    }
    const TlsReport& r = *m_report;
    if (!has_member(seen, Member::organization_name)) {
        throw BadInput("missing organization-name");
    }
    if (r.organization_name.empty()) {
        throw BadInput("organization-name is empty");
    }
    if (!has_member(seen, Member::report_id)) {
        throw BadInput("missing report-id");
    }
    if (r.report_id.empty()) {
        throw BadInput("report-id is empty");
    }
    if (!has_member(seen, Member::date_range)) {
        throw BadInput("missing date-range");
    }
    if (!has_member(seen, Member::policies)) {
        throw BadInput("missing policies");
    }
    if (r.policies.empty()) {
        throw BadInput("policies is empty");
    }
    if (!has_member(seen, Member::contact_info)) {
        m_warnings.add("no contact-info");
    }
    if (r.end < r.begin) {
        m_warnings.add("end-datetime is before start-datetime");
    }
}

void ReportHandler::close_policy(std::uint32_t seen) {
    if (!has_member(seen, Member::policy_type)) {
        throw BadInput(where() + "missing policy-type");
    }
    if (!has_member(seen, Member::policy_domain)) {
        throw BadInput(where() + "missing policy-domain");
    }
}

void ReportHandler::close_policy_entry(std::uint32_t seen) {
    if (!has_member(seen, Member::policy)) {
        throw BadInput(where() + "missing policy");
    }
    if (!has_member(seen, Member::summary)) {
        m_warnings.add(where() + "no summary (session counts taken as 0)");
    }
    if (!has_member(seen, Member::failure_details) && policy().failed > 0) {
        m_warnings.add(
            fmt::format("{}{} failed sessions but no failure-details", where(), policy().failed));
    }
}

void ReportHandler::close_summary(std::uint32_t seen) {
    for (const Member member : {Member::successful, Member::failed}) {
        if (!has_member(seen, member)) {
            m_warnings.add(fmt::format("{}no {} (taken as 0)", where(), member_name(member)));
        }
    }
}

void ReportHandler::close_failure(std::uint32_t seen) {
    if (!has_member(seen, Member::result_type)) {
        throw BadInput(where() + "missing result-type");
    }
    if (!has_member(seen, Member::failed_session_count)) {
        m_warnings.add(where() + "no failed-session-count (taken as 0)");
    }
    if (!has_member(seen, Member::sending_mta_ip)) {
        m_warnings.add(where() + "no sending-mta-ip");
    }
}

} // namespace rua::detail::tlsrpt
