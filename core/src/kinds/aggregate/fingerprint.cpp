// The canonical encoding behind aggregate_report.fingerprint: the field
// tables' fingerprint fields in their order. Independent of the JSON output
// on purpose (the tables mark which fields count); never include arrival
// data. Must stay stable across releases: tests pin it.
#include "kinds/aggregate/fingerprint.hpp"

#include "kinds/aggregate/fields.hpp"

namespace rua {

std::string fingerprint_bytes(const AggregateReport& report) {
    detail::FingerprintEncoder e;
    e.text(std::string_view("rua-fingerprint-1"));
    detail::fingerprint_fields(e, detail::aggregate_report_fields(), report);
    detail::fingerprint_fields(e, detail::aggregate_policy_fields(), report.policy);
    e.number(report.records.size());
    for (const auto& record : report.records) {
        detail::fingerprint_fields(e, detail::aggregate_record_fields(), record);
    }
    return e.take();
}

} // namespace rua
