// Sniffing by magic bytes: what each prefix is taken for, whatever a
// sender declared.
#include "sniff.hpp"

#include <doctest/doctest.h>

#include <string>

using rua::detail::Format;
using rua::detail::sniff;

TEST_CASE("sniff recognises gzip, zip and an empty zip by their magic") {
    CHECK(sniff(std::string("\x1f\x8b\x08\x00", 4)) == Format::gzip);
    CHECK(sniff(std::string("PK\x03\x04rest", 8)) == Format::zip);
    CHECK(sniff(std::string("PK\x05\x06", 4)) == Format::zip);
}

TEST_CASE("sniff takes 0x78 as zlib only with a valid FCHECK and no preset dictionary") {
    CHECK(sniff(std::string("\x78\x9c", 2)) == Format::zlib);
    CHECK(sniff(std::string("\x78\x01", 2)) == Format::zlib);
    CHECK(sniff(std::string("\x78\xda", 2)) == Format::zlib);
    CHECK(sniff(std::string("\x78\x5e", 2)) == Format::zlib);
    CHECK(sniff("x^ plain") == Format::zlib); // 0x78 0x5e is a valid header
    CHECK(sniff("x y z") == Format::text);    // "x " has FDICT set
    CHECK(sniff(std::string("\x78\x9d\0", 3)) == Format::other);
}

TEST_CASE("sniff finds XML after a byte order mark and white space") {
    CHECK(sniff("<?xml version=\"1.0\"?><feedback/>") == Format::xml);
    CHECK(sniff("\xef\xbb\xbf<feedback/>") == Format::xml);
    CHECK(sniff("\r\n  \t<feedback/>") == Format::xml);
}

TEST_CASE("sniff tells JSON, text, empty and binary apart") {
    CHECK(sniff("{\"organization-name\":\"x\"}") == Format::json);
    CHECK(sniff(" [1,2]") == Format::json);
    CHECK(sniff("Hello,\r\nthis is the aggregate report.\r\n") == Format::text);
    CHECK(sniff("") == Format::empty);
    CHECK(sniff(std::string("\x89PNG\r\n\x1a\n\0\0", 10)) == Format::other);
}

TEST_CASE("describe_non_report names common attachments") {
    using rua::detail::describe_non_report;
    CHECK(std::string(describe_non_report(Format::other, "\x89PNG\r\n")) == "PNG image");
    CHECK(std::string(describe_non_report(Format::other, "%PDF-1.4")) == "PDF document");
    CHECK(std::string(describe_non_report(Format::json, "{")) == "JSON (not an aggregate report)");
    CHECK(std::string(describe_non_report(Format::other, std::string("\x01\x02", 2))) ==
          "unrecognised binary data");
}

TEST_CASE("sniff tells an HTML body from an XML document") {
    CHECK(sniff("<html><body>Report</body></html>") == Format::html);
    CHECK(sniff("\r\n<!DOCTYPE html>\r\n<html>") == Format::html);
    CHECK(sniff("<div dir=\"ltr\">This is a DMARC report</div>") == Format::html);
    CHECK(sniff("<P>hi</P>") == Format::html);
    CHECK(sniff("<feedback><report_metadata/></feedback>") == Format::xml);
    CHECK(sniff("<pre-feedback/>") == Format::xml); // a tag that only starts like <pre>
    CHECK(sniff("<?xml version=\"1.0\"?><html/>") == Format::xml);
}
