// Which Authentication-Results count and the verdict per report
// (core/src/authenticity.cpp): trusted authserv-ids only, nothing below this
// host's own Received field, alignment by registrable domain.
#include <rua/authres.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

rua::AuthenticityPolicy policy(std::string own_host = {}) {
    rua::AuthenticityPolicy p;
    p.trusted_ids = {"mx.example.org", "relay.example.org"};
    p.own_host = std::move(own_host);
    return p;
}

std::vector<std::string> ids(const std::vector<rua::AuthResults>& results) {
    std::vector<std::string> out;
    for (const auto& r : results) {
        out.push_back(r.authserv_id);
    }
    return out;
}

rua::AuthResults parsed(const char* value) {
    auto r = rua::parse_authentication_results(value);
    REQUIRE(r.has_value());
    return *r;
}

} // namespace

TEST_CASE("only Authentication-Results with a trusted authserv-id are kept, top first") {
    const std::string raw =
        "Authentication-Results: MX.example.org; dkim=pass header.d=a.example\r\n"
        "Authentication-Results: evil.example; dmarc=pass header.from=a.example\r\n"
        "X-Other: x\r\n"
        "Authentication-Results: relay.example.org;\r\n"
        "\tdmarc=fail header.from=a.example\r\n"
        "Authentication-Results: mx.example.org; dkim=pass (broken\r\n"
        "Subject: s\r\n"
        "\r\n"
        "Authentication-Results: mx.example.org; in the body\r\n";
    CHECK(ids(rua::trusted_authentication_results(raw, policy())) ==
          std::vector<std::string>{"mx.example.org", "relay.example.org"});
}

TEST_CASE("no trusted authserv-id: the feature is off") {
    const std::string raw = "Authentication-Results: mx.example.org; dkim=pass header.d=a\n\n";
    CHECK(rua::trusted_authentication_results(raw, rua::AuthenticityPolicy{}).empty());
}

TEST_CASE("a trusted field below this host's own Received field is ignored") {
    const std::string raw =
        "Authentication-Results: mx.example.org; dkim=pass header.d=a.example\n"
        "Received: from client.example (client.example [192.0.2.1]) by Rua.Example.NET "
        "(8.17.1/8.17.1) with ESMTP id 123; Mon, 1 Dec 2026 00:00:00 +0000\n"
        "Authentication-Results: relay.example.org; dkim=pass header.d=a.example\n"
        "\n";
    CHECK(ids(rua::trusted_authentication_results(raw, policy("rua.example.net"))) ==
          std::vector<std::string>{"mx.example.org"});
    // Another host's Received field is no boundary.
    CHECK(ids(rua::trusted_authentication_results(raw, policy("other.example.net"))) ==
          std::vector<std::string>{"mx.example.org", "relay.example.org"});
    // Without this host's name every trusted field counts.
    CHECK(ids(rua::trusted_authentication_results(raw, policy())).size() == 2);
}

TEST_CASE("a Received field naming this host only in a comment is no boundary") {
    const std::string raw = "Received: from a (helo by rua.example.net) by b.example; x\n"
                            "Authentication-Results: mx.example.org; none\n\n";
    CHECK(rua::trusted_authentication_results(raw, policy("rua.example.net")).size() == 1);
}

TEST_CASE("the verdict per report") {
    struct Case {
        std::vector<const char*> fields;
        const char* reporter;
        rua::Authenticity verdict;
        const char* authserv_id;
    };
    const std::vector<Case> cases = {
        {{}, "noreply-dmarc-support@google.com", rua::Authenticity::unknown, ""},
        {{"mx.example.org; dmarc=pass header.from=google.com"},
         "noreply-dmarc-support@google.com",
         rua::Authenticity::dmarc_pass,
         "mx.example.org"},
        {{"mx.example.org; dmarc=pass header.from=mail.google.com"},
         "google.com",
         rua::Authenticity::dmarc_pass,
         "mx.example.org"},
        {{"mx.example.org; dmarc=pass header.from=evil.example"},
         "noreply-dmarc-support@google.com",
         rua::Authenticity::unauthenticated,
         "mx.example.org"},
        {{"mx.example.org; dmarc=fail header.from=google.com; dkim=pass header.d=google.com"},
         "dmarc@google.com",
         rua::Authenticity::dkim_aligned,
         "mx.example.org"},
        {{"mx.example.org; dkim=pass header.d=sub.example.co.uk"},
         "reports@example.co.uk",
         rua::Authenticity::dkim_aligned,
         "mx.example.org"},
        {{"mx.example.org; dkim=pass header.d=other.co.uk"},
         "reports@example.co.uk",
         rua::Authenticity::unauthenticated,
         "mx.example.org"},
        {{"mx.example.org; dkim=pass header.d=co.uk"},
         "reports@co.uk",
         rua::Authenticity::unauthenticated,
         "mx.example.org"},
        {{"mx.example.org; dkim=fail header.d=google.com"},
         "google.com",
         rua::Authenticity::unauthenticated,
         "mx.example.org"},
        {{"mx.example.org; none", "relay.example.org; dmarc=pass header.from=a@google.com"},
         "google.com",
         rua::Authenticity::dmarc_pass,
         "relay.example.org"},
        {{"mx.example.org; dkim=pass header.d=google.com",
          "relay.example.org; dmarc=pass header.from=google.com"},
         "google.com",
         rua::Authenticity::dmarc_pass,
         "relay.example.org"},
        {{"mx.example.org; dmarc=pass header.from=google.com"},
         "",
         rua::Authenticity::unauthenticated,
         "mx.example.org"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.reporter);
        std::vector<rua::AuthResults> trusted;
        for (const char* field : c.fields) {
            trusted.push_back(parsed(field));
        }
        const auto found = rua::judge_authenticity(trusted, c.reporter);
        CHECK(found.verdict == c.verdict);
        CHECK(found.authserv_id == c.authserv_id);
    }
}

TEST_CASE("authenticity names round-trip") {
    for (auto a : {rua::Authenticity::unknown, rua::Authenticity::unauthenticated,
                   rua::Authenticity::dkim_aligned, rua::Authenticity::dmarc_pass}) {
        CHECK(rua::authenticity_from_string(rua::to_string(a)) == a);
    }
    CHECK(std::string(rua::to_string(rua::Authenticity::dkim_aligned)) == "dkim-aligned");
    CHECK_FALSE(rua::authenticity_from_string("pass").has_value());
    CHECK(rua::is_authentic(rua::Authenticity::dmarc_pass));
    CHECK_FALSE(rua::is_authentic(rua::Authenticity::unauthenticated));
}
