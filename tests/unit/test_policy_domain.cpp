// The aggregate policy domain in the one normal form (rua/address.hpp)
// before the exactly-once key and the fingerprint see it: a trailing dot or
// capitals make no second report; normal input keeps its fingerprint.
#include "xml_fixtures.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace xml_fixtures;

namespace {

std::string with_domain(const std::string& domain) {
    return doc(k_metadata + "<policy_published><domain>" + domain +
               "</domain><p>none</p></policy_published>" + record("192.0.2.1", "1"));
}

} // namespace

TEST_CASE("a policy domain with a trailing dot or capitals reads as the normal one") {
    const auto normal = parse(with_domain("tx.example"));
    REQUIRE(normal.policy.domain == "tx.example");
    for (const char* sent : {"tx.example.", "TX.Example", "Tx.EXAMPLE."}) {
        CAPTURE(sent);
        const auto report = parse(with_domain(sent));
        CHECK(report.policy.domain == "tx.example");
        CHECK(report.domains() == std::vector<std::string>{"tx.example"});
        CHECK(report.fingerprint() == normal.fingerprint());
        CHECK(report.warnings.empty());
    }
}

TEST_CASE("a U-label policy domain is stored as its A-label") {
    const auto report = parse(with_domain("B\xC3\xBC"
                                          "cher.example"));
    CHECK(report.policy.domain == "xn--bcher-kva.example");
}

TEST_CASE("a policy domain that is no host name is kept as sent and flagged") {
    const auto report = parse(with_domain("not a..domain"));
    CHECK(report.policy.domain == "not a..domain");
    CHECK(has_warning(report, "policy_published/domain \"not a..domain\" is not a domain name"));
}
