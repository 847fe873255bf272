// The registrable (organisational) domain of a host name, from the public
// suffix list (libpsl with Debian's `publicsuffix` list): what DMARC's
// relaxed alignment, the summary's roll-up of subdomains and the provider map
// compare. Pure lookups; never does I/O after the list is loaded.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rua {

// "mail.example.co.uk" -> "example.co.uk"; "example.com" -> "example.com".
// `domain` should already be in normalize_domain's form (lower case, A-labels,
// no trailing dot). std::nullopt when the name is itself a public suffix
// ("co.uk", "com") or is not a domain. The list is loaded once, on first use,
// from the newest of libpsl's built-in list and the system's file
// (/usr/share/publicsuffix); thread-safe. Never throws (but std::bad_alloc).
std::optional<std::string> registrable_domain(std::string_view domain);

// True when `a` and `b` have the same registrable domain (DMARC relaxed
// alignment); false when either has none.
bool same_organisation(std::string_view a, std::string_view b);

} // namespace rua
