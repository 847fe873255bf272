// Tests for rua::IpAddress: what parses, what does not, and the canonical
// text (dotted quad; RFC 5952 for IPv6). Pure, no I/O.
#include <rua/model.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

struct Canonical {
    std::string input;
    rua::IpAddress::Family family;
    std::string text;
};

} // namespace

TEST_CASE("addresses parse and print in canonical form") {
    using F = rua::IpAddress::Family;
    const std::vector<Canonical> cases{
        {"192.0.2.1", F::v4, "192.0.2.1"},
        {"0.0.0.0", F::v4, "0.0.0.0"},
        {"255.255.255.255", F::v4, "255.255.255.255"},
        {"2001:db8::1", F::v6, "2001:db8::1"},
        {"2001:0DB8:0000:0000:0000:0000:0000:0001", F::v6, "2001:db8::1"},
        {"2001:db8:0:0:1:0:0:1", F::v6, "2001:db8::1:0:0:1"},    // first of equal runs
        {"2001:db8:0:1:1:1:1:1", F::v6, "2001:db8:0:1:1:1:1:1"}, // one zero group stays
        {"2001:0:0:1:0:0:0:1", F::v6, "2001:0:0:1::1"},          // longest run wins
        {"::", F::v6, "::"},
        {"::1", F::v6, "::1"},
        {"fe80::", F::v6, "fe80::"},
        {"::ffff:192.0.2.1", F::v6, "::ffff:192.0.2.1"},
        {"::FFFF:C000:0201", F::v6, "::ffff:192.0.2.1"},
        {"::1.2.3.4", F::v6, "::102:304"}, // deprecated IPv4-compatible: plain hex
        {"  198.51.100.7\t\n", F::v4, "198.51.100.7"},
        {" 2001:DB8::A ", F::v6, "2001:db8::a"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.input);
        const auto ip = rua::IpAddress::parse(c.input);
        REQUIRE(ip.has_value());
        CHECK(ip->family() == c.family);
        CHECK(ip->text() == c.text);
    }
}

TEST_CASE("anything that is not an address is refused") {
    const std::vector<std::string> garbage{
        "",
        "   ",
        "108r.166.27.220",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3.4/32",
        "2001:db8::1/64",
        "fe80::1%eth0",
        "2001:db8:::1",
        "1:2:3:4:5:6:7:8:9",
        "[2001:db8::1]",
        "example.com",
        "1.2.3.4 5",
        std::string("1.2.3.4\0", 8),
    };
    for (const auto& g : garbage) {
        CAPTURE(g);
        CHECK_FALSE(rua::IpAddress::parse(g).has_value());
    }
}

TEST_CASE("bytes and equality follow the parsed value, not the spelling") {
    const auto a = rua::IpAddress::parse("2001:db8::1");
    const auto b = rua::IpAddress::parse("2001:0db8:0:0:0:0:0:0001");
    const auto v4 = rua::IpAddress::parse("192.0.2.1");
    const auto mapped = rua::IpAddress::parse("::ffff:192.0.2.1");
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(v4);
    REQUIRE(mapped);
    CHECK(*a == *b);
    CHECK_FALSE(*v4 == *mapped); // a mapped address stays IPv6
    CHECK(v4->bytes()[0] == 192);
    CHECK(v4->bytes()[3] == 1);
    CHECK(a->bytes()[0] == 0x20);
    CHECK(a->bytes()[15] == 0x01);
}
