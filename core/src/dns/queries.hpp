// The one libunbound wrapper: a resolver context (libunbound's cache lives
// as long as it does) and a loop that asks questions with at most
// `concurrency` in flight, polls the library's descriptor until the nearest
// deadline and cancels what passed it, so that every question has a hard
// deadline (libunbound's own retries could otherwise run for minutes against
// a server that never answers). Used by ruactl's TXT checks (rua/dns.hpp)
// and the enrichment worker's reverse lookups (enrich/resolver.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rua::detail {

// How the context is set up. Throws ConfigError("<context>: <what>: <why>")
// when libunbound refuses a setting.
struct DnsSetup {
    std::string context = "dns"; // the errors' prefix
    // The resolver to forward to ("127.0.0.1", "127.0.0.1@5353"); empty:
    // the servers of resolv_conf.
    std::string forwarder;
    std::string resolv_conf = "/etc/resolv.conf";
    std::string unbound_config; // an unbound.conf(5)-style file; empty: none
    bool large_caches = false;  // 16 MB message and 32 MB RRset caches
};

// A question; `tag` is the caller's, handed back with the answer.
struct DnsQuestion {
    std::string name;
    int type = 0;
    std::size_t tag = 0;
};

// What a question got, as libunbound said it.
struct DnsAnswer {
    bool timed_out = false; // no answer before the deadline
    bool failed = false;    // the library could not ask or resolve it
    int rcode = 0;
    bool nxdomain = false;
    bool bogus = false;
    std::int64_t ttl = 0;
    std::vector<std::string> rdata; // each record's RDATA, as sent
};

class DnsQueries {
public:
    explicit DnsQueries(const DnsSetup& setup);
    ~DnsQueries();
    DnsQueries(const DnsQueries&) = delete;
    DnsQueries& operator=(const DnsQueries&) = delete;

    // Asks every question of `todo`, at most `concurrency` at once, each
    // with `timeout`; `done` is called once per question as it finishes and
    // may add follow-up questions to `todo`. Returns the questions asked.
    using Done = std::function<void(const DnsQuestion&, const DnsAnswer&)>;
    std::size_t ask(std::deque<DnsQuestion>& todo, std::size_t concurrency,
                    std::chrono::milliseconds timeout, const Done& done);

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace rua::detail
