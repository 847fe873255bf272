// RFC 2047 encoded words in the original's Subject ("=?utf-8?B?...?="),
// decoded to UTF-8. Charsets other than UTF-8, US-ASCII and ISO-8859-1 go
// through vmime's converter; text that cannot be converted is kept with its
// invalid bytes replaced, never dropped.
#pragma once

#include <string>
#include <string_view>

namespace rua::detail::failure {

// `value` (already unfolded) with its encoded words decoded; white space
// between two adjacent encoded words removed (RFC 2047 section 6.2).
// The result is valid UTF-8.
std::string decode_rfc2047(std::string_view value);

} // namespace rua::detail::failure
