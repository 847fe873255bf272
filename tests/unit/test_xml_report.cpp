// Tests for the XML stage (rua::detail::parse_report_xml): the model fields,
// the three schema flavours, report validation with its exact messages, and
// a large generated report. Quirks: test_xml_quirks.cpp; hostile input and
// bounds: test_xml_hostile.cpp.
#include "kinds/aggregate/xml_values.hpp"
#include "xml_fixtures.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

using namespace xml_fixtures;

TEST_CASE("a plain RFC 7489 report parses into every model field") {
    const std::string tail =
        "<dkim><domain>tx.example</domain><selector>s1</selector><result>pass</result>"
        "<human_result>ok</human_result></dkim>"
        "<dkim><domain>esp.example</domain><result>fail</result></dkim>"
        "<dkim><domain>third.example</domain><selector>s3</selector><result>none</result></dkim>"
        "<spf><domain>tx.example</domain><scope>mfrom</scope><result>pass</result></spf>"
        "<spf><domain>helo.tx.example</domain><scope>helo</scope><result>neutral</result>"
        "<human_result>h</human_result></spf>";
    const rua::AggregateReport r =
        parse(doc("<version>1.0</version>" + k_metadata + k_policy +
                  record("192.0.2.1", "4",
                         "<reason><type>forwarded</type><comment>list</comment></reason>"
                         "<reason><type>other</type></reason>",
                         tail)));
    CHECK(r.schema == "rfc7489");
    CHECK_FALSE(r.xml_namespace.has_value());
    CHECK(r.org_name == "rx.example");
    CHECK(r.email == "dmarc@rx.example");
    CHECK(r.report_id == "r1");
    CHECK(r.begin == 100);
    CHECK(r.end == 200);
    CHECK(r.policy.domain == "tx.example");
    CHECK(r.policy.p == "none");
    CHECK_FALSE(r.policy.sp.has_value());
    REQUIRE(r.records.size() == 1);
    const rua::Record& rec = r.records[0];
    CHECK(rec.source_ip.text() == "192.0.2.1");
    CHECK(rec.count == 4);
    CHECK(rec.disposition == "none");
    CHECK(rec.dmarc_pass());
    REQUIRE(rec.reasons.size() == 2);
    CHECK(rec.reasons[0].type == "forwarded");
    CHECK(rec.reasons[0].comment == "list");
    CHECK(rec.reasons[1].type == "other");
    CHECK_FALSE(rec.reasons[1].comment.has_value());
    CHECK(rec.header_from == "tx.example");
    REQUIRE(rec.auth_dkim.size() == 3);
    CHECK(rec.auth_dkim[0].selector == "s1");
    CHECK(rec.auth_dkim[0].human_result == "ok");
    CHECK(rec.auth_dkim[1].domain == "esp.example");
    CHECK_FALSE(rec.auth_dkim[1].selector.has_value());
    CHECK(rec.auth_dkim[1].result == "fail");
    CHECK(rec.auth_dkim[2].result == "none");
    REQUIRE(rec.auth_spf.size() == 2);
    CHECK(rec.auth_spf[0].scope == "mfrom");
    CHECK(rec.auth_spf[1].domain == "helo.tx.example");
    CHECK(rec.auth_spf[1].scope == "helo");
    CHECK(rec.auth_spf[1].result == "neutral");
    CHECK(rec.auth_spf[1].human_result == "h");
    CHECK(r.warnings.empty());
}

TEST_CASE("the schema flavour follows the namespace, then the version") {
    struct Flavour {
        std::string open;
        std::string version;
        std::string schema;
        rua::OptString ns;
    };
    const std::vector<Flavour> cases{
        {"<feedback>", "", "rfc7489", std::nullopt},
        {"<feedback>", "<version>1.0</version>", "rfc7489", std::nullopt},
        {"<feedback>", "<version>2.0</version>", "draft", std::nullopt},
        {"<feedback xmlns=\"http://dmarc.org/dmarc-xml/0.2\">", "", "draft",
         "http://dmarc.org/dmarc-xml/0.2"},
        {"<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">", "<version>1.0</version>",
         "rfc9990", "urn:ietf:params:xml:ns:dmarc-2.0"},
        // AOL 2012: prefixed root, children in no namespace.
        {"<ns1:feedback xmlns:ns1=\"http://dmarc.org/dmarc-xml/0.1\">", "", "draft",
         "http://dmarc.org/dmarc-xml/0.1"},
        // Outlook: unused xsd/xsi prefixes on the root.
        {"<feedback xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
         "<version>1.0</version>", "rfc7489", std::nullopt},
    };
    for (const auto& c : cases) {
        CAPTURE(c.open);
        const std::string close = c.open.rfind("<ns1:", 0) == 0 ? "</ns1:feedback>" : "</feedback>";
        std::string body = c.version;
        body += k_metadata;
        body += k_policy;
        body += record("192.0.2.1", "2");
        const rua::AggregateReport r = parse(doc(body, c.open, close));
        CHECK(r.schema == c.schema);
        CHECK(r.xml_namespace == c.ns);
        CHECK(r.report_id == "r1");
        CHECK(r.policy.domain == "tx.example");
        REQUIRE(r.records.size() == 1);
        CHECK(r.records[0].count == 2);
    }
}

