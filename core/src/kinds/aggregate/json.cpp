// The aggregate kind's JSON form, the contract of `ruactl parse`: one report,
// one line, keys in a fixed order (the field tables' order), absent values
// (and empty text) as null. Every string goes through json_quote.
#include "kinds/aggregate/fields.hpp"

#include <rua/kinds/aggregate.hpp>

#include <string>

namespace rua {

std::string AggregateReport::to_json() const {
    using namespace detail;
    std::string out;
    out.reserve(512 + records.size() * 400);
    json_key(out += '{', "kind", true);
    json_value(out, kind());
    json_fields(out, aggregate_report_fields(), *this, false);
    json_key(out, "policy");
    out += '{';
    json_fields(out, aggregate_policy_fields(), policy, true);
    out += '}';
    json_key(out, "records");
    json_array(out, aggregate_record_fields(), records);
    json_source_and_warnings(out, *this);
    out += '}';
    return out;
}

} // namespace rua
