// The one normal form of mail addresses and domain names, used wherever two
// of them are compared: RCPT, the registry, ReportDomains, the account check
// and the domains a report claims. Pure functions; never does I/O (no DNS).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rua {

// "Example.COM." -> "example.com"; "Bücher.example" -> "xn--bcher-kva.example".
// ASCII lower-cased, one trailing dot removed, U-labels converted to
// A-labels (IDNA2008, non-transitional). std::nullopt when `domain` is not a
// host name: empty, an empty label, a label over 63 octets, a name over 253,
// an address literal, a character other than letters, digits, '-' and '_',
// or a U-label IDNA refuses. Never throws (but std::bad_alloc).
std::optional<std::string> normalize_domain(std::string_view domain);

// "<DMARC@Example.NET.>" -> "dmarc@example.net". Surrounding white space and
// one pair of angle brackets are removed, the domain is normalised as above,
// the local part is ASCII lower-cased; "+tag" is kept (dmarc+x@ is another
// address); UTF-8 in the local part (SMTPUTF8) is kept byte for byte.
// std::nullopt when the address cannot be normalised: no '@', an empty
// local part, a quoted local part, white space, a control character or
// invalid UTF-8 in it, or a domain normalize_domain refuses. Never throws
// (but std::bad_alloc).
std::optional<std::string> normalize_address(std::string_view address);

// The text after the last '@' of `address` (angle brackets and white space
// removed), normalised; std::nullopt when there is none or it is not a
// domain. For deciding whose business an address is that
// normalize_address refuses.
std::optional<std::string> domain_of_address(std::string_view address);

} // namespace rua
