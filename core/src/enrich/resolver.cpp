// libunbound behind detail::Resolver: one context for the Resolver's life
// (its cache), a background thread of the library, and a loop here that
// keeps at most `concurrency` queries in flight, polls the library's file
// descriptor until the nearest deadline and cancels what passed it. The
// callbacks only record results; they run inside ub_process on this thread.
#include "enrich/resolver.hpp"

#include "enrich/dns_names.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <poll.h>
#include <unbound.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>

namespace rua::detail {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int k_type_a = 1;
constexpr int k_type_ptr = 12;
constexpr int k_type_aaaa = 28;
constexpr int k_class_in = 1;
constexpr int k_rcode_nxdomain = 3;
// A PTR may list several names; more than a few is not a mail server's.
constexpr std::size_t k_max_names = 3;
// How long past its deadline a query the library could not cancel is waited for.
constexpr std::chrono::seconds k_grace{2};

struct CtxDeleter {
    void operator()(ub_ctx* ctx) const { ub_ctx_delete(ctx); }
};

// What a finished query gave.
struct Outcome {
    std::string status;                                // ok, nxdomain, servfail, timeout
    std::vector<std::string> names;                    // PTR
    std::vector<std::vector<unsigned char>> addresses; // A/AAAA
    std::int64_t ttl = 0;
};

struct Query {
    std::size_t host = 0; // index into the hosts of the call
    int type = k_type_ptr;
    std::string name;
    int async_id = 0;
    Clock::time_point deadline;
    bool done = false;
    Outcome outcome;
};

} // namespace

struct Resolver::Impl {
    std::unique_ptr<ub_ctx, CtxDeleter> ctx;
    std::size_t concurrency = 1;
    std::chrono::milliseconds timeout{5000};
    // Queries by key; a late answer for a key no longer here is dropped.
    std::map<std::uintptr_t, Query> queries;
    std::uintptr_t next_key = 1;

    void record(std::uintptr_t key, int err, ub_result* result);
};

namespace {

void check(int rc, std::string_view what) {
    if (rc != 0) {
        throw ConfigError(fmt::format("enrich: {}: {}", what, ub_strerror(rc)));
    }
}

// The Impl whose ub_process is running on this thread: the callbacks' data
// is only the query's key (no allocation to lose when a query is cancelled).
thread_local Resolver::Impl* t_active = nullptr;

void answer_callback(void* data, int err, ub_result* result) {
    if (t_active != nullptr) {
        t_active->record(reinterpret_cast<std::uintptr_t>(data), err, result);
    }
    ub_resolve_free(result);
}

} // namespace

void Resolver::Impl::record(std::uintptr_t key, int err, ub_result* result) {
    const auto found = queries.find(key);
    if (found == queries.end()) {
        return;
    }
    Query& q = found->second;
    q.done = true;
    Outcome& o = q.outcome;
    if (err != 0 || result == nullptr) {
        o.status = "servfail";
        return;
    }
    o.ttl = result->ttl;
    if (result->rcode == k_rcode_nxdomain || result->nxdomain != 0) {
        o.status = "nxdomain";
        return;
    }
    if (result->rcode != 0) {
        o.status = "servfail";
        return;
    }
    o.status = "ok";
    for (int i = 0; result->havedata != 0 && result->data[i] != nullptr; ++i) {
        const auto* bytes = reinterpret_cast<const unsigned char*>(result->data[i]);
        const auto size = static_cast<std::size_t>(result->len[i]);
        if (q.type == k_type_ptr) {
            if (auto text = wire_name_text(bytes, size); text && o.names.size() < k_max_names) {
                o.names.push_back(std::move(*text));
            }
        } else {
            o.addresses.emplace_back(bytes, bytes + size);
        }
    }
}

Resolver::Resolver(const EnrichSettings& settings) : m_impl(std::make_unique<Impl>()) {
    m_impl->ctx.reset(ub_ctx_create());
    if (!m_impl->ctx) {
        throw ConfigError("enrich: cannot create the resolver context");
    }
    ub_ctx* ctx = m_impl->ctx.get();
    m_impl->concurrency = std::max<std::size_t>(1, settings.concurrency);
    m_impl->timeout = std::chrono::milliseconds(settings.timeout_ms);
    // libunbound's default caches (4 MB each) hold the PTR and forward
    // answers of about 500 addresses; past that a round over the same
    // addresses evicts what it needs next and nothing hits (measured by
    // tests/bench/enrich/run.sh: 0 % at 2,200 addresses, 100 % with these).
    // Before the operator's config, which may set its own.
    check(ub_ctx_set_option(ctx, "msg-cache-size:", "16m"), "msg-cache-size");
    check(ub_ctx_set_option(ctx, "rrset-cache-size:", "32m"), "rrset-cache-size");
    if (!settings.unbound_config.empty()) {
        check(ub_ctx_config(ctx, settings.unbound_config.c_str()),
              "unbound config " + settings.unbound_config);
    }
    // A resolver on loopback (the site's own, or a test's) must be asked.
    check(ub_ctx_set_option(ctx, "do-not-query-localhost:", "no"), "do-not-query-localhost");
    if (settings.resolver.empty()) {
        check(ub_ctx_resolvconf(ctx, settings.resolv_conf.c_str()),
              "resolver from " + settings.resolv_conf);
    } else {
        check(ub_ctx_set_fwd(ctx, settings.resolver.c_str()), "resolver " + settings.resolver);
    }
    // Answers come through ub_process on this thread; the library resolves
    // in a thread of its own (not a forked process).
    check(ub_ctx_async(ctx, 1), "async mode");
}

