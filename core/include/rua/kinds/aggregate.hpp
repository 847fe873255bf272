// The DMARC aggregate report (RFC 7489 appendix C, its drafts, RFC 9990):
// the typed fields every part of the aggregate kind shares. Enumerations are
// kept as lower-cased text so that an unknown value from a sender survives
// (and is flagged in warnings) instead of being rejected or silently mapped.
#pragma once

#include <rua/model.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rua {

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

// The fingerprint encoding of records already handed to a ReportSink,
// kept aside (in a temporary file past 1 MiB) until the report ends.
class ReleasedRecords;

struct AggregateReport final : Report {
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
    // Every record; for a report streamed through a ReportSink only the
    // current batch (the earlier ones are counted in `released`).
    std::vector<Record> records;
    // Streamed reports: records handed over and no longer held, the sum of
    // their counts, and their fingerprint encoding.
    std::size_t released = 0;
    std::uint64_t released_messages = 0;
    std::shared_ptr<ReleasedRecords> released_fingerprint;

    std::string_view kind() const override { return "aggregate"; }
    std::string identifier() const override { return report_id; }
    std::string reporter() const override { return org_name.value_or(std::string()); }
    std::string reporter_domain() const override { return email.value_or(std::string()); }
    std::vector<std::string> domains() const override { return {policy.domain}; }
    std::size_t items() const override { return released + records.size(); }
    std::string_view item_noun() const override { return "record"; }
    std::string to_json() const override;
    void json_begin(std::string& out) const override;
    void json_items(std::string& out, bool first) const override;
    std::unique_ptr<Report> take_batch() override;
    void keep_released() const override;
    void json_end(std::string& out) const override;
    std::string fingerprint() const override;
    // sha256 of fingerprint(), computed without building it whole. Throws
    // TryLater when the released records cannot be read back.
    std::string fingerprint_sha256() const override;

    // Moves the held records to the released ones (their fingerprint
    // encoding kept aside). Throws TryLater when they cannot be kept
    // (temporary file not writable, disk full).
    void release_records();

    std::uint64_t message_count() const {
        std::uint64_t sum = released_messages;
        for (const auto& r : records) {
            sum += r.count;
        }
        return sum;
    }
};

} // namespace rua
