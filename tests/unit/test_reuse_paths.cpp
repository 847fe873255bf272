// Tests for the fast paths of the ingest core: the hand-read MIME fields
// (mime_fields.cpp) and their vmime fall-back, the base64 fast path, the
// per-thread reused Xerces reader (xml_report.cpp) and the size hint that
// reserves the record list. They check exact outcomes; none measures time.
#include "base64.hpp"
#include "fixtures.hpp"
#include "mime.hpp"
#include "mime_fields.hpp"
#include "xml_fixtures.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

using rua::detail::RawLabels;
using rua::detail::read_simple_fields;
using namespace xml_fixtures;

TEST_CASE("plain MIME fields are read by hand with quoted and bare values") {
    RawLabels labels;
    REQUIRE(read_simple_fields("Content-Type: Multipart/Mixed;\r\n"
                               "\tboundary=\"----=_Part_7\"; charset=us-ascii\r\n"
                               "Content-Transfer-Encoding: BASE64\r\n",
                               labels));
    CHECK(labels.type == "multipart");
    CHECK(labels.subtype == "mixed");
    CHECK(labels.boundary == "----=_Part_7");
    CHECK(labels.transfer_encoding == "base64");
    CHECK_FALSE(labels.type_name);

    RawLabels attachment;
    REQUIRE(read_simple_fields("content-type: application/gzip; name=r.xml.gz\n"
                               "Content-Disposition: attachment; filename=\"a b.xml.gz\";\n",
                               attachment));
    CHECK(attachment.type == "application");
    CHECK(attachment.subtype == "gzip");
    CHECK(attachment.type_name == "r.xml.gz");
    CHECK(attachment.disposition_name == "a b.xml.gz");
    CHECK(attachment.transfer_encoding.empty());
}

TEST_CASE("unusual MIME fields are left to vmime") {
    const std::vector<std::string> unusual{
        "Content-Disposition: attachment; filename*=utf-8''r%C3%A9.xml\r\n", // RFC 2231
        "Content-Type: text/xml; name=\"=?utf-8?q?r=C3=A9.xml?=\"\r\n",      // RFC 2047
        "Content-Type: text/xml (a comment); name=r.xml\r\n",
        "Content-Type: text/xml; name=\"a\\\"b.xml\"\r\n",
        "Content-Type: text/xml; name=\"r\xc3\xa9.xml\"\r\n", // 8-bit
        "Content-Type: text/xml; name=a.xml; name=b.xml\r\n", // duplicate
        "Content-Type: text/xml; name=\"open\r\n",
        "Content-Type: text\r\n", // no subtype
        "Content-Type: text/xml; name=two words.xml\r\n",
    };
    for (const auto& fields : unusual) {
        CAPTURE(fields);
        RawLabels labels;
        CHECK_FALSE(read_simple_fields(fields, labels));
    }
}

TEST_CASE("a part whose filename needs vmime still gets the decoded name") {
    const std::string raw = "Content-Type: application/gzip\r\n"
                            "Content-Disposition: attachment;\r\n"
                            " filename*=utf-8''r%C3%A9port.xml.gz\r\n"
                            "\r\n"
                            "body";
    const auto tree = rua::detail::walk_mime(raw, rua::Limits{});
    REQUIRE(tree.leaves.size() == 1);
    CHECK(tree.leaves[0].content_type == "application/gzip");
    CHECK(tree.leaves[0].filename == "r\xc3\xa9port.xml.gz");
}

TEST_CASE("the reused XML reader parses correctly after failures and refusals") {
    const std::string good = doc(k_metadata + k_policy + record("192.0.2.1", "3"));
    const std::string xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE feedback [ <!ENTITY x SYSTEM "
                            "\"file:///etc/passwd\"> ]>\n<feedback><report_metadata><org_name>"
                            "&x;</org_name></report_metadata></feedback>";
    const std::string broken = doc(k_metadata + "<policy_published>");
    for (int round = 0; round < 3; ++round) {
        CAPTURE(round);
        const auto report = parse(good);
        REQUIRE(report.records.size() == 1);
        CHECK(report.records[0].count == 3);
        CHECK(report.records[0].source_ip.text() == "192.0.2.1");
        CHECK(parse_failure(xxe).message ==
              "DOCTYPE not allowed (DTDs and entity declarations are refused) at line 2, "
              "column 20");
        CHECK(parse_failure(broken).message ==
              "malformed XML at line 2, column 210: expected end of tag 'policy_published'");
        TrickleSource failing(good, 7, true);
        CHECK_THROWS_WITH_AS(parse_report_xml(failing, rua::Limits{}),
                             "decompressed size exceeds 64 bytes", rua::LimitExceeded);
    }
}

TEST_CASE("readers on several threads parse their own documents") {
    constexpr int k_threads = 4;
    constexpr int k_documents = 25;
    std::vector<int> totals(k_threads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([t, &totals] {
            for (int i = 0; i < k_documents; ++i) {
                const std::string xml =
                    doc(k_metadata + k_policy + record("198.51.100.7", std::to_string(t + 1)));
                MemorySource source(xml);
                const auto report = parse_report_xml(source, rua::Limits{});
                totals[static_cast<std::size_t>(t)] += static_cast<int>(report.records[0].count);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (int t = 0; t < k_threads; ++t) {
        CHECK(totals[static_cast<std::size_t>(t)] == (t + 1) * k_documents);
    }
}

TEST_CASE("a size hint reserves the records and never caps them") {
    std::string body = k_metadata + k_policy;
    for (int i = 0; i < 300; ++i) {
        body += record("203.0.113." + std::to_string(i % 250 + 1), "1");
    }
    const std::string xml = doc(body);
    const auto report = parse(xml);
    CHECK(report.records.size() == 300);
    CHECK(report.records.capacity() >= 300);
    CHECK(report.records.capacity() <= xml.size() / 256 + 1);

    rua::Limits limits;
    limits.max_records = 10;
    CHECK(parse_failure(xml, limits).message == "more than 10 records");
}

TEST_CASE("base64 decodes the same whatever the line length splitting its groups") {
    std::string data;
    for (int i = 0; i < 1000; ++i) {
        data.push_back(static_cast<char>((i * 37 + 11) & 0xff));
    }
    for (std::size_t line = 1; line <= 13; ++line) {
        CAPTURE(line);
        CHECK(rua::detail::decode_base64(fixtures::base64(data, line, true)) == data);
        CHECK(rua::detail::decode_base64(fixtures::base64(data, line, false)) == data);
    }
    CHECK(rua::detail::decode_base64("SGVsbG8gd29y\r\nbGQ=SGk") == "Hello worldHi");
    CHECK_THROWS_WITH_AS(rua::detail::decode_base64("SGVsbG8g*29y"),
                         "invalid base64: unexpected byte 0x2a at offset 8", rua::BadInput);
}
