// Credential redaction for any text that may carry a database connection
// string: error messages, log lines, usage errors. It only hides secrets; it
// never parses or validates a connection string, and it never throws.
#pragma once

#include <string>
#include <string_view>

namespace rua {

// `text` with every password it can find replaced by `***`:
// - the password of a postgresql:// or postgres:// URI's userinfo
//   (postgresql://user:SECRET@host -> postgresql://user:***@host), the
//   userinfo ending at the URI's last '@' so a password holding '@', '/' or
//   '?' is hidden whole;
// - a `password=` (or `sslpassword=`) query parameter of such a URI, up to
//   the next '&' or '#';
// - a `password = value` keyword of a key=value conninfo, the value plain or
//   single-quoted with backslash escapes (password='a \'b' -> password='***').
// A URI ends at white space, or at the quote that opened it ('"' or '\'');
// a plain keyword value at white space or at a quote that ends the text
// around it (one followed by the end, a blank or punctuation).
// Keys match case-insensitively; text without credentials comes back
// unchanged, and redacting a redacted text changes nothing. Never throws
// except std::bad_alloc.
std::string redact_credentials(std::string_view text);

} // namespace rua
