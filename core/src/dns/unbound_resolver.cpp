// TXT lookups over libunbound with a hard deadline per query: the query is
// asked asynchronously and the context's descriptor polled until the
// deadline, then cancelled (libunbound's own retries could otherwise run for
// minutes against a server that never answers). A reply's RDATA is read
// within its stated length only.
#include <rua/dns.hpp>

#include <fmt/format.h>

#include <poll.h>
#include <unbound.h>

#include <stdexcept>

namespace rua {

namespace {

constexpr int k_type_txt = 16;
constexpr int k_class_in = 1;
constexpr int k_rcode_servfail = 2;
constexpr int k_rcode_nxdomain = 3;

struct ContextDeleter {
    void operator()(ub_ctx* ctx) const { ub_ctx_delete(ctx); }
};

struct Pending {
    bool done = false;
    int err = 0;
    ub_result* result = nullptr;
};

void on_answer(void* data, int err, ub_result* result) {
    auto* pending = static_cast<Pending*>(data);
    pending->done = true;
    pending->err = err;
    pending->result = result;
}

// A TXT RDATA: one or more <length><bytes> strings, joined (RFC 7489 6.6.3
// reads a record's strings as one).
std::string txt_text(const char* data, int length) {
    std::string out;
    const auto size = static_cast<std::size_t>(length);
    for (std::size_t i = 0; i < size;) {
        const auto n = static_cast<unsigned char>(data[i]);
        const std::size_t take = std::min<std::size_t>(n, size - i - 1);
        out.append(data + i + 1, take);
        i += 1 + n;
    }
    return out;
}

} // namespace

struct UnboundResolver::Impl {
    std::unique_ptr<ub_ctx, ContextDeleter> ctx;
    std::chrono::milliseconds timeout{};
};

UnboundResolver::UnboundResolver(const std::optional<std::string>& forwarder,
                                 std::chrono::milliseconds timeout)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->ctx.reset(ub_ctx_create());
    m_impl->timeout = timeout;
    if (!m_impl->ctx) {
        throw std::runtime_error("libunbound: cannot create a resolver context");
    }
    ub_ctx* ctx = m_impl->ctx.get();
    const auto check = [](int err, const std::string& what) {
        if (err != 0) {
            throw std::runtime_error(fmt::format("libunbound: {}: {}", what, ub_strerror(err)));
        }
    };
    // A forwarder on loopback (a local cache, or a test's server) is asked
    // like any other; unbound refuses localhost by default.
    check(ub_ctx_set_option(ctx, "do-not-query-localhost:", "no"), "do-not-query-localhost");
    if (forwarder) {
        check(ub_ctx_set_fwd(ctx, forwarder->c_str()), "resolver " + *forwarder);
    } else {
        check(ub_ctx_resolvconf(ctx, nullptr), "/etc/resolv.conf");
    }
}

UnboundResolver::~UnboundResolver() = default;

TxtAnswer UnboundResolver::txt(const std::string& name) {
    ub_ctx* ctx = m_impl->ctx.get();
    Pending pending;
    int id = 0;
    const int err =
        ub_resolve_async(ctx, name.c_str(), k_type_txt, k_class_in, &pending, on_answer, &id);
    if (err != 0) {
        throw std::runtime_error(fmt::format("libunbound: {}: {}", name, ub_strerror(err)));
    }
    const auto deadline = std::chrono::steady_clock::now() + m_impl->timeout;
    while (!pending.done) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ub_cancel(ctx, id);
            return {TxtAnswer::Status::timeout, {}};
        }
        pollfd fd{ub_fd(ctx), POLLIN, 0};
        const int ready = poll(&fd, 1, static_cast<int>(left.count()));
        if (ready > 0 && ub_process(ctx) != 0) {
            ub_cancel(ctx, id);
            throw std::runtime_error(fmt::format("libunbound: {}: cannot read the answer", name));
        }
    }
    std::unique_ptr<ub_result, void (*)(ub_result*)> result(pending.result, ub_resolve_free);
    if (pending.err != 0 || !result) {
        return {TxtAnswer::Status::servfail, {}};
    }
    TxtAnswer answer;
    if (result->rcode == k_rcode_nxdomain || result->nxdomain != 0) {
        answer.status = TxtAnswer::Status::nxdomain;
    } else if (result->rcode == k_rcode_servfail || result->bogus != 0) {
        answer.status = TxtAnswer::Status::servfail;
    } else if (result->havedata == 0) {
        answer.status = TxtAnswer::Status::nodata;
    } else {
        answer.status = TxtAnswer::Status::ok;
        for (int i = 0; result->data[i] != nullptr; ++i) {
            answer.texts.push_back(txt_text(result->data[i], result->len[i]));
        }
    }
    return answer;
}

} // namespace rua
