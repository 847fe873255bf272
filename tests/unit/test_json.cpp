// Tests for the JSON contract (Report::to_json, rua::json_quote): escaping,
// invalid UTF-8, null for absent values, and golden files under
// tests/fixtures/golden (NAME.xml parsed, rendered, compared with NAME.json).
#include "kinds/aggregate/xml_report.hpp"

#include <rua/json.hpp>
#include <rua/kinds/aggregate.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

struct Quote {
    std::string input;
    std::string expected;
};

} // namespace

TEST_CASE("json_quote escapes quotes, backslashes and control characters") {
    const std::vector<Quote> cases{
        {"", R"("")"},
        {"plain", R"("plain")"},
        {R"(a"b)", R"("a\"b")"},
        {R"(a\b)", R"("a\\b")"},
        {"line\nbreak\ttab\r", R"("line\u000abreak\u0009tab\u000d")"},
        {std::string("nul\0byte", 8), R"("nul\u0000byte")"},
        {"\x1f\x7f", R"("\u001f\u007f")"},
        {"/ stays", R"("/ stays")"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
         "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.input);
        CHECK(rua::json_quote(c.input) == c.expected);
    }
}

TEST_CASE("json_quote replaces invalid UTF-8 with U+FFFD") {
    const std::string fffd = "\xef\xbf\xbd";
    const std::vector<Quote> cases{
        {"a\x91z", "\"a" + fffd + "z\""},                              // windows-1252 quote byte
        {"\xc0\xaf", "\"" + fffd + fffd + "\""},                       // overlong lead byte
        {"\xe0\x80\xaf", "\"" + fffd + fffd + fffd + "\""},            // overlong 3-byte form
        {"\xed\xa0\x80", "\"" + fffd + fffd + fffd + "\""},            // UTF-16 surrogate
        {"\xf4\x90\x80\x80", "\"" + fffd + fffd + fffd + fffd + "\""}, // above U+10FFFF
        {"\xe2\x82", "\"" + fffd + "\""},                              // truncated at the end
        {"\xe2\x82z", "\"" + fffd + "z\""},                            // truncated in the middle
        {"\xff", "\"" + fffd + "\""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.input);
        CHECK(rua::json_quote(c.input) == c.expected);
    }
}

TEST_CASE("an empty report renders every absent value as null, never as an empty string") {
    rua::AggregateReport report;
    const std::string expected =
        R"({"kind":"aggregate","schema":null,"org_name":null,"email":null,)"
        R"("extra_contact_info":null,"report_id":null,"begin":0,"end":0,"errors":[],)"
        R"("generator":null,"domain":null,"policy":{"adkim":null,"aspf":null,"p":null,)"
        R"("sp":null,"np":null,"pct":null,"fo":null,"testing":null,"discovery_method":null},)"
        R"("records":[],"authenticity":"unknown","authserv_id":null,)"
        R"("source":{"file":null,"part":0,"filename":null,"content_type":null,)"
        R"("compression":null},"warnings":[]})";
    CHECK(report.to_json() == expected);
}

TEST_CASE("to_json renders the source, empty optional text and negative times") {
    rua::AggregateReport report;
    report.schema = "rfc7489";
    report.org_name = "";
    report.begin = -5;
    report.end = 9223372036854775807;
    report.source.file = "queue/3F2A1C9";
    report.source.part = 2;
    report.source.filename = "a\"b.xml.gz";
    report.source.content_type = "application/gzip";
    report.source.compression = "zip+gzip";
    report.warnings = {"w1", "w\n2"};
    const std::string json = report.to_json();
    CHECK(json.find(R"("org_name":null)") != std::string::npos);
    CHECK(json.find(R"("begin":-5,"end":9223372036854775807,)") != std::string::npos);
    CHECK(json.find(R"("source":{"file":"queue/3F2A1C9","part":2,"filename":"a\"b.xml.gz",)"
                    R"("content_type":"application/gzip","compression":"zip+gzip"},)"
                    R"("warnings":["w1","w\u000a2"]})") != std::string::npos);
    CHECK(json.find('\n') == std::string::npos);
}

TEST_CASE("golden files: parsed XML renders exactly the recorded JSON") {
    const std::string dir = std::string(RUA_SOURCE_DIR) + "/tests/fixtures/golden/";
    for (const char* name : {"rfc7489-full", "rfc9990-namespace", "quirks"}) {
        CAPTURE(name);
        const std::string xml = read_file(dir + name + ".xml");
        std::string expected = read_file(dir + name + ".json");
        while (!expected.empty() && expected.back() == '\n') {
            expected.pop_back();
        }
        rua::detail::MemorySource source(xml);
        rua::AggregateReport report = rua::detail::parse_report_xml(source, rua::Limits{});
        report.source.file = std::string(name) + ".xml";
        report.source.compression = "none";
        CHECK(report.to_json() == expected);
    }
}
