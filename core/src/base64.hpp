// Lenient decoders for MIME transfer encodings (base64, quoted-printable).
// Real senders break the rules (long lines, missing padding, LF only), so
// these accept everything that still has one obvious meaning; they must
// never guess at bytes that are plainly not base64.
#pragma once

#include <string>
#include <string_view>

namespace rua::detail {

// Decodes base64, ignoring white space and line breaks of any length,
// tolerating missing or early padding (concatenated encoded blocks).
// Throws BadInput("invalid base64: ...") for a character outside the
// alphabet or a lone trailing symbol.
std::string decode_base64(std::string_view text);

// Decodes quoted-printable: "=XX" escapes and soft line breaks; a stray '='
// is kept as it is. Never throws.
std::string decode_quoted_printable(std::string_view text);

} // namespace rua::detail
