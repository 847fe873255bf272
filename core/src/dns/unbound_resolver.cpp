// TXT lookups for ruactl's DNS checks, one question at a time through the
// shared libunbound wrapper (dns/queries.hpp), which gives each a hard
// deadline. A reply's RDATA is read within its stated length only.
#include "dns/queries.hpp"

#include <rua/dns.hpp>

namespace rua {

namespace {

constexpr int k_type_txt = 16;
constexpr int k_rcode_servfail = 2;
constexpr int k_rcode_nxdomain = 3;

// A TXT RDATA: one or more <length><bytes> strings, joined (RFC 7489 6.6.3
// reads a record's strings as one).
std::string txt_text(const std::string& data) {
    std::string out;
    for (std::size_t i = 0; i < data.size();) {
        const auto n = static_cast<unsigned char>(data[i]);
        const std::size_t take = std::min<std::size_t>(n, data.size() - i - 1);
        out.append(data, i + 1, take);
        i += 1 + n;
    }
    return out;
}

TxtAnswer txt_answer(const detail::DnsAnswer& a) {
    using Status = TxtAnswer::Status;
    TxtAnswer answer;
    if (a.timed_out) {
        answer.status = Status::timeout;
    } else if (a.rcode == k_rcode_nxdomain || a.nxdomain) {
        answer.status = Status::nxdomain; // never with `failed`
    } else if (a.failed || a.rcode == k_rcode_servfail || a.bogus) {
        answer.status = Status::servfail;
    } else if (a.rdata.empty()) {
        answer.status = Status::nodata;
    } else {
        answer.status = Status::ok;
        for (const auto& rdata : a.rdata) {
            answer.texts.push_back(txt_text(rdata));
        }
    }
    return answer;
}

detail::DnsSetup setup_for(const std::optional<std::string>& forwarder) {
    detail::DnsSetup setup;
    setup.context = "libunbound";
    setup.forwarder = forwarder.value_or(std::string());
    return setup;
}

} // namespace

struct UnboundResolver::Impl {
    Impl(const detail::DnsSetup& setup, std::chrono::milliseconds t) : queries(setup), timeout(t) {}
    detail::DnsQueries queries;
    std::chrono::milliseconds timeout;
};

UnboundResolver::UnboundResolver(const std::optional<std::string>& forwarder,
                                 std::chrono::milliseconds timeout)
    : m_impl(std::make_unique<Impl>(setup_for(forwarder), timeout)) {}

UnboundResolver::~UnboundResolver() = default;

TxtAnswer UnboundResolver::txt(const std::string& name) {
    std::deque<detail::DnsQuestion> todo{{name, k_type_txt, 0}};
    TxtAnswer answer;
    m_impl->queries.ask(todo, 1, m_impl->timeout,
                        [&](const detail::DnsQuestion& /*q*/, const detail::DnsAnswer& a) {
                            answer = txt_answer(a);
                        });
    return answer;
}

} // namespace rua
