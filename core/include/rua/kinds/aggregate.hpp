// The DMARC aggregate report (RFC 7489 appendix C, its drafts, RFC 9990):
// the typed fields every part of the aggregate kind shares. Enumerations are
// kept as lower-cased text so that an unknown value from a sender survives
// (and is flagged in warnings) instead of being rejected or silently mapped.
#pragma once

#include <rua/model.hpp>

#include <cstdint>
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
    std::vector<Record> records;

    std::string_view kind() const override { return "aggregate"; }
    std::string identifier() const override { return report_id; }
    std::string reporter() const override { return org_name.value_or(std::string()); }
    std::vector<std::string> domains() const override { return {policy.domain}; }
    std::size_t items() const override { return records.size(); }
    std::string_view item_noun() const override { return "record"; }
    std::string to_json() const override;
    std::string fingerprint() const override;

    std::uint64_t message_count() const {
        std::uint64_t sum = 0;
        for (const auto& r : records) {
            sum += r.count;
        }
        return sum;
    }
};

} // namespace rua
