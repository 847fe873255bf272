#include <rua/registry.hpp>

#include <doctest/doctest.h>

TEST_CASE("registry finds addresses case-insensitively, with or without angle brackets") {
    rua::Registry registry({{"Dmarc@Example.NET", "acme", true, {}}});
    REQUIRE(registry.size() == 1);
    CHECK(registry.find("<dmarc@example.net>") != nullptr);
    CHECK(registry.find(" DMARC@EXAMPLE.NET ") != nullptr);
    CHECK(registry.find("other@example.net") == nullptr);
    CHECK(registry.find("<dmarc@example.net>")->account == "acme");
}

TEST_CASE("an account without domains owns every domain") {
    rua::RuaEntry entry{"a@b.c", "acme", true, {}};
    CHECK(rua::Registry::owns_domain(entry, "anything.example"));
}

TEST_CASE("an account owns its domains and their subdomains, nothing else") {
    rua::RuaEntry entry{"a@b.c", "acme", true, {"example.com"}};
    rua::Registry registry({entry});
    const auto* e = registry.find("a@b.c");
    REQUIRE(e != nullptr);
    CHECK(rua::Registry::owns_domain(*e, "example.com"));
    CHECK(rua::Registry::owns_domain(*e, "Mail.Example.COM."));
    CHECK_FALSE(rua::Registry::owns_domain(*e, "badexample.com"));
    CHECK_FALSE(rua::Registry::owns_domain(*e, "example.org"));
}