Resolver::~Resolver() = default;

std::vector<ReverseAnswer> Resolver::reverse(const std::vector<IpAddress>& ips,
                                             std::size_t& queries) {
    Impl& impl = *m_impl;
    std::vector<ReverseAnswer> answers(ips.size());
    std::deque<Query> todo;
    for (std::size_t i = 0; i < ips.size(); ++i) {
        Query q;
        q.host = i;
        q.type = k_type_ptr;
        q.name = reverse_name(ips[i]);
        todo.push_back(std::move(q));
    }
    std::vector<std::uintptr_t> in_flight;

    const auto finish = [&](const Query& q) {
        ReverseAnswer& a = answers[q.host];
        const Outcome& o = q.outcome;
        if (q.type == k_type_ptr) {
            a.status = o.status;
            a.ttl = o.ttl;
            if (o.status == "ok" && o.names.empty()) {
                a.status = "nxdomain"; // no (usable) PTR name
            }
            if (a.status != "ok") {
                return;
            }
            a.ptr = o.names.front();
            const int type = ips[q.host].family() == IpAddress::Family::v4 ? k_type_a : k_type_aaaa;
            for (const auto& name : o.names) {
                Query f;
                f.host = q.host;
                f.type = type;
                f.name = name;
                todo.push_back(std::move(f));
            }
            return;
        }
        if (o.status == "ok") {
            a.ttl = std::min(a.ttl, o.ttl);
        }
        const auto& bytes = ips[q.host].bytes();
        const std::size_t width = ips[q.host].family() == IpAddress::Family::v4 ? 4 : 16;
        for (const auto& address : o.addresses) {
            if (!a.confirmed && address.size() == width &&
                std::equal(address.begin(), address.end(), bytes.begin())) {
                a.confirmed = true;
                a.ptr = q.name; // the name that confirms
            }
        }
    };

    while (!todo.empty() || !in_flight.empty()) {
        while (in_flight.size() < impl.concurrency && !todo.empty()) {
            const std::uintptr_t key = impl.next_key++;
            Query& q = impl.queries.emplace(key, std::move(todo.front())).first->second;
            todo.pop_front();
            q.deadline = Clock::now() + impl.timeout;
            ++queries;
            // The callback's data is the key itself, never dereferenced.
            void* data = reinterpret_cast<void*>(key); // NOLINT(performance-no-int-to-ptr)
            const int rc = ub_resolve_async(impl.ctx.get(), q.name.c_str(), q.type, k_class_in,
                                            data, answer_callback, &q.async_id);
            if (rc != 0) {
                q.done = true;
                q.outcome.status = "servfail";
            }
            in_flight.push_back(key);
        }
        // Wait for the library's descriptor until the nearest deadline.
        auto nearest = Clock::time_point::max();
        for (const auto key : in_flight) {
            const Query& q = impl.queries.at(key);
            if (!q.done) {
                nearest = std::min(nearest,
                                   Clock::now() < q.deadline ? q.deadline : q.deadline + k_grace);
            }
        }
        if (nearest != Clock::time_point::max()) {
            const auto wait =
                std::chrono::duration_cast<std::chrono::milliseconds>(nearest - Clock::now());
            pollfd fd{ub_fd(impl.ctx.get()), POLLIN, 0};
            const int ms = static_cast<int>(std::clamp<std::int64_t>(wait.count() + 1, 0, 60000));
            if (poll(&fd, 1, ms) > 0) {
                t_active = &impl;
                ub_process(impl.ctx.get());
                t_active = nullptr;
            }
        }
        const auto now = Clock::now();
        std::vector<std::uintptr_t> still;
        for (const auto key : in_flight) {
            Query& q = impl.queries.at(key);
            // Cancelled, its callback will not run. When the library cannot
            // cancel it, the answer is already on its way and comes with the
            // next ub_process, but is waited for no longer than k_grace: a
            // late callback finds no key and is dropped (record()).
            if (!q.done && now >= q.deadline &&
                (ub_cancel(impl.ctx.get(), q.async_id) == 0 || now >= q.deadline + k_grace)) {
                q.done = true;
                q.outcome.status = "timeout";
            }
            if (q.done) {
                finish(q);
                impl.queries.erase(key);
            } else {
                still.push_back(key);
            }
        }
        in_flight = std::move(still);
    }
    return answers;
}

} // namespace rua::detail
