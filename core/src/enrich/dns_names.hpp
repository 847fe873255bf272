// DNS names as the enrichment worker needs them: the reverse-lookup name of
// an address and the text of a name in wire format (a PTR record's data).
// Pure functions on bounded input; never does I/O.
#pragma once

#include <rua/model.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace rua::detail {

// "192.0.2.1" -> "1.2.0.192.in-addr.arpa"; IPv6: the 32 nibbles reversed
// under ip6.arpa.
std::string reverse_name(const IpAddress& ip);

// The text of an uncompressed wire-format name of at most `size` bytes
// ("\4mail\7example\3com\0" -> "mail.example.com"), lower-cased. nullopt
// when it is malformed (a label running past the end, a compression
// pointer, longer than 255 bytes, no terminating root label) or when a label
// holds anything but letters, digits, '-' and '_' (a name printed and
// compared as a host name must not carry dots, spaces or control bytes).
std::optional<std::string> wire_name_text(const unsigned char* data, std::size_t size);

} // namespace rua::detail
