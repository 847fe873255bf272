// The failure kind's field tables (table.hpp) and the JSON contract of
// `ruactl parse` built from them: one line, keys in the documented order,
// absent scalars null, absent lists [], times as UTC seconds. Every string
// goes through json_quote (kinds/fields.cpp), so sender text cannot break a
// line. Column names mirror sql/0007_failure.sql.
#include "kinds/failure/table.hpp"

#include <functional>

namespace rua::detail::failure {

namespace {

// The key is the fields as received, not the typed values (kind.cpp), so
// no row is part of the table-driven fingerprint.
template <typename T>
Field<T> row(const char* column, const char* json, std::function<FieldValue(const T&)> get,
             const char* sql_param = "{}") {
    Field<T> f;
    f.column = column;
    f.json = json;
    f.get = std::move(get);
    f.sql_param = sql_param;
    return f;
}

template <typename T> Field<T> text(const char* column, const char* json, OptString T::*member) {
    return row<T>(column, json, [member](const T& item) { return opt_value(item.*member); });
}

template <typename T>
Field<T> list(const char* column, const char* json, std::vector<std::string> T::*member) {
    return row<T>(column, json, [member](const T& item) { return FieldValue(&(item.*member)); });
}

template <typename T>
Field<T> time(const char* column, const char* json, std::optional<std::int64_t> T::*member) {
    return row<T>(
        column, json,
        [member](const T& item) {
            return item.*member ? FieldValue(*(item.*member)) : FieldValue();
        },
        "to_timestamp({}::bigint)");
}

} // namespace

const Fields<FailureReport>& report_fields() {
    using R = FailureReport;
    static const Fields<R> k_fields = with_authenticity<R>({
        row<R>("format", "format",
               [](const R& r) { return FieldValue(std::string_view(r.format)); }),
        text("feedback_type", "feedback_type", &R::feedback_type),
        text("user_agent", "user_agent", &R::user_agent),
        text("version", "version", &R::version),
        time("arrival_date", "arrival_date", &R::arrival_date),
        row<R>(
            "source_ip", "source_ip",
            [](const R& r) { return r.source_ip ? FieldValue(r.source_ip->text()) : FieldValue(); },
            "{}::inet"),
        text("reported_domain", "reported_domain", &R::reported_domain),
        text("original_mail_from", "original_mail_from", &R::original_mail_from),
        list("original_rcpt_to", "original_rcpt_to", &R::original_rcpt_to),
        text("reporting_mta", "reporting_mta", &R::reporting_mta),
        list("auth_failure", "auth_failure", &R::auth_failure),
        text("delivery_result", "delivery_result", &R::delivery_result),
        list("identity_alignment", "identity_alignment", &R::identity_alignment),
        text("dkim_domain", "dkim_domain", &R::dkim_domain),
        text("dkim_identity", "dkim_identity", &R::dkim_identity),
        text("dkim_selector", "dkim_selector", &R::dkim_selector),
        text("spf_dns", "spf_dns", &R::spf_dns),
        list("authentication_results", "authentication_results", &R::authentication_results),
        row<R>("feedback_fields", nullptr,
               [](const R& r) { return FieldValue(header_block(r.fields)); }),
        row<R>(
            "warnings", nullptr, [](const R& r) { return FieldValue(&r.warnings); }, "{}::text[]"),
    });
    return k_fields;
}

const Fields<FailureOriginal>& original_fields() {
    using O = FailureOriginal;
    static const Fields<O> k_fields = {
        text("original_from", "from", &O::from),
        list("original_to", "to", &O::to),
        text("original_subject", "subject", &O::subject),
        text("original_message_id", "message_id", &O::message_id),
        time("original_date", "date", &O::date),
        row<O>(
            "original_headers_only", "headers_only",
            [](const O& o) { return FieldValue(o.headers_only); }, "{}::boolean"),
        row<O>(
            "original_body_bytes", "body_bytes",
            [](const O& o) { return o.body_bytes ? FieldValue(*o.body_bytes) : FieldValue(); },
            "{}::bigint"),
        row<O>("original_subject_sha256", nullptr,
               [](const O& o) {
                   return o.subject_sha256.empty() ? FieldValue()
                                                   : FieldValue(std::string_view(o.subject_sha256));
               }),
        row<O>(
            "original_subject_length", nullptr,
            [](const O& o) {
                return o.subject_length ? FieldValue(*o.subject_length) : FieldValue();
            },
            "{}::integer"),
        row<O>("original_headers", nullptr,
               [](const O& o) { return FieldValue(header_block(o.headers)); }),
    };
    return k_fields;
}

std::string header_block(const std::vector<ArfField>& fields) {
    std::string out;
    for (const auto& f : fields) {
        out += f.name;
        out += ": ";
        out += f.value;
        out += "\r\n";
    }
    return out;
}

} // namespace rua::detail::failure

namespace rua {

std::string FailureReport::to_json() const {
    using namespace detail;
    std::string out = R"({"kind":"failure")";
    json_fields(out, failure::report_fields(), *this, false);
    json_key(out, "original");
    out += '{';
    json_fields(out, failure::original_fields(), original, true);
    out += '}';
    json_source_and_warnings(out, *this);
    out += '}';
    return out;
}

} // namespace rua
