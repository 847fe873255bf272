// A fast reader for the three MIME header fields the walk needs
// (Content-Type, Content-Disposition, Content-Transfer-Encoding) in their
// plain, everyday form. It must never guess: anything unusual (comments,
// escapes, RFC 2047 words, RFC 2231 parameters, 8-bit bytes) answers
// "not simple" and the caller falls back to vmime.
#pragma once

#include <rua/model.hpp>

#include <string>
#include <string_view>

namespace rua::detail {

// The raw labels of one entity, before filename sanitising.
struct RawLabels {
    std::string type;              // lower case, "" when absent
    std::string subtype;           // lower case
    std::string boundary;          // as written, unquoted
    OptString type_name;           // Content-Type name parameter
    OptString disposition_name;    // Content-Disposition filename parameter
    std::string transfer_encoding; // lower case, "" when absent
};

// Reads `fields` (only the relevant fields, each ending in a line break,
// folded lines allowed) into `out`. Returns false, with `out` unspecified,
// when a field is not in the simple form; vmime must then read them.
bool read_simple_fields(std::string_view fields, RawLabels& out);

} // namespace rua::detail
