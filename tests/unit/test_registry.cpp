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

TEST_CASE("registry lookups use the one normal form: trailing dot, case, +tag") {
    rua::Registry registry({{"DMARC@Example.NET.", "acme", true, {"Example.COM."}},
                            {"dmarc+cust1@example.net", "cust1", true, {}}});
    REQUIRE(registry.size() == 2);
    REQUIRE(registry.find("<dmarc@example.net.>") != nullptr);
    CHECK(registry.find("<dmarc@example.net.>")->account == "acme");
    CHECK(registry.find("<DMARC@Example.NET>")->account == "acme");
    CHECK(registry.find("<dmarc+cust1@example.net.>")->account == "cust1");
    CHECK(registry.find("<dmarc+x@example.net>") == nullptr);
    CHECK(registry.find("<\"dmarc\"@example.net>") == nullptr);
    CHECK(registry.find("<dmarc@example.net..>") == nullptr);
    const auto* e = registry.find("dmarc@example.net");
    CHECK(e->domains == std::vector<std::string>{"example.com"});
    CHECK(rua::Registry::owns_domain(*e, "example.com."));
    CHECK_FALSE(rua::Registry::owns_domain(*e, "example..com"));
}

TEST_CASE("any of several rua entries may own a domain") {
    const std::vector<rua::RuaEntry> entries = {
        {"a@x.example", "first", true, {"first.example"}},
        {"b@x.example", "second", true, {"second.example"}}};
    CHECK(rua::Registry::any_owns_domain(entries, "second.example"));
    CHECK(rua::Registry::any_owns_domain(entries, "mail.first.example"));
    CHECK_FALSE(rua::Registry::any_owns_domain(entries, "third.example"));
    CHECK_FALSE(rua::Registry::any_owns_domain({}, "first.example"));
}
