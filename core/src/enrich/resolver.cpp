// Reverse DNS with forward confirmation (resolver.hpp) through the shared
// libunbound wrapper (dns/queries.hpp): one context for the Resolver's life
// (its cache), PTR questions first, then the A or AAAA questions of the
// names they gave, asked as the PTR answers come in.
#include "enrich/resolver.hpp"

#include "dns/queries.hpp"
#include "enrich/dns_names.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>

namespace rua::detail {

namespace {

constexpr int k_type_a = 1;
constexpr int k_type_ptr = 12;
constexpr int k_type_aaaa = 28;
constexpr int k_rcode_nxdomain = 3;
// A PTR may list several names; more than a few is not a mail server's.
constexpr std::size_t k_max_names = 3;

DnsSetup setup_for(const EnrichSettings& settings) {
    DnsSetup setup;
    setup.context = "enrich";
    setup.forwarder = settings.resolver;
    setup.resolv_conf = settings.resolv_conf;
    setup.unbound_config = settings.unbound_config;
    setup.large_caches = true;
    return setup;
}

// ok, nxdomain or servfail (timeout is the default).
std::string status_of(const DnsAnswer& a) {
    if (a.timed_out) {
        return "timeout";
    }
    if (a.failed) {
        return "servfail";
    }
    if (a.rcode == k_rcode_nxdomain || a.nxdomain) {
        return "nxdomain";
    }
    return a.rcode != 0 ? "servfail" : "ok";
}

} // namespace

struct Resolver::Impl {
    explicit Impl(const EnrichSettings& settings)
        : queries(setup_for(settings)), concurrency(std::max<std::size_t>(1, settings.concurrency)),
          timeout(settings.timeout_ms) {}
    DnsQueries queries;
    std::size_t concurrency;
    std::chrono::milliseconds timeout;
};

Resolver::Resolver(const EnrichSettings& settings) : m_impl(std::make_unique<Impl>(settings)) {}

Resolver::~Resolver() = default;

std::vector<ReverseAnswer> Resolver::reverse(const std::vector<IpAddress>& ips,
                                             std::size_t& queries) {
    std::vector<ReverseAnswer> answers(ips.size());
    std::deque<DnsQuestion> todo;
    for (std::size_t i = 0; i < ips.size(); ++i) {
        todo.push_back(DnsQuestion{reverse_name(ips[i]), k_type_ptr, i});
    }
    const auto done = [&](const DnsQuestion& q, const DnsAnswer& o) {
        ReverseAnswer& a = answers[q.tag];
        const std::string status = status_of(o);
        if (q.type == k_type_ptr) {
            a.status = status;
            a.ttl = o.ttl;
            std::vector<std::string> names;
            for (const auto& rdata : o.rdata) {
                const auto* bytes = reinterpret_cast<const unsigned char*>(rdata.data());
                if (auto text = wire_name_text(bytes, rdata.size());
                    text && names.size() < k_max_names) {
                    names.push_back(std::move(*text));
                }
            }
            if (status == "ok" && names.empty()) {
                a.status = "nxdomain"; // no (usable) PTR name
            }
            if (a.status != "ok") {
                return;
            }
            a.ptr = names.front();
            const int type = ips[q.tag].family() == IpAddress::Family::v4 ? k_type_a : k_type_aaaa;
            for (auto& name : names) {
                todo.push_back(DnsQuestion{std::move(name), type, q.tag});
            }
            return;
        }
        if (status != "ok") {
            return;
        }
        a.ttl = std::min(a.ttl, o.ttl);
        const auto& bytes = ips[q.tag].bytes();
        const std::size_t width = ips[q.tag].family() == IpAddress::Family::v4 ? 4 : 16;
        for (const auto& address : o.rdata) {
            if (!a.confirmed && address.size() == width &&
                std::memcmp(address.data(), bytes.data(), width) == 0) {
                a.confirmed = true;
                a.ptr = q.name; // the name that confirms
            }
        }
    };
    queries += m_impl->queries.ask(todo, m_impl->concurrency, m_impl->timeout, done);
    return answers;
}

} // namespace rua::detail
