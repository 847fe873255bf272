// The XML stage: one DMARC aggregate report document in (as a stream),
// one typed, validated Report out. Internal to core; Xerces stays in
// xml_report.cpp.
#pragma once

#include "byte_source.hpp"
#include "kinds/kind.hpp"

#include <rua/kinds/aggregate.hpp>
#include <rua/limits.hpp>

namespace rua::detail {

// Parses and validates one <feedback> document. Fills everything but
// Report::source and Report::attachment. Throws BadInput (with a precise
// reason: malformed XML at line:col, DTD or entity, missing report_id,
// ...) or LimitExceeded (depth, records, field size).
// With a stream, records are handed over in batches past
// Limits::stream_items (kinds/kind.hpp); exceptions from the stream other
// than BadInput are rethrown as they are.
AggregateReport parse_report_xml(ByteSource& source, const Limits& limits,
                                 ItemStream* stream = nullptr);

} // namespace rua::detail
