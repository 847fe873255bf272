// The one address normal form (rua/address.hpp), table-driven: what RCPT,
// the registry, ReportDomains and the account check all compare.
#include <rua/address.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

struct Case {
    std::string input;
    std::optional<std::string> expected; // std::nullopt: cannot be normalised
};

} // namespace

TEST_CASE("normalize_domain: lower case, one trailing dot off, A-labels; refuses non-names") {
    const std::vector<Case> cases = {
        {"example.com", "example.com"},
        {"Example.COM", "example.com"},
        {"example.com.", "example.com"},
        {" example.com. ", "example.com"},
        {"_dmarc.example.com", "_dmarc.example.com"},
        {"xn--bcher-kva.example", "xn--bcher-kva.example"},
        {"B\xC3\xBC"
         "cher.example",
         "xn--bcher-kva.example"}, // U-label
        {"B\xC3\xBC"
         "cher.Example.",
         "xn--bcher-kva.example"},                         // and a dot
        {"\xE4\xBE\x8B\xE3\x81\x88.jp", "xn--r8jz45g.jp"}, // 例え.jp
        {"example.com..", std::nullopt},
        {".example.com", std::nullopt},
        {"example..com", std::nullopt},
        {"", std::nullopt},
        {".", std::nullopt},
        {"exa mple.com", std::nullopt},
        {"[192.0.2.1]", std::nullopt},
        {"a@example.com", std::nullopt},
        {"example.com>", std::nullopt},
        {"ex\xFF"
         "ample.com",
         std::nullopt}, // invalid UTF-8
        {std::string(64, 'a') + ".com", std::nullopt},
        {std::string(63, 'a') + ".com", std::string(63, 'a') + ".com"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.input);
        CHECK(rua::normalize_domain(c.input) == c.expected);
    }
}

TEST_CASE("normalize_address: local part case-folded, +tag kept, domain normalised") {
    const std::vector<Case> cases = {
        {"dmarc@example.net", "dmarc@example.net"},
        {"<dmarc@example.net.>", "dmarc@example.net"},
        {"<DMARC@Example.NET>", "dmarc@example.net"},
        {" <Dmarc@Example.NET> ", "dmarc@example.net"},
        {"dmarc+x@example.net", "dmarc+x@example.net"},
        {"DMARC+Cust1@example.net", "dmarc+cust1@example.net"},
        {"dmarc@B\xC3\xBC"
         "cher.example",
         "dmarc@xn--bcher-kva.example"},
        // SMTPUTF8 local part: kept byte for byte (ASCII letters folded).
        {"J\xC3\xB6rg@example.net", "j\xC3\xB6rg@example.net"},
        {"\"a b\"@example.net", std::nullopt},   // quoted local part
        {"\"dmarc\"@example.net", std::nullopt}, // quoted, even if it needs none
        {"dmarc@example.net..", std::nullopt},
        {"dmarc@", std::nullopt},
        {"@example.net", std::nullopt},
        {"dmarc", std::nullopt},
        {"<>", std::nullopt},
        {"a@b@example.net", std::nullopt},
        {"dm arc@example.net", std::nullopt},
        {"dmarc\x01@example.net", std::nullopt},
        {"dm\xFF@example.net", std::nullopt}, // invalid UTF-8
        {"dmarc@ example.net", std::nullopt},
        {"dmarc@[192.0.2.1]", std::nullopt},
    };
    for (const auto& c : cases) {
        CAPTURE(c.input);
        CHECK(rua::normalize_address(c.input) == c.expected);
    }
}

TEST_CASE("domain_of_address: the normalised domain even when the address is refused") {
    CHECK(rua::domain_of_address("<\"a b\"@Example.NET.>") == "example.net");
    CHECK(rua::domain_of_address("dmarc@example.net") == "example.net");
    CHECK(rua::domain_of_address("dmarc") == std::nullopt);
    CHECK(rua::domain_of_address("dmarc@example..net") == std::nullopt);
}
