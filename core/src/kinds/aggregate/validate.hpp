// Report-level checks once a document has been read: required fields,
// the date range, the org_name fallback and the schema flavour. Works on
// plain model data; never sees Xerces.
#pragma once

#include <rua/kinds/aggregate.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace rua::detail {

// What the document said, before report-level validation.
struct ReportDraft {
    AggregateReport report;
    std::optional<std::int64_t> begin;
    std::optional<std::int64_t> end;
    OptString version;
    std::size_t policy_published_seen = 0;
};

// Moves the draft into a finished Report. Throws BadInput naming the first
// missing field ("missing report_id", "missing policy_published/domain",
// "missing date_range/begin", "missing date_range/end").
AggregateReport finish_report(ReportDraft draft);

// "rfc9990", "draft" or "rfc7489" (the rule is documented in validate.cpp).
const char* schema_flavour(const OptString& xml_namespace, const OptString& version);

} // namespace rua::detail
