#include "rua/authz.hpp"

#include <doctest/doctest.h>

#include <map>
#include <stdexcept>

namespace {

// Answers from a table: a name absent from it is NXDOMAIN.
class TableResolver final : public rua::TxtResolver {
public:
    std::map<std::string, rua::TxtAnswer> answers;
    std::vector<std::string> asked;

    rua::TxtAnswer txt(const std::string& name) override {
        asked.push_back(name);
        const auto it = answers.find(name);
        return it == answers.end() ? rua::TxtAnswer{rua::TxtAnswer::Status::nxdomain, {}}
                                   : it->second;
    }
    void set(const std::string& name, std::vector<std::string> texts) {
        answers[name] = {rua::TxtAnswer::Status::ok, std::move(texts)};
    }
};

std::vector<rua::RuaEntry> registry() {
    return {{"dmarc@reports.provider.test", "acme", true, {"customer.example", "provider.test"}},
            {"ruf@reports.provider.test", "acme", true, {"customer.example"}},
            {"any@provider.test", "open", true, {}}};
}

std::vector<std::string> texts(const rua::AuthzCheck& check) {
    std::vector<std::string> out;
    for (const auto& f : check.findings) {
        out.push_back(std::string(f.level == rua::AuthzFinding::Level::ok        ? "ok: "
                                  : f.level == rua::AuthzFinding::Level::missing ? "missing: "
                                                                                 : "failed: ") +
                      f.text);
    }
    return out;
}

} // namespace

TEST_CASE("a DMARC record's rua and ruf mailto addresses, size limits and other schemes cut") {
    const auto r = rua::parse_dmarc_record(
        "v=DMARC1; p=none; rua=mailto:DMARC@Reports.Provider.TEST!10m, https://x.example/,"
        " mailto:a%2Bb@example.net ;ruf = mailto:ruf@reports.provider.test");
    CHECK(r.error.empty());
    CHECK(r.rua == std::vector<std::string>{"dmarc@reports.provider.test", "a+b@example.net"});
    CHECK(r.ruf == std::vector<std::string>{"ruf@reports.provider.test"});
}

TEST_CASE("a record that does not start with v=DMARC1 is not a DMARC record") {
    CHECK(rua::parse_dmarc_record("p=none; v=DMARC1").error == "does not start with v=DMARC1");
    CHECK(rua::parse_dmarc_record("v=DMARC2; p=none").error ==
          "wrong version \"DMARC2\" (must be DMARC1)");
    CHECK(rua::parse_dmarc_record("").error == "does not start with v=DMARC1");
    CHECK(rua::parse_dmarc_record(" v = DMARC1 ").error.empty());
}

TEST_CASE("authorisation records: other organisations' domains only, sorted, no repeats") {
    std::vector<std::string> unlisted;
    const auto records = rua::authorization_records(registry(), false, unlisted);
    REQUIRE(records.size() == 1);
    CHECK(rua::zone_lines(records) ==
          "customer.example._report._dmarc.reports.provider.test. IN TXT \"v=DMARC1\"\n");
    CHECK(unlisted == std::vector<std::string>{"any@provider.test"});
}

TEST_CASE("authorisation records with --wildcard: one per rua domain") {
    std::vector<std::string> unlisted;
    const auto records = rua::authorization_records(registry(), true, unlisted);
    CHECK(rua::zone_lines(records) ==
          "*._report._dmarc.provider.test. IN TXT \"v=DMARC1\"\n"
          "*._report._dmarc.reports.provider.test. IN TXT \"v=DMARC1\"\n");
}

TEST_CASE("check: a customer pointing at us with its authorisation record is all ok") {
    TableResolver dns;
    dns.set("_dmarc.customer.example",
            {"some other text", "v=DMARC1; p=reject; rua=mailto:dmarc@reports.provider.test;"
                                " ruf=mailto:ruf@reports.provider.test"});
    dns.set("customer.example._report._dmarc.reports.provider.test", {"v=DMARC1"});
    const auto check = rua::check_authorization("Customer.Example.", registry(), dns);
    CHECK(check.record_name == "_dmarc.customer.example");
    CHECK(texts(check) ==
          std::vector<std::string>{
              "ok: rua=dmarc@reports.provider.test is registered here (account acme)",
              "ok: customer.example._report._dmarc.reports.provider.test authorises "
              "reports.provider.test",
              "ok: ruf=ruf@reports.provider.test is registered here (account acme)"});
    CHECK(check.all_ok());
    // One lookup of the authorisation record for the two addresses of one domain.
    CHECK(dns.asked.size() == 2);
}

