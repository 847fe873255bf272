// The aggregate kind's JSON form, the contract of `ruactl parse`: one report,
// one line, keys in a fixed order (the field tables' order), absent values
// (and empty text) as null. Every string goes through json_quote.
#include "kinds/aggregate/fields.hpp"

#include <rua/kinds/aggregate.hpp>

#include <string>

namespace rua {

std::string AggregateReport::to_json() const {
    std::string out;
    out.reserve(512 + records.size() * 400);
    json_begin(out);
    json_items(out, true);
    json_end(out);
    return out;
}

void AggregateReport::json_begin(std::string& out) const {
    using namespace detail;
    json_key(out += '{', "kind", true);
    json_value(out, kind());
    json_fields(out, aggregate_report_fields(), *this, false);
    json_key(out, "policy");
    out += '{';
    json_fields(out, aggregate_policy_fields(), policy, true);
    out += '}';
    json_key(out, "records");
    out += '[';
}

void AggregateReport::json_items(std::string& out, bool first) const {
    using namespace detail;
    for (const auto& record : records) {
        out += first ? "{" : ",{";
        first = false;
        json_fields(out, aggregate_record_fields(), record, true);
        out += '}';
    }
}

void AggregateReport::json_end(std::string& out) const {
    out += ']';
    detail::json_source_and_warnings(out, *this);
    out += '}';
}

} // namespace rua
