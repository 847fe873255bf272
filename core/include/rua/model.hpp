// What every report kind shares, as the rest of rua-milter sees it: the
// common value types and the abstract Report. Plain data and pure functions
// only: no parsing, no I/O. The kinds themselves (their fields, parsing and
// storing) live under kinds/; nothing outside kinds/ may name one.
#pragma once

#include <rua/authres.hpp>

#include <array>
#include <cstdint>
#include <memory>
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

// Where a report came from inside its input.
struct ReportSource {
    std::string file;        // input name (file path, "-", or the MTA queue id)
    int part = 0;            // MIME part number, 1-based in walk order; 0 = the input itself
    OptString filename;      // sanitised attachment filename, if any
    OptString content_type;  // declared content type (a hint only)
    std::string compression; // "none", "gzip", "zip", "zlib", or layers joined by '+'
};

// How much of a report that carries third parties' personal data (a copy of
// somebody's message) is kept in storage: the report row, the raw archive
// and the quarantine. Parsing always shows what the input says.
enum class Privacy {
    redacted, // report fields and the original's header fields, addresses masked, no body
    headers,  // the same, unmasked
    full,     // everything, the body included (bounded)
};
const char* to_string(Privacy privacy);

// Why a report that parsed must still not be stored (kept in the
// quarantine instead, whatever OnBadReport says: it is not bad input).
struct NotStorable {
    std::string code;   // quarantine.reason
    std::string detail; // one line
};

// One report of any kind. Each kind (kinds/<name>/) derives from it and
// owns its fields; callers use only this interface, so adding a kind never
// touches them.
class Report {
public:
    virtual ~Report() = default;

    // The kind's registered name, as in the JSON "kind" key.
    virtual std::string_view kind() const = 0;
    // The identifier the sender gave the report (for logs), or a content
    // key when the kind has none.
    virtual std::string identifier() const = 0;
    // Who sent it (organisation or reporting host), for logs; may be empty.
    virtual std::string reporter() const = 0;
    // The domain the reporter speaks for, whose organisation a trusted
    // Authentication-Results must show aligned for the report to count as
    // authentic (the aggregate report's `email`, the TLS report's contact,
    // the failure report's Reporting-MTA); may be an address or empty.
    virtual std::string reporter_domain() const { return {}; }
    // The domains the report is about: each must belong to the receiving
    // account (Registry::owns_domain). Never empty for a valid report.
    virtual std::vector<std::string> domains() const = 0;
    // Items for counters and logs: records, policies, or 1.
    virtual std::size_t items() const = 0;
    // The noun for items(), singular ("record", "policy", "message").
    virtual std::string_view item_noun() const = 0;
    // The `ruactl parse` JSON object, one line.
    virtual std::string to_json() const = 0;
    // A fixed encoding of the report's content (never how it arrived) whose
    // sha256 tells a duplicate from a conflict. Stable across releases.
    virtual std::string fingerprint() const = 0;
    // The 32-byte sha256 of fingerprint(); kinds that stream compute it
    // without building fingerprint() whole.
    virtual std::string fingerprint_sha256() const;
    // Set when the report must be quarantined rather than stored.
    virtual std::optional<NotStorable> not_storable() const { return std::nullopt; }
    // The bytes to keep instead of the message or attachment that carried
    // this report, under `privacy`; nullopt keeps them as received.
    virtual std::optional<std::string> private_form(Privacy /*privacy*/) const {
        return std::nullopt;
    }

    // to_json() in pieces, for a report delivered through a ReportSink
    // (rua/ingest.hpp): json_begin() at begin, json_items() for each batch
    // (`first` for the first one), json_end() at end; concatenated they are
    // exactly to_json(). Only kinds that stream implement them (the default
    // throws std::logic_error).
    virtual void json_begin(std::string& out) const;
    virtual void json_items(std::string& out, bool first) const;
    virtual void json_end(std::string& out) const;
    // For a sink that writes a streamed report's batches on another thread
    // while the parser goes on: the items this report holds now, moved out
    // into a report of their own (the head copied); this report counts them
    // as released. Their part of the fingerprint is not kept yet:
    // keep_released() on the batch adds it to this report's, and must be
    // called for every batch, in order, before this report's fingerprint is
    // read. Only kinds that stream implement them (the default throws
    // std::logic_error).
    virtual std::unique_ptr<Report> take_batch();
    // On a batch from take_batch(), on any one thread at a time: adds its
    // items' part of the fingerprint to the report it came from. Throws
    // TryLater when it cannot be kept (temporary file not writable).
    virtual void keep_released() const;

    std::vector<std::string> warnings; // tolerated oddities: unknown enums, fallbacks
    ReportSource source;
    std::size_t attachment = 0; // index into IngestResult::attachments
    // Whether the message that carried it was authenticated for its
    // reporter (set by process_message from trusted Authentication-Results;
    // `unknown` for `ruactl parse` and `ruactl import`), and by which
    // authserv-id (empty for unknown).
    Authenticity authenticity = Authenticity::unknown;
    std::string authserv_id;
    // Delivered through a ReportSink while parsed: its items are no longer
    // held (items() still counts them) and callers must not store or print
    // it again.
    bool streamed = false;

protected:
    Report() = default;
    Report(const Report&) = default;
    Report(Report&&) = default;
    Report& operator=(const Report&) = default;
    Report& operator=(Report&&) = default;
};

using ReportPtr = std::unique_ptr<Report>;

// "record" -> "records", "policy" -> "policies" (n != 1); as it is for 1.
std::string plural_noun(std::string_view noun, std::size_t n);

// "records=17", "policy=1": items() with its noun, for log lines.
std::string items_label(const Report& report);

// The report as its kind's type; throws std::bad_cast for another kind.
template <typename KindReport> const KindReport& report_as(const Report& report) {
    return dynamic_cast<const KindReport&>(report);
}

} // namespace rua
