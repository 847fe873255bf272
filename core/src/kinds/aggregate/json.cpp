// The aggregate kind's JSON form, the contract of `ruactl parse`: one report,
// one line, keys in a fixed order, absent values (and empty text) as null.
// Every string goes through json_quote.
#include <rua/json.hpp>
#include <rua/kinds/aggregate.hpp>

#include <string>

namespace rua {

namespace {

void append_string(std::string& out, const std::string& value) {
    if (value.empty()) {
        out += "null";
    } else {
        out += json_quote(value);
    }
}

void append_opt(std::string& out, const OptString& value) {
    if (value) {
        append_string(out, *value);
    } else {
        out += "null";
    }
}

void key(std::string& out, std::string_view name, bool first = false) {
    if (!first) {
        out += ',';
    }
    out += '"';
    out += name;
    out += "\":";
}

void append_reasons(std::string& out, const std::vector<Reason>& reasons) {
    out += '[';
    for (std::size_t i = 0; i < reasons.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        key(out += '{', "type", true);
        append_string(out, reasons[i].type);
        key(out, "comment");
        append_opt(out, reasons[i].comment);
        out += '}';
    }
    out += ']';
}

void append_auth(std::string& out, const Record& record) {
    key(out, "auth_dkim");
    out += '[';
    for (std::size_t i = 0; i < record.auth_dkim.size(); ++i) {
        const DkimAuth& d = record.auth_dkim[i];
        out += i > 0 ? ",{" : "{";
        key(out, "domain", true);
        append_string(out, d.domain);
        key(out, "selector");
        append_opt(out, d.selector);
        key(out, "result");
        append_string(out, d.result);
        key(out, "human_result");
        append_opt(out, d.human_result);
        out += '}';
    }
    out += ']';
    key(out, "auth_spf");
    out += '[';
    for (std::size_t i = 0; i < record.auth_spf.size(); ++i) {
        const SpfAuth& s = record.auth_spf[i];
        out += i > 0 ? ",{" : "{";
        key(out, "domain", true);
        append_string(out, s.domain);
        key(out, "scope");
        append_opt(out, s.scope);
        key(out, "result");
        append_string(out, s.result);
        key(out, "human_result");
        append_opt(out, s.human_result);
        out += '}';
    }
    out += ']';
}

void append_record(std::string& out, const Record& record) {
    key(out += '{', "source_ip", true);
    out += json_quote(record.source_ip.text());
    key(out, "count");
    out += std::to_string(record.count);
    key(out, "disposition");
    append_opt(out, record.disposition);
    key(out, "dkim");
    append_opt(out, record.dkim);
    key(out, "spf");
    append_opt(out, record.spf);
    key(out, "reasons");
    append_reasons(out, record.reasons);
    key(out, "header_from");
    append_opt(out, record.header_from);
    key(out, "envelope_from");
    append_opt(out, record.envelope_from);
    key(out, "envelope_to");
    append_opt(out, record.envelope_to);
    append_auth(out, record);
    out += '}';
}

void append_policy(std::string& out, const PolicyPublished& p) {
    key(out += '{', "adkim", true);
    append_opt(out, p.adkim);
    key(out, "aspf");
    append_opt(out, p.aspf);
    key(out, "p");
    append_opt(out, p.p);
    key(out, "sp");
    append_opt(out, p.sp);
    key(out, "np");
    append_opt(out, p.np);
    key(out, "pct");
    out += p.pct ? std::to_string(*p.pct) : "null";
    key(out, "fo");
    append_opt(out, p.fo);
    key(out, "testing");
    append_opt(out, p.testing);
    key(out, "discovery_method");
    append_opt(out, p.discovery_method);
    out += '}';
}

void append_list(std::string& out, const std::vector<std::string>& items) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += json_quote(items[i]);
    }
    out += ']';
}

} // namespace

std::string AggregateReport::to_json() const {
    const AggregateReport& report = *this;
    std::string out;
    out.reserve(512 + report.records.size() * 400);
    key(out += '{', "kind", true);
    out += "\"aggregate\"";
    key(out, "schema");
    append_string(out, report.schema);
    key(out, "org_name");
    append_opt(out, report.org_name);
    key(out, "email");
    append_opt(out, report.email);
    key(out, "extra_contact_info");
    append_opt(out, report.extra_contact_info);
    key(out, "report_id");
    append_string(out, report.report_id);
    key(out, "begin");
    out += std::to_string(report.begin);
    key(out, "end");
    out += std::to_string(report.end);
    key(out, "errors");
    append_list(out, report.errors);
    key(out, "generator");
    append_opt(out, report.generator);
    key(out, "domain");
    append_string(out, report.policy.domain);
    key(out, "policy");
    append_policy(out, report.policy);
    key(out, "records");
    out += '[';
    for (std::size_t i = 0; i < report.records.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_record(out, report.records[i]);
    }
    out += ']';
    key(out, "source");
    key(out += '{', "file", true);
    append_string(out, report.source.file);
    key(out, "part");
    out += std::to_string(report.source.part);
    key(out, "filename");
    append_opt(out, report.source.filename);
    key(out, "content_type");
    append_opt(out, report.source.content_type);
    key(out, "compression");
    append_string(out, report.source.compression);
    out += '}';
    key(out, "warnings");
    append_list(out, report.warnings);
    out += '}';
    return out;
}

} // namespace rua
