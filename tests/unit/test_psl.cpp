#include "rua/psl.hpp"

#include <doctest/doctest.h>

TEST_CASE("registrable domain of a host under a two-label public suffix") {
    CHECK(rua::registrable_domain("mail.example.co.uk") == "example.co.uk");
    CHECK(rua::registrable_domain("a.b.c.example.com") == "example.com");
    CHECK(rua::registrable_domain("example.com") == "example.com");
}

TEST_CASE("a public suffix itself has no registrable domain") {
    CHECK_FALSE(rua::registrable_domain("co.uk").has_value());
    CHECK_FALSE(rua::registrable_domain("com").has_value());
    CHECK_FALSE(rua::registrable_domain("").has_value());
    CHECK_FALSE(rua::registrable_domain(".example.com").has_value());
}

TEST_CASE("relaxed alignment compares registrable domains") {
    CHECK(rua::same_organisation("bounce.mail.example.org", "example.org"));
    CHECK_FALSE(rua::same_organisation("example.org", "example.net"));
    CHECK_FALSE(rua::same_organisation("co.uk", "co.uk"));
    // Two customers under one private suffix are different organisations.
    CHECK_FALSE(rua::same_organisation("alice.github.io", "bob.github.io"));
}
