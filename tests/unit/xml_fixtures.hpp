// Shared helpers for the XML stage tests: a minimal valid report built from
// parts, parse and parse_failure wrappers, and a ByteSource that trickles.
// Test-only; never used by the product.
#pragma once

#include "kinds/aggregate/xml_report.hpp"

#include <rua/errors.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace xml_fixtures {

using rua::detail::MemorySource;
using rua::detail::parse_report_xml;

inline const std::string k_metadata = "<report_metadata><org_name>rx.example</org_name>"
                                      "<email>dmarc@rx.example</email><report_id>r1</report_id>"
                                      "<date_range><begin>100</begin><end>200</end></date_range>"
                                      "</report_metadata>";
inline const std::string k_policy = "<policy_published><domain>tx.example</domain><p>none</p>"
                                    "</policy_published>";

inline std::string record(const std::string& ip, const std::string& count,
                          const std::string& extra_row = "", const std::string& tail = "") {
    return "<record><row><source_ip>" + ip + "</source_ip><count>" + count +
           "</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
           "<spf>pass</spf>" +
           extra_row +
           "</policy_evaluated></row><identifiers><header_from>tx.example"
           "</header_from></identifiers><auth_results>" +
           tail + "</auth_results></record>";
}

inline std::string doc(const std::string& body, const std::string& open = "<feedback>",
                       const std::string& close = "</feedback>") {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + open + body + close;
}

inline rua::AggregateReport parse(const std::string& xml, const rua::Limits& limits = {}) {
    MemorySource source(xml);
    return parse_report_xml(source, limits);
}

// The exception's text, and whether it was a LimitExceeded.
struct Failure {
    std::string message;
    bool limit = false;
};

inline Failure parse_failure(const std::string& xml, const rua::Limits& limits = {}) {
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

inline bool has_warning(const rua::AggregateReport& report, const std::string& text) {
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

} // namespace xml_fixtures
