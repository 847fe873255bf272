// The aggregate kind's field tables (kinds/fields.hpp): aggregate_report's
// report and policy columns, and aggregate_record's columns with their auth
// result lists. The JSON form, the fingerprint, the INSERT and the COPY all
// walk these, so a new field is one line here plus a migration. The order
// is the fingerprint's and must not change (fingerprint.cpp).
#pragma once

#include "kinds/fields.hpp"

#include <rua/kinds/aggregate.hpp>

namespace rua::detail {

// report_metadata and the policy domain, then the parser's view (not in
// the fingerprint).
const Fields<AggregateReport>& aggregate_report_fields();
// policy_published, except the domain (it is in the report fields).
const Fields<PolicyPublished>& aggregate_policy_fields();
const Fields<Record>& aggregate_record_fields();

} // namespace rua::detail
