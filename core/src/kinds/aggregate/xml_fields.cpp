// What the text of each leaf element means: ReportHandler's store_leaf and
// store_record_leaf, kept apart from the event plumbing in xml_handler.cpp.
// Converts and normalises only; bad record values stop the parse with the
// record number and the value, never with a partial record.
#include "xml_handler.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace rua::detail {

void ReportHandler::store_leaf(Node node, const std::string& text) {
    AggregateReport& report = m_draft.report;
    PolicyPublished& policy = report.policy;
    const std::string_view value = trim(text);
    auto enum_or_null = [&](EnumField field, std::string_view what) -> OptString {
        if (value.empty()) {
            return std::nullopt;
        }
        return normalise_enum(value, field, what, m_warnings);
    };
    auto timestamp = [&](std::optional<std::int64_t>& out) {
        if (value.empty()) {
            return;
        }
        bool had_fraction = false;
        out = parse_timestamp(value, had_fraction);
        if (!out) {
            fail(false, "date_range/" + m_name + " " + quoted(value) + " is not a timestamp");
        }
        if (had_fraction) {
            m_warnings.add("date_range/" + m_name + " " + quoted(value) + " truncated to seconds");
        }
    };
    switch (node) {
    case Node::version:
        m_draft.version = opt_text(value);
        break;
    case Node::org_name:
        report.org_name = opt_text(value);
        break;
    case Node::email:
        report.email = opt_text(value);
        break;
    case Node::extra_contact_info:
        report.extra_contact_info = opt_text(value);
        break;
    case Node::report_id:
        report.report_id = std::string(value);
        break;
    case Node::error:
        if (!value.empty()) {
            report.errors.emplace_back(value);
        }
        break;
    case Node::generator:
        report.generator = opt_text(value);
        break;
    case Node::begin:
        timestamp(m_draft.begin);
        break;
    case Node::end:
        timestamp(m_draft.end);
        break;
    case Node::p_domain:
        policy.domain = std::string(value);
        break;
    case Node::adkim:
        policy.adkim = enum_or_null(EnumField::alignment, "adkim");
        break;
    case Node::aspf:
        policy.aspf = enum_or_null(EnumField::alignment, "aspf");
        break;
    case Node::p:
        policy.p = enum_or_null(EnumField::policy, "p");
        break;
    case Node::sp:
        policy.sp = enum_or_null(EnumField::policy, "sp");
        break;
    case Node::np:
        policy.np = enum_or_null(EnumField::policy, "np");
        break;
    case Node::pct:
        if (!value.empty()) {
            const auto pct = parse_count(value);
            if (pct && *pct <= 100) {
                policy.pct = static_cast<int>(*pct);
            } else {
                m_warnings.add("policy_published/pct " + quoted(value) + " ignored");
            }
        }
        break;
    case Node::fo:
        // fo is a colon-separated list ("1:d:s"), kept as sent, lower-cased.
        policy.fo = value.empty() ? OptString{} : OptString{to_lower_ascii(value)};
        break;
    case Node::testing:
        policy.testing = enum_or_null(EnumField::testing, "testing");
        break;
    case Node::discovery_method:
        policy.discovery_method = enum_or_null(EnumField::discovery_method, "discovery_method");
        break;
    default:
        store_record_leaf(node, text);
        break;
    }
}

void ReportHandler::store_record_leaf(Node node, const std::string& text) {
    const std::string_view value = trim(text);
    auto enum_or_null = [&](EnumField field, std::string_view what) -> OptString {
        if (value.empty()) {
            return std::nullopt;
        }
        return normalise_enum(value, field, what, m_warnings);
    };
    switch (node) {
    case Node::source_ip:
        if (!value.empty()) {
            const auto ip = IpAddress::parse(value);
            if (!ip) {
                fail(false,
                     record_label() + ": source_ip " + quoted(value) + " is not an IP address");
            }
            m_record.source_ip = *ip;
            m_record_has_ip = true;
        }
        break;
    case Node::count:
        if (!value.empty()) {
            const auto count = parse_count(value);
            if (!count) {
                fail(false, record_label() + ": count " + quoted(value) + " is not a number");
            }
            if (*count > m_limits.max_count) {
                // The one count bound of every kind (MaxCount): far below
                // 2^63, so that sums over many reports stay exact.
                fail(false, fmt::format("{}: count {} exceeds MaxCount ({})", record_label(),
                                        *count, m_limits.max_count));
            }
            m_record.count = *count;
            m_record_has_count = true;
        }
        break;
    case Node::disposition:
        m_record.disposition = enum_or_null(EnumField::disposition, "disposition");
        break;
    case Node::pe_dkim:
        m_record.dkim = enum_or_null(EnumField::aligned_result, "policy_evaluated dkim");
        break;
    case Node::pe_spf:
        m_record.spf = enum_or_null(EnumField::aligned_result, "policy_evaluated spf");
        break;
    case Node::reason_type:
        m_reason.type = enum_or_null(EnumField::reason_type, "reason type").value_or("");
        break;
    case Node::reason_comment:
        m_reason.comment = opt_text(value);
        break;
    case Node::header_from:
        m_record.header_from = opt_text(value);
        break;
    case Node::envelope_from:
        m_record.envelope_from = opt_text(value);
        break;
    case Node::envelope_to:
        m_record.envelope_to = opt_text(value);
        break;
    case Node::dkim_domain:
        m_dkim.domain = std::string(value);
        break;
    case Node::dkim_selector:
        m_dkim.selector = opt_text(value);
        break;
    case Node::dkim_result:
        m_dkim.result = enum_or_null(EnumField::dkim_result, "dkim result").value_or("");
        break;
    case Node::dkim_human_result:
        m_dkim.human_result = opt_text(value);
        break;
    case Node::spf_domain:
        m_spf.domain = std::string(value);
        break;
    case Node::spf_scope:
        m_spf.scope = enum_or_null(EnumField::spf_scope, "spf scope");
        break;
    case Node::spf_result:
        m_spf.result = enum_or_null(EnumField::spf_result, "spf result").value_or("");
        break;
    case Node::spf_human_result:
        m_spf.human_result = opt_text(value);
        break;
    default:
        break;
    }
}

} // namespace rua::detail
