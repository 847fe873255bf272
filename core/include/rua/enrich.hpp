// Enrichment of the sending sources, off the SMTP path (sql/0016): the worker
// behind `ruactl enrich` takes addresses off source_queue, resolves their PTR
// with forward confirmation (libunbound: a caching resolver that honours TTLs
// and caches negative answers), adds the base domain (libpsl), the ASN, AS
// name and country from an optional MMDB file, and writes source_host. Never
// called by the milter; never blocks anything but its own process.
#pragma once

#include <rua/store.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua {

struct EnrichSettings {
    std::size_t batch = 200;        // addresses taken off the queue per round (1..10000)
    std::size_t concurrency = 32;   // DNS queries in flight (1..1000)
    std::int64_t timeout_ms = 5000; // per DNS query (100..60000)
    // The resolver to forward to, in libunbound's form ("127.0.0.1",
    // "127.0.0.1@5353", "2001:db8::53"); empty: the servers of resolv_conf.
    std::string resolver;
    std::string resolv_conf = "/etc/resolv.conf";
    // An unbound.conf(5)-style file for the resolver library (local zones,
    // DNSSEC trust anchor, ...); empty: none.
    std::string unbound_config;
    // MaxMind DB file (GeoLite2-ASN/Country, DB-IP lite, IPinfo lite); empty: off.
    std::string mmdb;
    // How long an answer is kept in source_host: its DNS TTL, within these
    // bounds; a failure (servfail, timeout) is retried after failure_ttl.
    std::int64_t min_ttl = 3600;
    std::int64_t max_ttl = std::int64_t{7} * 86400;
    std::int64_t failure_ttl = 900;
};

// What one round did.
struct EnrichStats {
    std::size_t reports = 0;   // stored reports whose new addresses were queued
    std::size_t taken = 0;     // addresses taken off the queue
    std::size_t ok = 0;        // with a PTR name
    std::size_t confirmed = 0; // ... whose forward lookup contains the address
    std::size_t nxdomain = 0;
    std::size_t servfail = 0;
    std::size_t timeout = 0;
    std::size_t with_asn = 0; // found in the MMDB
    std::size_t queries = 0;  // DNS queries asked of the resolver library
    std::int64_t ms = 0;      // wall time of the round
};

// One source as the worker saw it (what it writes to source_host).
struct SourceHost {
    std::string ip;                 // normal text form
    std::string status = "pending"; // ok, nxdomain, servfail, timeout
    std::optional<std::string> ptr; // the PTR name, no trailing dot
    bool ptr_confirmed = false;
    std::optional<std::string> base_domain;
    std::optional<std::int64_t> asn;
    std::optional<std::string> as_name;
    std::optional<std::string> country;
    std::int64_t ttl = 0; // seconds the answer may be kept
};

// The worker. Not thread-safe: one per process.
class Enricher {
public:
    // Sets up the resolver and opens the MMDB. `log` gets one line per
    // notable event (the MMDB absent, a round's figures). Throws ConfigError
    // for a resolver address, unbound config or MMDB file that cannot be used.
    Enricher(ConnectionPool& pool, EnrichSettings settings,
             std::function<void(std::string_view)> log);
    ~Enricher();
    Enricher(const Enricher&) = delete;
    Enricher& operator=(const Enricher&) = delete;

    // Queues the new source addresses of up to `batch` newly stored reports
    // (sql/0020, a transaction of its own), then takes up to `batch`
    // addresses off the queue (oldest first, rows locked SKIP LOCKED so that
    // two workers share the queue), resolves them and writes their rows, in
    // one transaction. Throws TryLater when the database cannot be reached.
    EnrichStats run_once();

    // Resolves addresses without the database (for run_once and the tests).
    std::vector<SourceHost> resolve(const std::vector<std::string>& ips);

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
    std::size_t m_last_queries = 0; // of the last resolve()
};

// One line of the shipped provider map (packaging/providers.tsv): kind
// (ptr, dkim, spf), domain, provider name, provider type.
struct ProviderEntry {
    std::string kind;
    std::string domain;
    std::string provider;
    std::string type;
};

// Parses the provider file: one entry a line, four tab-separated fields,
// '#' comments and blank lines ignored; domains normalised (lower case, no
// trailing dot). Throws BadInput("FILE:LINE: ...") for a malformed line.
std::vector<ProviderEntry> parse_provider_file(std::string_view text, std::string_view name);

// The installed provider file (/usr/share/rua-milter/providers.tsv), else
// the source tree's (packaging/providers.tsv).
std::string default_provider_file();

// The operator's side of the provider map and the approved sources. Every
// method throws TryLater (database unreachable) or Error.
class Sources {
public:
    explicit Sources(ConnectionPool& pool); // no I/O
    ~Sources();
    Sources(const Sources&) = delete;
    Sources& operator=(const Sources&) = delete;

    // Replaces the shipped rows of provider_map with `entries` (one
    // transaction); operator rows stay. Returns the number of rows.
    std::size_t load_providers(const std::vector<ProviderEntry>& entries);
    // Adds or replaces an operator row. Throws BadInput for a bad kind or domain.
    void add_provider(const ProviderEntry& entry);
    // Removes an operator row; false when there was none.
    bool remove_provider(const std::string& kind, const std::string& domain);

    // Approves `provider_or_cidr` (a CIDR when it parses as one) for
    // `domain`, for one account or (nullopt) all. False when already there.
    // Throws BadInput for an unknown account or a bad domain.
    bool approve(const std::string& domain, const std::string& provider_or_cidr,
                 std::optional<std::string> account);
    // Removes that approval; false when there was none.
    bool unapprove(const std::string& domain, const std::string& provider_or_cidr,
                   std::optional<std::string> account);

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace rua
