// The tlsrpt field tables. Their order is the JSON key order of `ruactl
// parse` and the order of the fingerprint encoding: changing either turns
// every re-sent old report into a conflict, so add rows, never reorder.
// Column names mirror sql/0006_tlsrpt.sql.
#include "kinds/tlsrpt/fields.hpp"

#include <string>

namespace rua::detail::tlsrpt {

namespace {

template <typename T>
Field<T> field(const char* column, const char* json, bool fingerprint,
               std::function<FieldValue(const T&)> get, const char* sql_param = "{}") {
    Field<T> f;
    f.column = column;
    f.json = json;
    f.fingerprint = fingerprint;
    f.get = std::move(get);
    f.sql_param = sql_param;
    return f;
}

template <typename T> Field<T> text(const char* name, std::string T::*member) {
    return field<T>(name, name, true,
                    [member](const T& item) { return FieldValue(std::string_view(item.*member)); });
}

template <typename T> Field<T> optional_text(const char* name, OptString T::*member) {
    return field<T>(name, name, true, [member](const T& item) { return opt_value(item.*member); });
}

template <typename T> Field<T> address(const char* name, std::optional<IpAddress> T::*member) {
    return field<T>(name, name, true, [member](const T& item) {
        const auto& ip = item.*member;
        return ip ? FieldValue(ip->text()) : FieldValue();
    });
}

template <typename T> Field<T> count(const char* name, std::uint64_t T::*member) {
    return field<T>(name, name, true, [member](const T& item) { return FieldValue(item.*member); });
}

template <typename T> Field<T> text_list(const char* name, std::vector<std::string> T::*member) {
    return field<T>(name, name, true,
                    [member](const T& item) { return FieldValue(&(item.*member)); });
}

} // namespace

const Fields<TlsFailureDetail>& failure_fields() {
    using F = TlsFailureDetail;
    static const Fields<F> k_fields = {
        text("result_type", &F::result_type),
        address("sending_mta_ip", &F::sending_mta_ip),
        optional_text("receiving_mx_hostname", &F::receiving_mx_hostname),
        optional_text("receiving_mx_helo", &F::receiving_mx_helo),
        address("receiving_ip", &F::receiving_ip),
        count("failed_session_count", &F::failed_session_count),
        optional_text("additional_information", &F::additional_information),
        optional_text("failure_reason_code", &F::failure_reason_code),
    };
    return k_fields;
}

const Fields<TlsPolicy>& policy_fields() {
    using P = TlsPolicy;
    static const Fields<P> k_fields = {
        text("policy_type", &P::policy_type),
        text_list("policy_string", &P::policy_string),
        text("policy_domain", &P::policy_domain),
        text_list("mx_host", &P::mx_host),
        count("successful", &P::successful),
        count("failed", &P::failed),
        // Not a column: tlsrpt_failure rows, keyed by the policy.
        list_field<P, TlsFailureDetail>(
            nullptr, "failure_details",
            [](const P& p) -> const std::vector<TlsFailureDetail>& { return p.failure_details; },
            failure_fields()),
    };
    return k_fields;
}

const Fields<TlsReport>& report_fields() {
    using R = TlsReport;
    static const Fields<R> k_fields = with_authenticity<R>({
        text("organization_name", &R::organization_name),
        text("report_id", &R::report_id),
        optional_text("contact_info", &R::contact_info),
        field<R>(
            "date_begin", "begin", true, [](const R& r) { return FieldValue(r.begin); },
            "to_timestamp({}::bigint)"),
        field<R>(
            "date_end", "end", true, [](const R& r) { return FieldValue(r.end); },
            "to_timestamp({}::bigint)"),
        // Not a column: tlsrpt_policy rows, keyed by the report.
        list_field<R, TlsPolicy>(
            nullptr, "policies",
            [](const R& r) -> const std::vector<TlsPolicy>& { return r.policies; },
            policy_fields()),
        field<R>(
            "policy_count", nullptr, false,
            [](const R& r) { return FieldValue(static_cast<std::uint64_t>(r.policies.size())); },
            "{}::integer"),
        field<R>(
            "warnings", nullptr, false, [](const R& r) { return FieldValue(&r.warnings); },
            "{}::text[]"),
    });
    return k_fields;
}

} // namespace rua::detail::tlsrpt
