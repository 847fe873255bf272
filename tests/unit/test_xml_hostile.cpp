// Tests for hostile and broken input to the XML stage: malformed XML with
// its position, DOCTYPE/XXE/billion laughs, invalid UTF-8, deep nesting,
// the record and field bounds, and errors from the byte source.
#include "xml_fixtures.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

using namespace xml_fixtures;

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
    const rua::AggregateReport r =
        parse("<?xml version=\"1.0\"?>\n<!DOCTYPE feedback>\n<feedback>" + k_metadata + k_policy +
              "</feedback>");
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

TEST_CASE("the document is pulled from the source in pieces, and source errors win") {
    const std::string xml = doc(k_metadata + k_policy + record("2001:db8::5", "9"));
    TrickleSource trickle(xml, 1, false);
    const rua::AggregateReport r = parse_report_xml(trickle, rua::Limits{});
    CHECK(r.records.at(0).count == 9);

    TrickleSource failing(xml.substr(0, 60), 7, true);
    try {
        parse_report_xml(failing, rua::Limits{});
        FAIL("accepted a failing source");
    } catch (const rua::LimitExceeded& e) {
        CHECK(std::string(e.what()) == "decompressed size exceeds 64 bytes");
    }
}

TEST_CASE("invalid UTF-8 is located the same way however the input is split") {
    const std::string xml = "<?xml version=\"1.0\"?>\n<feedback>\n<a>ok \xc3\xa9\n\xc3\xa9\xe2\x82"
                            "\xff</a></feedback>";
    const std::string expected = "invalid UTF-8 at line 4, column 2: bytes 0xe2 0x82 0xff are "
                                 "not UTF-8";
    for (const std::size_t piece :
         {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{4096}}) {
        CAPTURE(piece);
        TrickleSource source(xml, piece, false);
        try {
            parse_report_xml(source, rua::Limits{});
            FAIL_CHECK("accepted invalid UTF-8");
        } catch (const rua::BadInput& e) {
            CHECK(std::string(e.what()) == expected);
        }
    }
}
