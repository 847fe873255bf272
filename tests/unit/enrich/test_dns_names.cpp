// Reverse names and wire-format PTR names (core/src/enrich/dns_names.cpp):
// exact text for both families, and every malformed name refused.
#include "enrich/dns_names.hpp"

#include <doctest/doctest.h>

#include <string>

using rua::IpAddress;
using rua::detail::reverse_name;
using rua::detail::wire_name_text;

namespace {

std::optional<std::string> wire(const std::string& bytes) {
    return wire_name_text(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

} // namespace

TEST_CASE("reverse names of an IPv4 and an IPv6 address") {
    CHECK(reverse_name(*IpAddress::parse("192.0.2.1")) == "1.2.0.192.in-addr.arpa");
    CHECK(reverse_name(*IpAddress::parse("2001:db8::567:89ab")) ==
          "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

TEST_CASE("a wire-format name becomes lower-case text") {
    CHECK(wire(std::string("\4Mail\7example\3COM\0", 18)) == "mail.example.com");
    CHECK(wire(std::string("\11mail-o_41\1x\0", 13)) == "mail-o_41.x");
}

TEST_CASE("malformed or unusual wire names are refused") {
    CHECK_FALSE(wire(std::string("\0", 1)));                  // the root alone
    CHECK_FALSE(wire(std::string("\4mail\7example", 13)));    // no root label
    CHECK_FALSE(wire(std::string("\4mail\11example\0", 14))); // label past the end
    CHECK_FALSE(wire(std::string("\300\14", 2)));             // compression pointer
    CHECK_FALSE(wire(std::string("\4ma l\0", 6)));            // space
    CHECK_FALSE(wire(std::string("\4ma.l\0", 6)));            // dot inside a label
    CHECK_FALSE(wire(std::string("\4ma\nl\0", 6)));           // control byte
    CHECK_FALSE(wire(std::string("\4mail\0\0", 7)));          // bytes after the root
    CHECK_FALSE(wire(std::string(256, '\1')));                // past 255 bytes
    CHECK_FALSE(wire_name_text(nullptr, 0));
}