TEST_CASE("check: missing authorisation record, and a wrong version in it") {
    TableResolver dns;
    dns.set("_dmarc.customer.example",
            {"v=DMARC1; p=none; rua=mailto:dmarc@reports.provider.test"});
    auto check = rua::check_authorization("customer.example", registry(), dns);
    CHECK(texts(check).back() == "missing: no authorisation record: "
                                 "customer.example._report._dmarc.reports.provider.test TXT "
                                 "\"v=DMARC1\" (no such name)");
    CHECK_FALSE(check.all_ok());
    CHECK_FALSE(check.dns_failed());
    dns.set("customer.example._report._dmarc.reports.provider.test", {"v=DMARC2"});
    check = rua::check_authorization("customer.example", registry(), dns);
    CHECK(texts(check).back() == "missing: customer.example._report._dmarc.reports.provider.test: "
                                 "wrong version: \"v=DMARC2\" (must begin v=DMARC1)");
}

TEST_CASE("check: rua= naming only others' addresses, no record, two records") {
    TableResolver dns;
    dns.set("_dmarc.customer.example", {"v=DMARC1; p=none; rua=mailto:d@elsewhere.example"});
    CHECK(texts(rua::check_authorization("customer.example", registry(), dns)) ==
          std::vector<std::string>{"missing: rua= does not point at an address registered "
                                   "here (it names d@elsewhere.example)"});
    dns.answers.clear();
    CHECK(texts(rua::check_authorization("customer.example", registry(), dns)) ==
          std::vector<std::string>{"missing: no DMARC record at _dmarc.customer.example"});
    dns.set("_dmarc.customer.example", {"v=DMARC1; p=none", "v=DMARC1; p=reject"});
    CHECK(texts(rua::check_authorization("customer.example", registry(), dns)) ==
          std::vector<std::string>{
              "missing: _dmarc.customer.example: 2 DMARC records (must be exactly one)"});
}

TEST_CASE("check: a subdomain falls back to its organisational domain's record") {
    TableResolver dns;
    dns.set("_dmarc.customer.example",
            {"v=DMARC1; p=none; rua=mailto:dmarc@reports.provider.test"});
    dns.set("customer.example._report._dmarc.reports.provider.test", {"v=DMARC1"});
    const auto check = rua::check_authorization("mail.customer.example", registry(), dns);
    CHECK(check.record_name == "_dmarc.customer.example");
    CHECK(dns.asked.front() == "_dmarc.mail.customer.example");
    // The address's account lists customer.example: its subdomains too.
    CHECK(check.all_ok());
    // The authorisation record names the domain the record came from (7.1).
    CHECK(dns.asked.back() == "customer.example._report._dmarc.reports.provider.test");
}

TEST_CASE("check: an address whose account does not list the domain, and a DNS failure") {
    TableResolver dns;
    dns.set("_dmarc.stranger.example", {"v=DMARC1; rua=mailto:dmarc@reports.provider.test"});
    CHECK(texts(rua::check_authorization("stranger.example", registry(), dns)) ==
          std::vector<std::string>{
              "missing: rua=dmarc@reports.provider.test is registered for account acme, which "
              "does not list stranger.example: its reports would be refused"});
    dns.answers["_dmarc.stranger.example"] = {rua::TxtAnswer::Status::timeout, {}};
    const auto check = rua::check_authorization("stranger.example", registry(), dns);
    CHECK(texts(check) == std::vector<std::string>{"failed: _dmarc.stranger.example: timed out"});
    CHECK(check.dns_failed());
    CHECK_THROWS_WITH_AS(rua::check_authorization("not a domain", registry(), dns),
                         "\"not a domain\" is not a domain name", std::invalid_argument);
}
