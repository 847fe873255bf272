// Tests for the XML stage (rua::detail::parse_report_xml): the three schema
// flavours, every tolerated sender quirk, every validation error with its
// exact text, the hostile inputs (XXE, billion laughs, deep nesting) and the
// bounds. Documents are written inline or generated here.
#include "xml_report.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

using rua::detail::MemorySource;
using rua::detail::parse_report_xml;

const std::string k_metadata = "<report_metadata><org_name>rx.example</org_name>"
                               "<email>dmarc@rx.example</email><report_id>r1</report_id>"
                               "<date_range><begin>100</begin><end>200</end></date_range>"
                               "</report_metadata>";
const std::string k_policy = "<policy_published><domain>tx.example</domain><p>none</p>"
                             "</policy_published>";

std::string record(const std::string& ip, const std::string& count,
                   const std::string& extra_row = "", const std::string& tail = "") {
    return "<record><row><source_ip>" + ip + "</source_ip><count>" + count +
           "</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
           "<spf>pass</spf>" +
           extra_row +
           "</policy_evaluated></row><identifiers><header_from>tx.example"
           "</header_from></identifiers><auth_results>" +
           tail + "</auth_results></record>";
}

std::string doc(const std::string& body, const std::string& open = "<feedback>",
                const std::string& close = "</feedback>") {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + open + body + close;
}

rua::Report parse(const std::string& xml, const rua::Limits& limits = {}) {
    MemorySource source(xml);
    return parse_report_xml(source, limits);
}

// The exception's text, and whether it was a LimitExceeded.
struct Failure {
    std::string message;
    bool limit = false;
};

Failure parse_failure(const std::string& xml, const rua::Limits& limits = {}) {
    try {
        parse(xml, limits);
    } catch (const rua::LimitExceeded& e) {
        return {e.what(), true};
    } catch (const rua::BadInput& e) {
        return {e.what(), false};
    }
    FAIL("document was accepted");
    return {};
}

bool has_warning(const rua::Report& report, const std::string& text) {
    return std::find(report.warnings.begin(), report.warnings.end(), text) != report.warnings.end();
}

// A source that hands out its bytes in small pieces, then fails if asked to.
class TrickleSource final : public rua::detail::ByteSource {
public:
    TrickleSource(std::string data, std::size_t piece, bool fail_at_end)
        : m_data(std::move(data)), m_piece(piece), m_fail_at_end(fail_at_end) {}
    std::size_t read(char* buffer, std::size_t max) override {
        if (m_offset == m_data.size() && m_fail_at_end) {
            throw rua::LimitExceeded("decompressed size exceeds 64 bytes");
        }
        const std::size_t n = std::min({max, m_piece, m_data.size() - m_offset});
        std::memcpy(buffer, m_data.data() + m_offset, n);
        m_offset += n;
        return n;
    }

private:
    std::string m_data;
    std::size_t m_piece;
    bool m_fail_at_end;
    std::size_t m_offset = 0;
};

} // namespace

TEST_CASE("a plain RFC 7489 report parses into every model field") {
    const std::string tail =
        "<dkim><domain>tx.example</domain><selector>s1</selector><result>pass</result>"
        "<human_result>ok</human_result></dkim>"
        "<dkim><domain>esp.example</domain><result>fail</result></dkim>"
        "<dkim><domain>third.example</domain><selector>s3</selector><result>none</result></dkim>"
        "<spf><domain>tx.example</domain><scope>mfrom</scope><result>pass</result></spf>"
        "<spf><domain>helo.tx.example</domain><scope>helo</scope><result>neutral</result>"
        "<human_result>h</human_result></spf>";
    const rua::Report r =
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
        const rua::Report r =
            parse(doc(c.version + k_metadata + k_policy + record("192.0.2.1", "2"), c.open, close));
        CHECK(r.schema == c.schema);
        CHECK(r.xml_namespace == c.ns);
        CHECK(r.report_id == "r1");
        CHECK(r.policy.domain == "tx.example");
        REQUIRE(r.records.size() == 1);
        CHECK(r.records[0].count == 2);
    }
}

