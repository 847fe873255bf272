// Helpers for the failure kind's unit tests: fixtures from
// tests/fixtures/failure, and the scan ingest runs (walk_mime, then the
// kind's scan_message). Never reads third-party samples (the corpus test
// reads ../shared/corpus in place).
#pragma once

#include "kinds/kind.hpp"
#include "kinds/kinds.hpp"
#include "mime.hpp"

#include <rua/kinds/failure.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace failure_test {

inline std::string fixture(const std::string& name) {
    const std::string path = std::string(RUA_SOURCE_DIR) + "/tests/fixtures/failure/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("missing fixture " + path);
    }
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// What the failure kind finds in `raw`.
inline std::vector<rua::detail::MessageFinding> scan(std::string_view raw,
                                                     const rua::Limits& limits = {}) {
    const auto tree = rua::detail::walk_mime(raw, limits);
    std::vector<rua::detail::MessageFinding> out;
    rua::detail::failure_kind().scan_message(tree, limits, out);
    return out;
}

// The one report found in `raw`; fails the test when there is not exactly one.
inline rua::FailureReport parse_one(std::string_view raw, const rua::Limits& limits = {}) {
    auto findings = scan(raw, limits);
    REQUIRE(findings.size() == 1);
    INFO("error: " << findings[0].error);
    REQUIRE(findings[0].report != nullptr);
    return rua::report_as<rua::FailureReport>(*findings[0].report);
}

// `text` with every CRLF made LF (or every LF made CRLF).
inline std::string with_lf(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c != '\r') {
            out.push_back(c);
        }
    }
    return out;
}
inline std::string with_crlf(std::string_view text) {
    std::string out;
    for (const char c : with_lf(text)) {
        if (c == '\n') {
            out.push_back('\r');
        }
        out.push_back(c);
    }
    return out;
}

// A minimal ARF message around `fields` (the feedback part's lines, LF)
// and `original` (an original message, LF), for table-driven tests.
inline std::string arf(std::string_view fields,
                       std::string_view original = "From: a@sender.example\n"
                                                   "Message-ID: <m1@sender.example>\n\n"
                                                   "Body.\n") {
    std::string out = "MIME-Version: 1.0\n"
                      "Content-Type: multipart/report; report-type=feedback-report; "
                      "boundary=\"XX\"\n\n"
                      "--XX\nContent-Type: text/plain\n\nA report.\n"
                      "--XX\nContent-Type: message/feedback-report\n\n";
    out += fields;
    out += "\n--XX\nContent-Type: message/rfc822\n\n";
    out += original;
    out += "\n--XX--\n";
    return out;
}

} // namespace failure_test
