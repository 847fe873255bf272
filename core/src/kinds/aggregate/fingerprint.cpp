// The canonical encoding behind aggregate_report.fingerprint. Independent of
// the JSON output on purpose: `ruactl parse` may change its format, the
// fingerprint of a stored report must not. Never include arrival data here.
#include "fingerprint.hpp"

#include <cstdint>

namespace rua {
namespace {

class Encoder {
public:
    void text(const std::string& value) {
        m_out.push_back('s');
        number(value.size());
        m_out += value;
    }
    void text(const OptString& value) {
        if (!value) {
            m_out.push_back('-');
            return;
        }
        text(*value);
    }
    void number(std::uint64_t value) {
        m_out += std::to_string(value);
        m_out.push_back(';');
    }
    void signed_number(std::int64_t value) {
        m_out += std::to_string(value);
        m_out.push_back(';');
    }
    std::string take() { return std::move(m_out); }

private:
    std::string m_out;
};

} // namespace

std::string fingerprint_bytes(const AggregateReport& report) {
    Encoder e;
    e.text(std::string("rua-fingerprint-1"));
    e.text(report.org_name);
    e.text(report.email);
    e.text(report.extra_contact_info);
    e.text(report.report_id);
    e.signed_number(report.begin);
    e.signed_number(report.end);
    e.number(report.errors.size());
    for (const auto& error : report.errors) {
        e.text(error);
    }
    e.text(report.generator);
    const auto& p = report.policy;
    e.text(p.domain);
    for (const auto* field : {&p.adkim, &p.aspf, &p.p, &p.sp, &p.np}) {
        e.text(*field);
    }
    e.text(p.pct ? OptString(std::to_string(*p.pct)) : OptString());
    for (const auto* field : {&p.fo, &p.testing, &p.discovery_method}) {
        e.text(*field);
    }
    e.number(report.records.size());
    for (const auto& r : report.records) {
        e.text(r.source_ip.text());
        e.number(r.count);
        for (const auto* field : {&r.disposition, &r.dkim, &r.spf}) {
            e.text(*field);
        }
        e.number(r.reasons.size());
        for (const auto& reason : r.reasons) {
            e.text(reason.type);
            e.text(reason.comment);
        }
        for (const auto* field : {&r.header_from, &r.envelope_from, &r.envelope_to}) {
            e.text(*field);
        }
        e.number(r.auth_dkim.size());
        for (const auto& a : r.auth_dkim) {
            e.text(a.domain);
            e.text(a.selector);
            e.text(a.result);
            e.text(a.human_result);
        }
        e.number(r.auth_spf.size());
        for (const auto& a : r.auth_spf) {
            e.text(a.domain);
            e.text(a.scope);
            e.text(a.result);
            e.text(a.human_result);
        }
    }
    return e.take();
}

} // namespace rua
