// RFC 7489 section 7.1, external destination authorisation: a domain whose
// rua= or ruf= names an address in another organisation's domain is honoured
// by reporters only when that domain publishes
// <domain>._report._dmarc.<rua-domain> TXT "v=DMARC1". Here: the records a
// provider must publish for its registered customers, and the check of one
// customer's DNS. No DNS and no database in this file: the caller passes the
// registry and a TxtResolver (dns.hpp has the real one).
#pragma once

#include <rua/registry.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rua {

// A DMARC TXT record's tags that matter here. `error` is empty when the
// record is a DMARC record (v=DMARC1 first, RFC 7489 6.4).
struct DmarcRecord {
    std::string error;
    std::vector<std::string> rua; // the mailto: addresses, lower-cased, size limits cut off
    std::vector<std::string> ruf;
};
DmarcRecord parse_dmarc_record(std::string_view text);

// One TXT answer.
struct TxtAnswer {
    enum class Status { ok, nxdomain, nodata, servfail, timeout };
    Status status = Status::nodata;
    std::vector<std::string> texts; // each record's strings joined, as RFC 7489 reads them
};
std::string_view to_string(TxtAnswer::Status status);

class TxtResolver {
public:
    virtual ~TxtResolver() = default;
    // Never throws for a DNS failure (that is a Status); throws
    // std::runtime_error when the resolver itself cannot work.
    virtual TxtAnswer txt(const std::string& name) = 0;
};

// The authorisation records for every registered domain of `entries` that
// is not in the organisation of its rua address's domain, one per
// (domain, rua domain), sorted by rua domain then domain. With `wildcard`,
// one "*" record per rua domain instead. `unlisted` receives the addresses
// whose account lists no domain (they accept any: nothing to name).
struct AuthzRecord {
    std::string domain; // "*" for the wildcard
    std::string rua_domain;
    std::string owner() const { return domain + "._report._dmarc." + rua_domain + "."; }
};
std::vector<AuthzRecord> authorization_records(const std::vector<RuaEntry>& entries, bool wildcard,
                                               std::vector<std::string>& unlisted);
// BIND zone-file lines for `records`, one $ORIGIN-free absolute name each.
std::string zone_lines(const std::vector<AuthzRecord>& records);

// One line of a check's outcome.
struct AuthzFinding {
    enum class Level { ok, missing, failed }; // failed: DNS could not answer
    Level level = Level::ok;
    std::string text; // may quote DNS text: escape before printing
};
struct AuthzCheck {
    std::string record_name; // where the DMARC record was found, or looked for
    std::string record;      // its text, when one was found
    std::vector<AuthzFinding> findings;
    bool all_ok() const;
    bool dns_failed() const;
};
// Checks `domain`'s DMARC record (at _dmarc.<domain>, else at its
// organisational domain) against the registered addresses `ours`: rua=
// must name one of them (ruf= is checked when it does), the address's
// account must list the domain, and each such address outside the domain's
// organisation needs its authorisation record.
AuthzCheck check_authorization(std::string_view domain, const std::vector<RuaEntry>& ours,
                               TxtResolver& resolver);

} // namespace rua
