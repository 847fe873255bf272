// The aggregate kind's field tables; see fields.hpp. Column names mirror
// sql/0003_reports.sql; JSON keys are the `ruactl parse` contract.
#include "kinds/aggregate/fields.hpp"

namespace rua::detail {

namespace {

using Report = AggregateReport;

template <typename T>
Field<T> text(const char* column, const char* json, bool fp, OptString T::*member) {
    Field<T> f;
    f.column = column;
    f.json = json;
    f.fingerprint = fp;
    f.get = [member](const T& item) { return opt_value(item.*member); };
    return f;
}

template <typename T>
Field<T> text(const char* column, const char* json, bool fp, std::string T::*member) {
    Field<T> f;
    f.column = column;
    f.json = json;
    f.fingerprint = fp;
    f.get = [member](const T& item) { return FieldValue(std::string_view(item.*member)); };
    return f;
}

template <typename T> Field<T> with_param(Field<T> f, const char* sql_param) {
    f.sql_param = sql_param;
    return f;
}

Fields<Reason> reason_fields() {
    return {text("type", "type", true, &Reason::type),
            text("comment", "comment", true, &Reason::comment)};
}

Fields<DkimAuth> dkim_fields() {
    return {text("domain", "domain", true, &DkimAuth::domain),
            text("selector", "selector", true, &DkimAuth::selector),
            text("result", "result", true, &DkimAuth::result),
            text("human_result", "human_result", true, &DkimAuth::human_result)};
}

Fields<SpfAuth> spf_fields() {
    return {text("domain", "domain", true, &SpfAuth::domain),
            text("scope", "scope", true, &SpfAuth::scope),
            text("result", "result", true, &SpfAuth::result),
            text("human_result", "human_result", true, &SpfAuth::human_result)};
}

} // namespace

const Fields<AggregateReport>& aggregate_report_fields() {
    static const Fields<Report> k_fields = [] {
        Fields<Report> f;
        f.push_back(text("schema_flavour", "schema", false, &Report::schema));
        f.push_back(text("org_name", "org_name", true, &Report::org_name));
        f.push_back(text("email", "email", true, &Report::email));
        f.push_back(
            text("extra_contact_info", "extra_contact_info", true, &Report::extra_contact_info));
        f.push_back(text("report_id", "report_id", true, &Report::report_id));
        Field<Report> begin;
        begin.column = "date_begin";
        begin.json = "begin";
        begin.fingerprint = true;
        begin.get = [](const Report& r) { return FieldValue(r.begin); };
        begin.sql_param = "to_timestamp({}::bigint)";
        f.push_back(begin);
        Field<Report> end = begin;
        end.column = "date_end";
        end.json = "end";
        end.get = [](const Report& r) { return FieldValue(r.end); };
        f.push_back(end);
        Field<Report> errors;
        errors.column = "errors";
        errors.json = "errors";
        errors.fingerprint = true;
        errors.get = [](const Report& r) { return FieldValue(&r.errors); };
        f.push_back(with_param(errors, "{}::text[]"));
        f.push_back(text("generator", "generator", true, &Report::generator));
        Field<Report> domain;
        domain.column = "domain";
        domain.json = "domain";
        domain.fingerprint = true;
        domain.get = [](const Report& r) { return FieldValue(std::string_view(r.policy.domain)); };
        f.push_back(domain);
        f.push_back(text("xml_namespace", nullptr, false, &Report::xml_namespace));
        Field<Report> warnings;
        warnings.column = "warnings";
        warnings.get = [](const Report& r) { return FieldValue(&r.warnings); };
        f.push_back(with_param(warnings, "{}::text[]"));
        return with_authenticity(std::move(f));
    }();
    return k_fields;
}

const Fields<PolicyPublished>& aggregate_policy_fields() {
    using P = PolicyPublished;
    static const Fields<P> k_fields = [] {
        Fields<P> f = {text("adkim", "adkim", true, &P::adkim),
                       text("aspf", "aspf", true, &P::aspf), text("p", "p", true, &P::p),
                       text("sp", "sp", true, &P::sp), text("np", "np", true, &P::np)};
        Field<P> pct;
        pct.column = "pct";
        pct.json = "pct";
        pct.fingerprint = true;
        pct.json_form = JsonForm::number_text;
        pct.sql_param = "{}::integer";
        pct.get = [](const P& p) {
            return p.pct ? FieldValue(std::to_string(*p.pct)) : FieldValue();
        };
        f.push_back(pct);
        f.push_back(text("fo", "fo", true, &P::fo));
        f.push_back(text("testing", "testing", true, &P::testing));
        f.push_back(text("discovery_method", "discovery_method", true, &P::discovery_method));
        return f;
    }();
    return k_fields;
}

const Fields<Record>& aggregate_record_fields() {
    static const Fields<Reason> k_reasons = reason_fields();
    static const Fields<DkimAuth> k_dkim = dkim_fields();
    static const Fields<SpfAuth> k_spf = spf_fields();
    static const Fields<Record> k_fields = [] {
        Fields<Record> f;
        Field<Record> ip;
        ip.column = "source_ip";
        ip.json = "source_ip";
        ip.fingerprint = true;
        ip.get = [](const Record& r) { return FieldValue(r.source_ip.text()); };
        f.push_back(ip);
        Field<Record> count;
        count.column = "count";
        count.json = "count";
        count.fingerprint = true;
        count.get = [](const Record& r) { return FieldValue(std::uint64_t{r.count}); };
        f.push_back(count);
        f.push_back(text("disposition", "disposition", true, &Record::disposition));
        f.push_back(text("dkim", "dkim", true, &Record::dkim));
        f.push_back(text("spf", "spf", true, &Record::spf));
        f.push_back(list_field<Record, Reason>(
            "reasons", "reasons",
            [](const Record& r) -> const std::vector<Reason>& { return r.reasons; }, k_reasons));
        f.push_back(text("header_from", "header_from", true, &Record::header_from));
        f.push_back(text("envelope_from", "envelope_from", true, &Record::envelope_from));
        f.push_back(text("envelope_to", "envelope_to", true, &Record::envelope_to));
        f.push_back(list_field<Record, DkimAuth>(
            "auth_dkim", "auth_dkim",
            [](const Record& r) -> const std::vector<DkimAuth>& { return r.auth_dkim; }, k_dkim));
        f.push_back(list_field<Record, SpfAuth>(
            "auth_spf", "auth_spf",
            [](const Record& r) -> const std::vector<SpfAuth>& { return r.auth_spf; }, k_spf));
        Field<Record> pass;
        pass.column = "dmarc_pass";
        pass.get = [](const Record& r) { return FieldValue(r.dmarc_pass()); };
        f.push_back(pass);
        return f;
    }();
    return k_fields;
}

} // namespace rua::detail
