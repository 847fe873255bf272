// Internal to the store: the bytes whose sha256 (computed by PostgreSQL) is a
// report's content fingerprint, used to tell a duplicate (same key, same
// content) from a conflict (same key, other content).
#pragma once

#include <rua/kinds/aggregate.hpp>

#include <string>

namespace rua {

// A fixed, length-prefixed encoding of every metadata, policy and record
// field. Leaves out how the report reached us (source, attachment) and what
// the parser thought of it (schema, namespace, warnings), so a re-sent or
// re-compressed copy matches. Must stay stable across releases: changing it
// turns every later re-send of an old report into a "conflict".
std::string fingerprint_bytes(const AggregateReport& report);

} // namespace rua
