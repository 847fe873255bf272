// Reading one SMTP TLS report (RFC 8460 JSON) from a stream, bounded while
// it streams. Internal to the tlsrpt kind (kind.cpp, tests, fuzzers).
#pragma once

#include "byte_source.hpp"

#include <rua/kinds/tlsrpt.hpp>
#include <rua/limits.hpp>

#include <memory>

namespace rua::detail {

// Parses `source` to its end. Returns null when the JSON is not a TLS report
// (its first member is none of RFC 8460's, or it is an empty object); the
// rest of the stream is then left unread. Throws BadInput with a precise
// one-line reason (invalid JSON with its byte offset, a missing member, a
// wrong type) or LimitExceeded (depth, policies, failure details, field
// length), and whatever `source` throws (the decompression bounds).
std::unique_ptr<TlsReport> parse_tlsrpt(ByteSource& source, const Limits& limits);

} // namespace rua::detail
