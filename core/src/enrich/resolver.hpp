// Reverse DNS with forward confirmation over libunbound, asynchronously:
// at most `concurrency` queries in flight, each cancelled after `timeout_ms`.
// libunbound keeps a cache for the life of the Resolver that honours the
// records' TTLs and caches negative answers too, so a long-running worker
// does not ask twice within a TTL. Never touches the database.
#pragma once

#include <rua/enrich.hpp>

#include <memory>
#include <string>
#include <vector>

namespace rua::detail {

// The DNS part of one source: status, PTR name, confirmation, TTL.
struct ReverseAnswer {
    std::string status = "timeout"; // ok, nxdomain, servfail, timeout
    std::optional<std::string> ptr;
    bool confirmed = false;
    std::int64_t ttl = 0; // the smallest TTL of the answers used
};

class Resolver {
public:
    // Throws ConfigError when libunbound refuses the settings (a bad
    // forwarder address, an unreadable resolv.conf or unbound config).
    explicit Resolver(const EnrichSettings& settings);
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // One answer per address, in order; `queries` counts the queries asked.
    std::vector<ReverseAnswer> reverse(const std::vector<IpAddress>& ips, std::size_t& queries);

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace rua::detail