TEST_CASE("sender quirks are tolerated, normalised and flagged") {
    struct Quirk {
        std::string name;
        std::string xml;
        std::function<void(const rua::Report&)> check;
    };
    const std::string bom = "\xef\xbb\xbf";
    const std::vector<Quirk> cases{
        {"UTF-8 byte order mark", bom + doc(k_metadata + k_policy + record("192.0.2.1", "1")),
         [](const rua::Report& r) { CHECK(r.report_id == "r1"); }},
        {"windows-1252 declared and used",
         "<?xml version=\"1.0\" encoding=\"windows-1252\"?><feedback><report_metadata>"
         "<org_name>Caf\xe9 \x93quoted\x94</org_name><report_id>r1</report_id><date_range>"
         "<begin>1</begin><end>2</end></date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1") + "</feedback>",
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
             CHECK(r.records.at(0).header_from == "h.example");
             CHECK(r.records.at(0).envelope_from == "e.example");
             CHECK(r.records.at(0).envelope_to == "t.example");
         }},
        {"a missing org_name falls back to the domain of email",
         doc("<report_metadata><org_name/><email>Reports &lt;noreply@Mail.Example.COM&gt;"
             "</email><report_id>r1</report_id><date_range><begin>1</begin><end>2</end>"
             "</date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::Report& r) {
             CHECK(r.org_name == "mail.example.com");
             CHECK(r.warnings ==
                   std::vector<std::string>{"org_name missing; using the domain of email "
                                            "(mail.example.com)"});
         }},
        {"no org_name and no email leaves org_name null, with a warning",
         doc("<report_metadata><report_id>r1</report_id><date_range><begin>1</begin><end>2"
             "</end></date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::Report& r) {
             CHECK_FALSE(r.org_name.has_value());
             CHECK(has_warning(r, "org_name missing and no email domain to use instead"));
         }},
        {"report ids longer than 64 bits stay text",
         doc("<report_metadata><org_name>Mail.Ru</org_name><report_id>"
             "28327321193681154911721360800</report_id><date_range><begin>1</begin><end>2"
             "</end></date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::Report& r) { CHECK(r.report_id == "28327321193681154911721360800"); }},
        {"IPv6 sources, compressed or not, become canonical",
         doc(k_metadata + k_policy + record("2001:0DB8:0000:0000:0000:0000:0000:0001", "1") +
             record("2001:db8::1", "2") + record("::FFFF:192.0.2.7", "3")),
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
             REQUIRE(r.records.size() == 1);
             CHECK(r.records[0].count == 1);
         }},
        {"end before begin is kept, with a warning",
         doc("<report_metadata><org_name>o</org_name><report_id>r1</report_id><date_range>"
             "<begin>200</begin><end>100</end></date_range></report_metadata>" +
             k_policy + record("192.0.2.1", "1")),
         [](const rua::Report& r) {
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
         [](const rua::Report& r) {
             CHECK(r.policy.domain == "tx.example");
             CHECK(r.policy.p == "none");
             CHECK(r.warnings ==
                   std::vector<std::string>{"more than one <policy_published>; the first is used"});
         }},
        {"an out-of-range pct is dropped, with a warning",
         doc(k_metadata +
             "<policy_published><domain>tx.example</domain><pct>150</pct></policy_published>" +
             record("192.0.2.1", "1")),
         [](const rua::Report& r) {
             CHECK_FALSE(r.policy.pct.has_value());
             CHECK(r.warnings == std::vector<std::string>{"policy_published/pct \"150\" ignored"});
         }},
        {"a report without records is a report", doc(k_metadata + k_policy),
         [](const rua::Report& r) {
             CHECK(r.records.empty());
             CHECK(r.message_count() == 0);
         }},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        rua::Report report;
        try {
            report = parse(c.xml);
        } catch (const std::exception& e) {
            FAIL_CHECK("rejected: " << e.what());
            continue;
        }
        c.check(report);
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

TEST_CASE("malformed XML is rejected with its line and column") {
    struct Bad {
        std::string xml;
        std::string message;
    };
    const std::vector<Bad> cases{
        {"", "malformed XML at line 1, column 1: invalid document structure"},
        {"<feedback><report_metadata></feedback>",
         "malformed XML at line 1, column 30: expected end of tag 'report_metadata'"},
        {"<feedback>\n<org_name>a & b</org_name></feedback>",
         "malformed XML at line 2, column 14: expected entity name for reference"},
        {"<feedback>&undefined;</feedback>",
         "malformed XML at line 1, column 22: entity 'undefined' not found"},
        {"<feedback/><feedback/>",
         "malformed XML at line 1, column 12: comment or processing instruction expected"},
        {"<feedback xmlns:a=\"urn:a\"><b:x/></feedback>",
         "malformed XML at line 1, column 33: prefix 'b' can not be resolved to namespace URI"},
        // Invalid UTF-8 is located by us, not by Xerces' read-ahead.
        {"<feedback>\n  <org_name>caf\xe9</org_name></feedback>",
         "invalid UTF-8 at line 2, column 16: bytes 0xe9 0x3c are not UTF-8"},
        {"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feedback>\n<a>\xc3\xa9\xe2\x82\xac"
         "\x91</a></feedback>",
         "invalid UTF-8 at line 3, column 6: byte 0x91 is not UTF-8"},
        {"\xef\xbb\xbf<feedback><a>\xed\xa0\x80</a></feedback>",
         "invalid UTF-8 at line 1, column 14: bytes 0xed 0xa0 are not UTF-8"},
        {"<feedback><a>\xc0\xaf</a></feedback>",
         "invalid UTF-8 at line 1, column 14: byte 0xc0 is not UTF-8"},
        {"<feedback>\xf0\x9f\x98",
         "invalid UTF-8 at line 1, column 11: bytes 0xf0 0x9f 0x98 are not UTF-8 (cut short by "
         "the end of the document)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.xml);
        const Failure f = parse_failure(c.xml);
        CHECK(f.message == c.message);
        CHECK_FALSE(f.limit);
    }
}

TEST_CASE("DTDs and entities are refused: XXE and billion laughs fail cleanly") {
    struct Hostile {
        std::string name;
        std::string xml;
        std::string message;
    };
    const std::string tail = "<feedback>" + k_metadata + k_policy + "</feedback>";
    const std::string refused =
        "DOCTYPE not allowed (DTDs and entity declarations are refused) at line 2, column ";
    std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE feedback [\n<!ENTITY l0 \"ha\">\n";
    for (int i = 1; i <= 10; ++i) {
        laughs += "<!ENTITY l" + std::to_string(i) + " \"";
        for (int j = 0; j < 10; ++j) {
            laughs += "&l" + std::to_string(i - 1) + ";";
        }
        laughs += "\">\n";
    }
    laughs += "]>\n<feedback><report_metadata><org_name>&l10;</org_name></report_metadata>"
              "</feedback>";
    const std::vector<Hostile> cases{
        {"file entity",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE feedback [ <!ENTITY x SYSTEM "
         "\"file:///etc/passwd\"> ]>\n<feedback><report_metadata><org_name>&x;</org_name>"
         "</report_metadata></feedback>",
         refused + "20"},
        {"network entity",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE feedback [ <!ENTITY x SYSTEM "
         "\"http://127.0.0.1:9/x\"> ]>\n<feedback><report_metadata><org_name>&x;</org_name>"
         "</report_metadata></feedback>",
         refused + "20"},
        {"external parameter entity",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE feedback [ <!ENTITY % p SYSTEM "
         "\"http://127.0.0.1:9/p.dtd\"> %p; ]>\n" +
             tail,
         refused + "20"},
        {"external DTD",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE feedback SYSTEM \"http://127.0.0.1:9/d.dtd\">\n" +
             tail,
         refused + "53"},
        {"billion laughs", laughs, refused + "20"},
        {"internal subset without entities",
         "<?xml version=\"1.0\"?>\n<!DOCTYPE feedback [ <!ELEMENT feedback ANY> ]>\n" + tail,
         refused + "20"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const Failure f = parse_failure(c.xml);
        CHECK(f.message == c.message);
        CHECK_FALSE(f.limit);
    }
}

TEST_CASE("a bare DOCTYPE, which declares and loads nothing, is accepted") {
    const rua::Report r = parse("<?xml version=\"1.0\"?>\n<!DOCTYPE feedback>\n<feedback>" +
                                k_metadata + k_policy + "</feedback>");
    CHECK(r.report_id == "r1");
}

TEST_CASE("a declared non-UTF-8 encoding is transcoded, not checked as UTF-8") {
    const std::string xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><feedback>"
                            "<report_metadata><org_name>Gr\xfc\xdf</org_name><report_id>r"
                            "</report_id><date_range><begin>1</begin><end>2</end></date_range>"
                            "</report_metadata>" +
                            k_policy + "</feedback>";
    CHECK(parse(xml).org_name == "Gr\xc3\xbc\xc3\x9f");
}

TEST_CASE("100,000 nested elements stop at the depth bound without recursion") {
    std::string xml = "<feedback>";
    for (int i = 0; i < 100000; ++i) {
        xml += "<a>";
    }
    const Failure f = parse_failure(xml);
    CHECK(f.limit);
    // The 33rd start tag ends at column 10 + 32 * 3 = 106.
    CHECK(f.message == "XML nesting deeper than 32 elements at line 1, column 107");
}

TEST_CASE("the depth bound counts the root and allows exactly max_xml_depth levels") {
    rua::Limits limits;
    limits.max_xml_depth = 5; // feedback/record/auth_results/dkim/domain
    const std::string xml =
        doc(k_metadata + k_policy +
            record("192.0.2.1", "1", "", "<dkim><domain>d</domain><result>pass</result></dkim>"));
    CHECK(parse(xml, limits).records.at(0).auth_dkim.at(0).domain == "d");
    limits.max_xml_depth = 4;
    const Failure f = parse_failure(xml, limits);
    CHECK(f.limit);
    CHECK(f.message.rfind("XML nesting deeper than 4 elements at line 2, column ", 0) == 0);
}

TEST_CASE("the record bound and the field bound raise LimitExceeded") {
    rua::Limits limits;
    limits.max_records = 3;
    std::string body = k_metadata + k_policy;
    for (int i = 0; i < 3; ++i) {
        body += record("192.0.2.1", "1");
    }
    CHECK(parse(doc(body), limits).records.size() == 3);
    const Failure records = parse_failure(doc(body + record("192.0.2.9", "1")), limits);
    CHECK(records.limit);
    CHECK(records.message == "more than 3 records");

    limits = rua::Limits{};
    limits.max_field_bytes = 16;
    const std::string sixteen(16, 'x');
    const std::string meta = "<report_metadata><org_name>" + sixteen +
                             "</org_name><report_id>r"
                             "</report_id><date_range><begin>1</begin><end>2</end></date_range>"
                             "</report_metadata>";
    CHECK(parse(doc(meta + k_policy), limits).org_name == sixteen);
    const std::string long_meta = "<report_metadata><org_name>" + sixteen +
                                  "y</org_name>"
                                  "</report_metadata>";
    const Failure field = parse_failure(doc(long_meta + k_policy), limits);
    CHECK(field.limit);
    CHECK(field.message.rfind("<org_name> text longer than 16 bytes at line 2, column ", 0) == 0);
    // Text of unknown elements is not kept, so it is not bounded here.
    const std::string ext = "<extension>" + std::string(100, 'z') + "</extension>";
    CHECK(parse(doc(meta + k_policy + ext), limits).report_id == "r");
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
    const rua::Report r = parse(doc(body));
    REQUIRE(r.records.size() == k_records);
    CHECK(r.message_count() == expected_sum);
    CHECK(r.records[19999].source_ip.text() == "10.0.78.31");
    CHECK(r.records[19999].auth_dkim.at(0).domain == "d19999");
}

TEST_CASE("the document is pulled from the source in pieces, and source errors win") {
    const std::string xml = doc(k_metadata + k_policy + record("2001:db8::5", "9"));
    TrickleSource trickle(xml, 1, false);
    const rua::Report r = parse_report_xml(trickle, rua::Limits{});
    CHECK(r.records.at(0).count == 9);

    TrickleSource failing(xml.substr(0, 60), 7, true);
    try {
        parse_report_xml(failing, rua::Limits{});
        FAIL("accepted a failing source");
    } catch (const rua::LimitExceeded& e) {
        CHECK(std::string(e.what()) == "decompressed size exceeds 64 bytes");
    }
}
