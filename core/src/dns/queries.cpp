// DnsQueries (queries.hpp) over libunbound: one context for its life, the
// library resolving in a thread of its own, and a loop here that keeps at
// most `concurrency` questions in flight. The callbacks only record results;
// they run inside ub_process on this thread.
#include "dns/queries.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <poll.h>
#include <unbound.h>

#include <algorithm>
#include <map>

namespace rua::detail {

namespace {

using Clock = std::chrono::steady_clock;

// How long past its deadline a question the library could not cancel is
// waited for.
constexpr std::chrono::seconds k_grace{2};

struct CtxDeleter {
    void operator()(ub_ctx* ctx) const { ub_ctx_delete(ctx); }
};

struct Asked {
    DnsQuestion question;
    int async_id = 0;
    Clock::time_point deadline;
    bool done = false;
    DnsAnswer answer;
};

} // namespace

struct DnsQueries::Impl {
    std::unique_ptr<ub_ctx, CtxDeleter> ctx;
    // Questions by key; a late answer for a key no longer here is dropped.
    std::map<std::uintptr_t, Asked> asked;
    std::uintptr_t next_key = 1;

    void record(std::uintptr_t key, int err, ub_result* result);
};

namespace {

// The Impl whose ub_process is running on this thread: the callbacks' data
// is only the question's key (no allocation to lose when one is cancelled).
thread_local DnsQueries::Impl* t_active = nullptr;

void answer_callback(void* data, int err, ub_result* result) {
    if (t_active != nullptr) {
        t_active->record(reinterpret_cast<std::uintptr_t>(data), err, result);
    }
    ub_resolve_free(result);
}

} // namespace

void DnsQueries::Impl::record(std::uintptr_t key, int err, ub_result* result) {
    const auto found = asked.find(key);
    if (found == asked.end()) {
        return;
    }
    Asked& a = found->second;
    a.done = true;
    DnsAnswer& answer = a.answer;
    if (err != 0 || result == nullptr) {
        answer.failed = true;
        return;
    }
    answer.rcode = result->rcode;
    answer.nxdomain = result->nxdomain != 0;
    answer.bogus = result->bogus != 0;
    answer.ttl = result->ttl;
    for (int i = 0; result->havedata != 0 && result->data[i] != nullptr; ++i) {
        answer.rdata.emplace_back(result->data[i], static_cast<std::size_t>(result->len[i]));
    }
}

DnsQueries::DnsQueries(const DnsSetup& setup) : m_impl(std::make_unique<Impl>()) {
    m_impl->ctx.reset(ub_ctx_create());
    if (!m_impl->ctx) {
        throw ConfigError(fmt::format("{}: cannot create the resolver context", setup.context));
    }
    ub_ctx* ctx = m_impl->ctx.get();
    const auto check = [&](int rc, std::string_view what) {
        if (rc != 0) {
            throw ConfigError(fmt::format("{}: {}: {}", setup.context, what, ub_strerror(rc)));
        }
    };
    if (setup.large_caches) {
        // libunbound's default caches (4 MB each) hold the PTR and forward
        // answers of about 500 addresses; past that a round over the same
        // addresses evicts what it needs next and nothing hits (measured by
        // tests/bench/enrich/run.sh: 0 % at 2,200 addresses, 100 % with
        // these). Before the operator's config, which may set its own.
        check(ub_ctx_set_option(ctx, "msg-cache-size:", "16m"), "msg-cache-size");
        check(ub_ctx_set_option(ctx, "rrset-cache-size:", "32m"), "rrset-cache-size");
    }
    if (!setup.unbound_config.empty()) {
        check(ub_ctx_config(ctx, setup.unbound_config.c_str()),
              "unbound config " + setup.unbound_config);
    }
    // A resolver on loopback (the site's own, or a test's) must be asked;
    // unbound refuses localhost by default.
    check(ub_ctx_set_option(ctx, "do-not-query-localhost:", "no"), "do-not-query-localhost");
    if (setup.forwarder.empty()) {
        check(ub_ctx_resolvconf(ctx, setup.resolv_conf.c_str()),
              "resolver from " + setup.resolv_conf);
    } else {
        check(ub_ctx_set_fwd(ctx, setup.forwarder.c_str()), "resolver " + setup.forwarder);
    }
    // Answers come through ub_process on the asking thread; the library
    // resolves in a thread of its own (not a forked process).
    check(ub_ctx_async(ctx, 1), "async mode");
}

DnsQueries::~DnsQueries() = default;

std::size_t DnsQueries::ask(std::deque<DnsQuestion>& todo, std::size_t concurrency,
                            std::chrono::milliseconds timeout, const Done& done) {
    Impl& impl = *m_impl;
    concurrency = std::max<std::size_t>(1, concurrency);
    std::size_t count = 0;
    std::vector<std::uintptr_t> in_flight;
    while (!todo.empty() || !in_flight.empty()) {
        while (in_flight.size() < concurrency && !todo.empty()) {
            const std::uintptr_t key = impl.next_key++;
            Asked& a = impl.asked[key];
            a.question = std::move(todo.front());
            todo.pop_front();
            a.deadline = Clock::now() + timeout;
            ++count;
            // The callback's data is the key itself, never dereferenced.
            void* data = reinterpret_cast<void*>(key); // NOLINT(performance-no-int-to-ptr)
            constexpr int k_class_in = 1;
            if (ub_resolve_async(impl.ctx.get(), a.question.name.c_str(), a.question.type,
                                 k_class_in, data, answer_callback, &a.async_id) != 0) {
                a.done = true;
                a.answer.failed = true;
            }
            in_flight.push_back(key);
        }
        // Wait for the library's descriptor until the nearest deadline.
        auto nearest = Clock::time_point::max();
        for (const auto key : in_flight) {
            const Asked& a = impl.asked.at(key);
            if (!a.done) {
                nearest = std::min(nearest,
                                   Clock::now() < a.deadline ? a.deadline : a.deadline + k_grace);
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
            Asked& a = impl.asked.at(key);
            // Cancelled, its callback will not run. When the library cannot
            // cancel it, the answer is already on its way and comes with the
            // next ub_process, but is waited for no longer than k_grace: a
            // late callback finds no key and is dropped (record()).
            if (!a.done && now >= a.deadline &&
                (ub_cancel(impl.ctx.get(), a.async_id) == 0 || now >= a.deadline + k_grace)) {
                a.done = true;
                a.answer.timed_out = true;
            }
            if (a.done) {
                const Asked finished = std::move(a);
                impl.asked.erase(key);
                done(finished.question, finished.answer);
            } else {
                still.push_back(key);
            }
        }
        in_flight = std::move(still);
    }
    return count;
}

} // namespace rua::detail
