// The typed DMARC aggregate report, as the rest of rua-milter sees it.
// Plain data only: no parsing, no I/O. Enumerations are kept as lower-cased
// text so that an unknown value from a sender survives (and is flagged in
// Report::warnings) instead of being rejected or silently mapped.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua {

using OptString = std::optional<std::string>;

// An IPv4 or IPv6 address, parsed; text() is the canonical form
// (RFC 5952 for IPv6: lower case, longest zero run compressed).
class IpAddress {
public:
    enum class Family { v4, v6 };

    // Returns nullopt for anything that is not an address (surrounding
    // white space is tolerated).
    static std::optional<IpAddress> parse(std::string_view text);

    Family family() const { return m_family; }
    const std::array<unsigned char, 16>& bytes() const { return m_bytes; }
    std::string text() const;

    bool operator==(const IpAddress& other) const {
        return m_family == other.m_family && m_bytes == other.m_bytes;
    }

private:
    Family m_family = Family::v4;
    std::array<unsigned char, 16> m_bytes{}; // v4 uses the first 4
};

struct Reason {
    std::string type;
    OptString comment;
};

struct DkimAuth {
    std::string domain;
    OptString selector;
    std::string result;
    OptString human_result;
};

struct SpfAuth {
    std::string domain;
    OptString scope;
    std::string result;
    OptString human_result;
};

struct Record {
    IpAddress source_ip;
    std::uint64_t count = 0;
    OptString disposition;
    OptString dkim; // policy_evaluated: the DMARC-aligned result
    OptString spf;
    std::vector<Reason> reasons;
    OptString header_from;
    OptString envelope_from;
    OptString envelope_to;
    std::vector<DkimAuth> auth_dkim;
    std::vector<SpfAuth> auth_spf;

    // DMARC passed: an aligned DKIM or SPF pass as evaluated by the reporter.
    bool dmarc_pass() const { return (dkim && *dkim == "pass") || (spf && *spf == "pass"); }
};

struct PolicyPublished {
    std::string domain;
    OptString adkim;
    OptString aspf;
    OptString p;
    OptString sp;
    OptString np;
    std::optional<int> pct;
    OptString fo;
    OptString testing;
    OptString discovery_method;
};

// Where a report came from inside its input.
struct ReportSource {
    std::string file;        // input name (file path, "-", or the MTA queue id)
    int part = 0;            // MIME part number, 1-based in walk order; 0 = the input itself
    OptString filename;      // sanitised attachment filename, if any
    OptString content_type;  // declared content type (a hint only)
    std::string compression; // "none", "gzip", "zip", "zlib", or layers joined by '+'
};

struct Report {
    std::string schema;      // "rfc7489", "draft" or "rfc9990"
    OptString xml_namespace; // namespace URI of <feedback>, if any
    OptString org_name;
    OptString email;
    OptString extra_contact_info;
    std::string report_id;
    std::int64_t begin = 0; // UTC seconds
    std::int64_t end = 0;
    std::vector<std::string> errors;
    OptString generator;
    PolicyPublished policy;
    std::vector<Record> records;
    std::vector<std::string> warnings; // tolerated oddities: unknown enums, fallbacks
    ReportSource source;
    std::size_t attachment = 0; // index into IngestResult::attachments

    std::uint64_t message_count() const {
        std::uint64_t sum = 0;
        for (const auto& r : records) {
            sum += r.count;
        }
        return sum;
    }
};

} // namespace rua
