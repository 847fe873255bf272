// The Authentication-Results parser (core/src/authres.cpp): real fields as
// MTAs and milters write them, the grammar's corners, and hostile input.
#include <rua/authres.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

// "id[/version]; method=result{ptype.prop=value}; ..." for compact checks.
std::string summary(const rua::AuthResults& r) {
    std::string out = r.authserv_id;
    if (r.version) {
        out += "/" + std::to_string(*r.version);
    }
    for (const auto& m : r.results) {
        out += "; " + m.method + "=" + m.result;
        if (!m.reason.empty()) {
            out += " reason=" + m.reason;
        }
        for (const auto& [k, v] : m.properties) {
            out += " " + k + "=" + v;
        }
    }
    return out;
}

struct Case {
    const char* input;
    const char* expected; // nullptr: refused
};

} // namespace

TEST_CASE("Authentication-Results fields parse to their authserv-id and results") {
    const std::vector<Case> cases = {
        {"mx.example.org; dkim=pass header.d=example.com header.i=@example.com",
         "mx.example.org; dkim=pass header.d=example.com header.i=@example.com"},
        {" MX.Example.ORG 1; none", "mx.example.org/1"},
        {"mx.example.org; none", "mx.example.org"},
        {"mx.example.org", "mx.example.org"},
        {"mx.example.org;", "mx.example.org"},
        {"mx.example.org;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com;\r\n"
         "\tspf=pass (mx.example.org: domain of a@b.example designates 192.0.2.1 as permitted "
         "sender) smtp.mailfrom=a@b.example;\r\n\tdmarc=pass (p=REJECT sp=REJECT dis=NONE) "
         "header.from=example.com",
         "mx.example.org; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=a@b.example; "
         "dmarc=pass header.from=example.com"},
        {"mx.example.org; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=x.example; "
         "dkim=pass (signature was verified) header.d=x.example;dmarc=pass action=none "
         "header.from=x.example;compauth=pass reason=100",
         "mx.example.org; spf=pass smtp.mailfrom=x.example; dkim=pass header.d=x.example; "
         "dmarc=pass action=none header.from=x.example; compauth=pass reason=100"},
        {"\"quoted id\"; dkim/1=PASS reason=\"good \\\"sig\\\"\" header.d=Example.COM",
         "quoted id; dkim=pass reason=good \"sig\" header.d=Example.COM"},
        {"(c) mx.example.org (c (nested)) 2 ( x ) ; dmarc = fail header . from=x",
         nullptr}, // a ptype split by white space is not accepted
        {"(c) mx.example.org (c (nested)) 2 ( x ) ; dmarc = fail header.from = x",
         "mx.example.org/2; dmarc=fail header.from=x"},
        {"mx.example.org; dkim=pass header.d=a.example header.b=abcdEFGH; dkim=fail "
         "header.d=b.example",
         "mx.example.org; dkim=pass header.d=a.example header.b=abcdEFGH; dkim=fail "
         "header.d=b.example"},
        {"mx.example.org; dmarc=pass header.from=\"example.com\"",
         "mx.example.org; dmarc=pass header.from=example.com"},
        {"mx.example.org; auth=pass smtp.auth=user@example.com",
         "mx.example.org; auth=pass smtp.auth=user@example.com"},
        // Refused.
        {"", nullptr},
        {"   ", nullptr},
        {"; dkim=pass", nullptr},
        {"mx.example.org; dkim", nullptr},
        {"mx.example.org; dkim=", nullptr},
        {"mx.example.org; =pass", nullptr},
        {"mx.example.org; dkim/=pass", nullptr},
        {"mx.example.org; none; dkim=pass", nullptr},
        {"mx.example.org; dkim=pass; none", nullptr},
        {"mx.example.org v1; dkim=pass", nullptr},
        {"mx.example.org 99999999999; dkim=pass", nullptr},
        {"mx.example.org; dkim=pass header.d", nullptr},
        {"mx.example.org; dkim=pass header.d=", "mx.example.org; dkim=pass header.d="},
        {"mx.example.org; dkim=pass (open comment", nullptr},
        {"mx.example.org; dkim=pass header.d=\"open quote", nullptr},
        {"mx.example.org; dkim=pass header.d=a\x01.example", nullptr},
        {"mx.example.org; dkim=pass (\\", nullptr},
        {"(((((((((((deep))))))))))) mx.example.org", nullptr},
        {"mx.example.org; dkim=pass extra", nullptr},
    };
    for (const auto& c : cases) {
        CAPTURE(c.input);
        const auto parsed = rua::parse_authentication_results(c.input);
        if (c.expected == nullptr) {
            CHECK_FALSE(parsed.has_value());
        } else {
            REQUIRE(parsed.has_value());
            CHECK(summary(*parsed) == c.expected);
        }
    }
}

TEST_CASE("an Authentication-Results field with a NUL byte is refused") {
    const std::string value("mx.example.org; dkim=pass header.d=a\0b", 38);
    CHECK_FALSE(rua::parse_authentication_results(value).has_value());
}

TEST_CASE("property() finds the first value of a property") {
    const auto parsed = rua::parse_authentication_results(
        "mx.example.org; dkim=pass header.d=a.example header.d=b.example");
    REQUIRE(parsed.has_value());
    REQUIRE(parsed->results.size() == 1);
    REQUIRE(parsed->results[0].property("header.d") != nullptr);
    CHECK(*parsed->results[0].property("header.d") == "a.example");
    CHECK(parsed->results[0].property("header.i") == nullptr);
}

TEST_CASE("hostile Authentication-Results fields stay within the bounds") {
    SUBCASE("a value past the byte bound") {
        std::string value = "mx.example.org; dkim=pass header.d=";
        value.append(rua::k_authres_max_bytes, 'a');
        CHECK_FALSE(rua::parse_authentication_results(value).has_value());
    }
    SUBCASE("too many results") {
        std::string value = "mx.example.org";
        for (std::size_t i = 0; i <= rua::k_authres_max_results; ++i) {
            value += ";x=pass";
        }
        CHECK_FALSE(rua::parse_authentication_results(value).has_value());
        value.resize(value.size() - 7);
        const auto parsed = rua::parse_authentication_results(value);
        REQUIRE(parsed.has_value());
        CHECK(parsed->results.size() == rua::k_authres_max_results);
    }
    SUBCASE("too many properties") {
        std::string value = "mx.example.org; dkim=pass";
        for (std::size_t i = 0; i <= rua::k_authres_max_properties; ++i) {
            value += " a.b=c";
        }
        CHECK_FALSE(rua::parse_authentication_results(value).has_value());
    }
    SUBCASE("comments nested to the bound and one past it") {
        std::string ok(static_cast<std::size_t>(rua::k_authres_max_comment_depth), '(');
        ok += std::string(static_cast<std::size_t>(rua::k_authres_max_comment_depth), ')');
        CHECK(rua::parse_authentication_results(ok + " mx.example.org; none").has_value());
        CHECK_FALSE(
            rua::parse_authentication_results("(" + ok + ") mx.example.org; none").has_value());
    }
    SUBCASE("only separators") {
        CHECK_FALSE(rua::parse_authentication_results(std::string(4000, ';')).has_value());
        CHECK_FALSE(rua::parse_authentication_results(std::string(4000, '=')).has_value());
        CHECK_FALSE(rua::parse_authentication_results(std::string(4000, '(')).has_value());
        CHECK_FALSE(rua::parse_authentication_results(std::string(4000, '"')).has_value());
    }
}
