// Tests for the sender quirks the XML stage tolerates (quirks.md C1-C7,
// D1-D5): each case is a small inline document and what it must read as,
// including the warning that flags it.
#include "xml_fixtures.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

using namespace xml_fixtures;

TEST_CASE("sender quirks are tolerated, normalised and flagged") {
    struct Quirk {
        std::string name;
        std::string xml;
        std::function<void(const rua::AggregateReport&)> check;
    };
    const std::string bom = "\xef\xbb\xbf";
    const std::vector<Quirk> cases{
        {"UTF-8 byte order mark", bom + doc(k_metadata + k_policy + record("192.0.2.1", "1")),
         [](const rua::AggregateReport& r) { CHECK(r.report_id == "r1"); }},
        {"windows-1252 declared and used",
         "<?xml version=\"1.0\" encoding=\"windows-1252\"?><feedback><report_metadata>"
         "<org_name>Caf\xe9 \x93quoted\x94</org_name><report_id>r1</report_id><date_range>"
         "<begin>1</begin><end>2</end></date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1") + "</feedback>",
         [](const rua::AggregateReport& r) {
             CHECK(r.org_name == "Caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d");
         }},
        {"capitalised enumerations are lower-cased",
         doc(k_metadata +
             "<policy_published><domain>tx.example</domain><adkim>S</adkim><p>Reject</p>"
             "<sp>QUARANTINE</sp><testing>N</testing><discovery_method>TreeWalk"
             "</discovery_method></policy_published>" +
             "<record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated>"
             "<disposition>None</disposition><dkim>Pass</dkim><spf>Fail</spf><reason><type>"
             "Local_Policy</type></reason></policy_evaluated></row><identifiers><header_from>x"
             "</header_from></identifiers><auth_results><dkim><domain>x</domain><result>"
             "PermError</result></dkim><spf><domain>x</domain><scope>MFrom</scope><result>"
             "SoftFail</result></spf></auth_results></record>"),
         [](const rua::AggregateReport& r) {
             CHECK(r.policy.adkim == "s");
             CHECK(r.policy.p == "reject");
             CHECK(r.policy.sp == "quarantine");
             CHECK(r.policy.testing == "n");
             CHECK(r.policy.discovery_method == "treewalk");
             REQUIRE(r.records.size() == 1);
             CHECK(r.records[0].disposition == "none");
             CHECK(r.records[0].dkim == "pass");
             CHECK(r.records[0].spf == "fail");
             CHECK(r.records[0].reasons.at(0).type == "local_policy");
             CHECK(r.records[0].auth_dkim.at(0).result == "permerror");
             CHECK(r.records[0].auth_spf.at(0).scope == "mfrom");
             CHECK(r.records[0].auth_spf.at(0).result == "softfail");
             CHECK(r.warnings.empty());
         }},
        {"SPF hardfail is read as fail, with a warning",
         doc(k_metadata + k_policy +
             record("192.0.2.1", "1", "",
                    "<spf><domain>x</domain><result>hardfail</result></spf>")),
         [](const rua::AggregateReport& r) {
             CHECK(r.records.at(0).auth_spf.at(0).result == "fail");
             CHECK(r.warnings ==
                   std::vector<std::string>{"spf result \"hardfail\" read as \"fail\""});
         }},
        {"unknown enumeration values are kept lower-cased and flagged once",
         doc(k_metadata +
             "<policy_published><domain>tx.example</domain><p>Monitor</p>"
             "<discovery_method>psd</discovery_method></policy_published>" +
             record("192.0.2.1", "1", "<reason><type>$text</type></reason>",
                    "<dkim><domain>x</domain><result>Policy</result></dkim>"
                    "<spf><domain>x</domain><result>Unknown</result></spf>") +
             record("192.0.2.2", "1", "", "<spf><domain>x</domain><result>unknown</result></spf>")),
         [](const rua::AggregateReport& r) {
             CHECK(r.policy.p == "monitor");
             CHECK(r.records.at(0).reasons.at(0).type == "$text");
             CHECK(r.records.at(0).auth_dkim.at(0).result == "policy");
             CHECK(r.records.at(0).auth_spf.at(0).result == "unknown");
             CHECK(r.warnings == std::vector<std::string>{"unknown p \"monitor\"",
                                                          "unknown discovery_method \"psd\"",
                                                          "unknown reason type \"$text\"",
                                                          "unknown spf result \"unknown\""});
         }},
        {"white space around numbers and text is trimmed",
         doc("<report_metadata><org_name>\n\t rx.example \t</org_name><report_id> r 1 "
             "</report_id><date_range><begin>\n100\n</begin><end>\t200 </end></date_range>"
             "</report_metadata><policy_published><domain> tx.example </domain>"
             "<pct> 100\n</pct></policy_published>" +
             record(" \t192.0.2.1\n", "\n 12 \n")),
         [](const rua::AggregateReport& r) {
             CHECK(r.org_name == "rx.example");
             CHECK(r.report_id == "r 1");
             CHECK(r.begin == 100);
             CHECK(r.end == 200);
             CHECK(r.policy.domain == "tx.example");
             CHECK(r.policy.pct == 100);
             CHECK(r.records.at(0).count == 12);
         }},
        {"decimal timestamps are truncated, a real fraction is flagged",
         doc("<report_metadata><org_name>o</org_name><report_id>r1</report_id><date_range>"
             "<begin>1337270400.0</begin><end>1337356799.75</end></date_range>"
             "</report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::AggregateReport& r) {
             CHECK(r.begin == 1337270400);
             CHECK(r.end == 1337356799);
             CHECK(r.warnings == std::vector<std::string>{
                                     "date_range/end \"1337356799.75\" truncated to seconds"});
         }},
        {"<identities> is read as <identifiers>",
         doc(k_metadata + k_policy +
             "<record><row><source_ip>192.0.2.1</source_ip><count>1</count></row><identities>"
             "<header_from>h.example</header_from><envelope_from>e.example</envelope_from>"
             "<envelope_to>t.example</envelope_to></identities></record>"),
         [](const rua::AggregateReport& r) {
             CHECK(r.records.at(0).header_from == "h.example");
             CHECK(r.records.at(0).envelope_from == "e.example");
             CHECK(r.records.at(0).envelope_to == "t.example");
         }},
        {"a missing org_name falls back to the domain of email",
         doc("<report_metadata><org_name/><email>Reports &lt;noreply@Mail.Example.COM&gt;"
             "</email><report_id>r1</report_id><date_range><begin>1</begin><end>2</end>"
             "</date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::AggregateReport& r) {
             CHECK(r.org_name == "mail.example.com");
             CHECK(r.warnings ==
                   std::vector<std::string>{"org_name missing; using the domain of email "
                                            "(mail.example.com)"});
         }},
        {"no org_name and no email leaves org_name null, with a warning",
         doc("<report_metadata><report_id>r1</report_id><date_range><begin>1</begin><end>2"
             "</end></date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::AggregateReport& r) {
             CHECK_FALSE(r.org_name.has_value());
             CHECK(has_warning(r, "org_name missing and no email domain to use instead"));
         }},
        {"report ids longer than 64 bits stay text",
         doc("<report_metadata><org_name>Mail.Ru</org_name><report_id>"
             "28327321193681154911721360800</report_id><date_range><begin>1</begin><end>2"
             "</end></date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::AggregateReport& r) {
             CHECK(r.report_id == "28327321193681154911721360800");
         }},
        {"IPv6 sources, compressed or not, become canonical",
         doc(k_metadata + k_policy + record("2001:0DB8:0000:0000:0000:0000:0000:0001", "1") +
             record("2001:db8::1", "2") + record("::FFFF:192.0.2.7", "3")),
         [](const rua::AggregateReport& r) {
             REQUIRE(r.records.size() == 3);
             CHECK(r.records[0].source_ip.text() == "2001:db8::1");
             CHECK(r.records[0].source_ip == r.records[1].source_ip);
             CHECK(r.records[2].source_ip.text() == "::ffff:192.0.2.7");
         }},
        {"an empty <reason> is dropped with a warning, a type-less one is kept",
         doc(k_metadata + k_policy +
             record("192.0.2.1", "2",
                    "<reason><type></type><comment></comment></reason><reason/>"
                    "<reason><comment>why</comment></reason>")),
         [](const rua::AggregateReport& r) {
             REQUIRE(r.records.at(0).reasons.size() == 1);
             CHECK(r.records[0].reasons[0].type.empty());
             CHECK(r.records[0].reasons[0].comment == "why");
             CHECK(r.warnings ==
                   std::vector<std::string>{"empty <reason> ignored", "<reason> without a type"});
         }},
        {"lang attributes, comments, CDATA and character references",
         doc("<!-- sender comment --><report_metadata><org_name><![CDATA[A & B]]></org_name>"
             "<report_id>r&#49;</report_id><extra_contact_info lang=\"fr\">&#233;t&#xE9; &amp; "
             "&lt;x&gt;</extra_contact_info><error lang=\"en\">e1</error><error>e2</error>"
             "<error> </error><date_range><begin>1</begin><end>2</end></date_range>"
             "</report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::AggregateReport& r) {
             CHECK(r.org_name == "A & B");
             CHECK(r.report_id == "r1");
             CHECK(r.extra_contact_info == "\xc3\xa9t\xc3\xa9 & <x>");
             CHECK(r.errors == std::vector<std::string>{"e1", "e2"});
         }},
        {"unknown elements and foreign namespaces are skipped",
         doc(k_metadata + k_policy +
                 "<extension><record><row><source_ip>garbage</source_ip></row></record>"
                 "</extension>" +
                 "<record><row><source_ip>192.0.2.1</source_ip><count>1</count>"
                 "<x:count xmlns:x=\"urn:x\">99</x:count></row><data>1</data></record>",
             "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"),
         [](const rua::AggregateReport& r) {
             REQUIRE(r.records.size() == 1);
             CHECK(r.records[0].count == 1);
         }},
        {"end before begin is kept, with a warning",
         doc("<report_metadata><org_name>o</org_name><report_id>r1</report_id><date_range>"
             "<begin>200</begin><end>100</end></date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::AggregateReport& r) {
             CHECK(r.begin == 200);
             CHECK(r.end == 100);
             CHECK(r.warnings ==
                   std::vector<std::string>{"date_range end 100 is before begin 200"});
         }},
        {"a second <policy_published> is ignored, with a warning",
         doc(k_metadata + k_policy +
             "<policy_published><domain>other.example</domain><p>reject</p>"
             "</policy_published>" +
             record("192.0.2.1", "1")),
         [](const rua::AggregateReport& r) {
             CHECK(r.policy.domain == "tx.example");
             CHECK(r.policy.p == "none");
             CHECK(r.warnings ==
                   std::vector<std::string>{"more than one <policy_published>; the first is used"});
         }},
        {"an out-of-range pct is dropped, with a warning",
         doc(k_metadata +
             "<policy_published><domain>tx.example</domain><pct>150</pct></policy_published>" +
             record("192.0.2.1", "1")),
         [](const rua::AggregateReport& r) {
             CHECK_FALSE(r.policy.pct.has_value());
             CHECK(r.warnings == std::vector<std::string>{"policy_published/pct \"150\" ignored"});
         }},
        {"a report without records is a report", doc(k_metadata + k_policy),
         [](const rua::AggregateReport& r) {
             CHECK(r.records.empty());
             CHECK(r.message_count() == 0);
         }},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        rua::AggregateReport report;
        try {
            report = parse(c.xml);
        } catch (const std::exception& e) {
            FAIL_CHECK("rejected: " << e.what());
            continue;
        }
        c.check(report);
    }
}

TEST_CASE("a UTF-16 document with a byte order mark is transcoded by Xerces") {
    const std::string utf8 = R"(<?xml version="1.0" encoding="UTF-16"?><feedback>)" + k_metadata +
                             k_policy + record("192.0.2.1", "5") + "</feedback>";
    std::string utf16 = "\xff\xfe"; // little-endian byte order mark
    for (const char c : utf8) {
        utf16 += c;
        utf16 += '\0';
    }
    const rua::AggregateReport r = parse(utf16);
    CHECK(r.org_name == "rx.example");
    CHECK(r.records.at(0).count == 5);
}