TEST_CASE("invalid reports are rejected with the exact reason") {
    struct Bad {
        std::string xml;
        std::string message;
    };
    const std::string no_id = "<report_metadata><org_name>o</org_name><date_range><begin>1"
                              "</begin><end>2</end></date_range></report_metadata>";
    const std::vector<Bad> cases{
        {doc(no_id + k_policy), "missing report_id"},
        {doc("<report_metadata><report_id> </report_id><date_range><begin>1</begin><end>2</end>"
             "</date_range></report_metadata>" +
             k_policy),
         "missing report_id"},
        {doc(k_metadata + "<policy_published><p>none</p></policy_published>"),
         "missing policy_published/domain"},
        {doc(k_metadata), "missing policy_published/domain"},
        {doc("<report_metadata><report_id>r</report_id><date_range><end>2</end></date_range>"
             "</report_metadata>" +
             k_policy),
         "missing date_range/begin"},
        {doc("<report_metadata><report_id>r</report_id><date_range><begin>1</begin>"
             "</date_range></report_metadata>" +
             k_policy),
         "missing date_range/end"},
        {doc("<report_metadata><report_id>r</report_id><date_range><begin>yesterday</begin>"
             "<end>2</end></date_range></report_metadata>" +
             k_policy),
         "date_range/begin \"yesterday\" is not a timestamp"},
        {doc("<report_metadata><report_id>r</report_id><date_range><begin>1</begin>"
             "<end>-2</end></date_range></report_metadata>" +
             k_policy),
         "date_range/end \"-2\" is not a timestamp"},
        {doc(k_metadata + k_policy + record("192.0.2.1", "1") + record("108r.166.27.220", "1")),
         "record 2: source_ip \"108r.166.27.220\" is not an IP address"},
        {doc(k_metadata + k_policy + record("192.0.2.1", "12a")),
         "record 1: count \"12a\" is not a number"},
        {doc(k_metadata + k_policy + record("192.0.2.1", "-1")),
         "record 1: count \"-1\" is not a number"},
        {doc(k_metadata + k_policy + record("192.0.2.1", "99999999999999999999")),
         "record 1: count \"99999999999999999999\" is not a number"},
        {doc(k_metadata + k_policy + record("192.0.2.1", "9223372036854775807")),
         "record 1: count 9223372036854775807 exceeds MaxCount (1000000000000)"},
        {doc(k_metadata + k_policy + record("192.0.2.1", "1000000000001")),
         "record 1: count 1000000000001 exceeds MaxCount (1000000000000)"},
        {doc(k_metadata + k_policy + record("", "1")), "record 1: missing source_ip"},
        {doc(k_metadata + k_policy + record("192.0.2.1", "1") + record("192.0.2.1", " ")),
         "record 2: missing count"},
        {doc(k_metadata + k_policy + "<record><row><count>1</count></row></record>"),
         "record 1: missing source_ip"},
        {"<?xml version=\"1.0\"?><report><feedback/></report>",
         "root element is <report>, not <feedback>"},
        {"<?xml version=\"1.0\"?> <xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">"
         "<feedback>" +
             k_metadata + k_policy + "</feedback>",
         "root element is <xs:schema>, not <feedback>"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.xml);
        const Failure f = parse_failure(c.xml);
        CHECK(f.message == c.message);
        CHECK_FALSE(f.limit);
    }
}

TEST_CASE("a count of exactly MaxCount is accepted") {
    rua::Limits limits;
    limits.max_count = 5;
    CHECK(parse(doc(k_metadata + k_policy + record("192.0.2.1", "5")), limits).records[0].count ==
          5);
}

TEST_CASE("20,000 generated records are all read, with the exact message count") {
    std::string body = k_metadata + k_policy;
    std::uint64_t expected_sum = 0;
    constexpr int k_records = 20000;
    for (int i = 0; i < k_records; ++i) {
        const int count = i % 7 + 1;
        expected_sum += static_cast<std::uint64_t>(count);
        const std::string ip = "10." + std::to_string(i / 65536) + "." +
                               std::to_string((i / 256) % 256) + "." + std::to_string(i % 256);
        body += record(ip, std::to_string(count), "",
                       "<dkim><domain>d" + std::to_string(i) +
                           "</domain><result>pass</result>"
                           "</dkim><spf><domain>s</domain><result>fail</result></spf>");
    }
    const rua::AggregateReport r = parse(doc(body));
    REQUIRE(r.records.size() == k_records);
    CHECK(r.message_count() == expected_sum);
    CHECK(r.records[19999].source_ip.text() == "10.0.78.31");
    CHECK(r.records[19999].auth_dkim.at(0).domain == "d19999");
}

TEST_CASE("warnings are kept once each and capped") {
    std::string body = k_metadata + k_policy;
    for (int i = 0; i < 150; ++i) {
        body += record("192.0.2.1", "1", "<disposition>odd" + std::to_string(i) + "</disposition>");
    }
    body += record("192.0.2.1", "1", "<disposition>odd0</disposition>");
    const rua::AggregateReport r = parse(doc(body));
    REQUIRE(r.records.size() == 151);
    CHECK(r.records[150].disposition == "odd0");
    REQUIRE(r.warnings.size() == rua::detail::Warnings::k_max_warnings + 1);
    CHECK(r.warnings[0] == "unknown disposition \"odd0\"");
    CHECK(r.warnings[99] == "unknown disposition \"odd99\"");
    CHECK(r.warnings[100] == "further warnings suppressed");
}
