// The provider map's data file (core/src/enrich/providers.cpp): the format
// and its errors, and the shipped packaging/providers.tsv itself: every line
// valid, the senders operators ask about present, no domain twice per kind.
// The lookup rule (which row wins) is SQL: tests/db/test_source_queue.cpp.
#include <rua/enrich.hpp>
#include <rua/errors.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

using rua::parse_provider_file;

namespace {

std::string shipped() {
    std::ifstream in(std::string(RUA_SOURCE_DIR) + "/packaging/providers.tsv");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string error_of(const std::string& text) {
    try {
        parse_provider_file(text, "p.tsv");
    } catch (const rua::BadInput& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("provider file: entries normalised, comments and blank lines skipped") {
    const auto entries = parse_provider_file(
        "# comment\n\nptr\tMail.Example.NET.\tExample Mail\tesp\r\ndkim\tx.example\tX\tsaas",
        "p.tsv");
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].kind == "ptr");
    CHECK(entries[0].domain == "mail.example.net");
    CHECK(entries[0].provider == "Example Mail");
    CHECK(entries[0].type == "esp");
    CHECK(entries[1].domain == "x.example");
}

TEST_CASE("provider file: a malformed line names the file, line and reason") {
    CHECK(error_of("ptr\texample.net\tX\n") == "p.tsv:1: expected 4 tab-separated fields, found 3");
    CHECK(error_of("# c\nmx\texample.net\tX\tesp\n") ==
          "p.tsv:2: unknown kind \"mx\" (ptr, dkim or spf)");
    CHECK(error_of("spf\texa mple.net\tX\tesp\n") == "p.tsv:1: not a domain: \"exa mple.net\"");
    CHECK(error_of("spf\texample.net\t\tesp\n") ==
          "p.tsv:1: provider name empty, too long or with control characters");
    CHECK(error_of("spf\texample.net\tX\t\x1b[31m\n") ==
          "p.tsv:1: provider type empty, too long or with control characters");
}

TEST_CASE("the shipped provider map names at least 30 senders, each domain once per kind") {
    const auto entries = parse_provider_file(shipped(), "providers.tsv");
    std::set<std::string> providers;
    std::set<std::pair<std::string, std::string>> keys;
    std::map<std::string, std::string> ptr;
    std::map<std::string, std::string> dkim;
    const std::set<std::string> types = {"mailbox", "esp", "saas", "gateway", "forwarder"};
    for (const auto& e : entries) {
        providers.insert(e.provider);
        CHECK_MESSAGE(keys.insert({e.kind, e.domain}).second, e.kind << " " << e.domain);
        const bool known_type = types.count(e.type) == 1;
        CHECK_MESSAGE(known_type, e.type);
        if (e.kind == "ptr") {
            ptr[e.domain] = e.provider;
        } else if (e.kind == "dkim") {
            dkim[e.domain] = e.provider;
        }
    }
    CHECK(providers.size() >= 30);
    CHECK(ptr["google.com"] == "Google");
    CHECK(ptr["outlook.com"] == "Microsoft");
    CHECK(ptr["amazonses.com"] == "Amazon SES");
    CHECK(ptr["sendgrid.net"] == "SendGrid");
    CHECK(ptr["mcsv.net"] == "Mailchimp");
    CHECK(ptr["mandrillapp.com"] == "Mandrill");
    CHECK(ptr["mailgun.net"] == "Mailgun");
    CHECK(ptr["mtasv.net"] == "Postmark");
    CHECK(ptr["sparkpostmail.com"] == "SparkPost");
    CHECK(ptr["salesforce.com"] == "Salesforce");
    CHECK(ptr["zendesk.com"] == "Zendesk");
    CHECK(ptr["pphosted.com"] == "Proofpoint");
    CHECK(ptr["mimecast.com"] == "Mimecast");
    CHECK(ptr["barracudanetworks.com"] == "Barracuda");
    CHECK(dkim["onmicrosoft.com"] == "Microsoft");
    CHECK(dkim["gappssmtp.com"] == "Google");
}
