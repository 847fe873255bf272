// The callbacks' logic: RCPT decides whether a message is ours (registry
// snapshot, no I/O), the message is buffered only when it has a rua
// recipient, and end of message maps process_message's verdict to an SMTP
// reply. State lives in a Connection owned through libmilter's private
// pointer; a callback may find it null. Must never let an exception reach
// libmilter and never log message text.
#include "filter.hpp"

#include "deadline.hpp"
#include "log.hpp"
#include "message_buffer.hpp"

#include <rua/address.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

namespace rua::milter {

namespace {

std::atomic<std::size_t> g_open_connections{0};

struct Recipient {
    std::string as_given; // for smfi_delrcpt: exactly what RCPT TO said
    RuaEntry entry;
};

struct Message {
    std::vector<Recipient> rua;
    std::size_t others = 0; // recipients that are none of our business
    std::optional<MessageBuffer> buffer;
    std::optional<std::string> queue_id;
    // Its share of MaxInFlightBytes; the end-of-message job holds it too,
    // so the bytes go back when both are done with the message.
    std::shared_ptr<MemoryReservation> memory;
    Metrics::InFlight in_flight; // from DATA until the message goes
};

template <typename F> sfsistat guard(Metrics& metrics, const char* callback, F&& body) noexcept {
    try {
        return body();
    } catch (const std::exception& e) {
        log_error("{}: internal error, answering tempfail: {}", callback, e.what());
    } catch (...) {
        log_error("{}: internal error, answering tempfail", callback);
    }
    metrics.tempfail(TempfailReason::internal);
    return SMFIS_TEMPFAIL;
}

// The address as RCPT gave it, less white space and one pair of angle
// brackets: what a refusal names when the address does not normalise.
std::string bare(std::string_view recipient) {
    while (!recipient.empty() && (recipient.front() == ' ' || recipient.front() == '<')) {
        recipient.remove_prefix(1);
    }
    while (!recipient.empty() && (recipient.back() == ' ' || recipient.back() == '>')) {
        recipient.remove_suffix(1);
    }
    return std::string(recipient);
}

// try_later's reason_code as set by process_with_deadline, else the store's.
TempfailReason tempfail_reason(std::string_view code) {
    if (code == k_reason_deadline) {
        return TempfailReason::deadline;
    }
    if (code == k_reason_queue_full) {
        return TempfailReason::overload;
    }
    return TempfailReason::database;
}

std::string plural(std::size_t n, const char* word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

} // namespace

struct Filter::Connection {
    ConfigPtr config;
    bool leading_space = false;
    // The MTA's own host name (macro `j`, sent at connect): what its own
    // Received field names after "by", the boundary below which no
    // Authentication-Results field is believed.
    std::string own_host;
    std::optional<Message> message;

    explicit Connection(ConfigPtr c) : config(std::move(c)) { ++g_open_connections; }
    ~Connection() { --g_open_connections; }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool has_rua() const { return message && !message->rua.empty(); }
};

namespace {

// The buffer of a message for a rua address, started by whichever of
// header, EOH or body comes first.
MessageBuffer& buffer_of(Filter::Connection& conn) {
    auto& buffer = conn.message->buffer;
    if (!buffer) {
        buffer.emplace(conn.config->limits.max_message_bytes);
    }
    return *buffer;
}

// One printable ASCII line of at most 200 characters.
std::string printable(std::string_view text, bool double_percent) {
    constexpr std::size_t k_max = 200;
    std::string out;
    for (char c : text) {
        if (out.size() >= k_max) {
            break;
        }
        auto byte = static_cast<unsigned char>(c);
        if (byte == '%' && double_percent) {
            out += "%%";
        } else if (byte < 0x20 || byte >= 0x7f) {
            out += byte >= 0x80 ? '?' : ' ';
        } else {
            out += c;
        }
    }
    return out;
}

// "record" when every report counts the same noun, else "item".
std::string common_noun(const IngestResult& ingest) {
    std::string noun;
    for (const auto& report : ingest.reports) {
        if (!noun.empty() && noun != report->item_noun()) {
            return "item";
        }
        noun = std::string(report->item_noun());
    }
    return noun.empty() ? std::string("item") : noun;
}

} // namespace

std::string reply_text(std::string_view text) {
    return printable(text, true);
}

std::size_t Filter::open_connections() const noexcept {
    return g_open_connections.load();
}

Filter::Connection& Filter::connection(SMFICTX* ctx) {
    auto* conn = static_cast<Connection*>(m_api.get_private(ctx));
    if (conn == nullptr) {
        auto owned = std::make_unique<Connection>(m_config.get());
        m_api.set_private(ctx, owned.get());
        conn = owned.release(); // now owned by the context; freed in close()
    }
    return *conn;
}

sfsistat Filter::negotiated(SMFICTX* ctx, bool leading_space) noexcept {
    return guard(m_metrics, "negotiate", [&] {
        connection(ctx).leading_space = leading_space;
        return SMFIS_CONTINUE;
    });
}

sfsistat Filter::connect(SMFICTX* ctx) noexcept {
    return guard(m_metrics, "connect", [&] {
        connection(ctx).own_host = m_api.symbol(ctx, "j").value_or(std::string());
        return SMFIS_CONTINUE;
    });
}

// Only an MTA that ignores SMFIP_NOMAIL calls this: a message otherwise
// starts at its first RCPT and ends at end of message, abort or DATA.
sfsistat Filter::envfrom(SMFICTX* ctx) noexcept {
    return guard(m_metrics, "envfrom", [&] {
        connection(ctx).message.emplace();
        return SMFIS_CONTINUE;
    });
}

sfsistat Filter::envrcpt(SMFICTX* ctx, std::string_view recipient) noexcept {
    return guard(m_metrics, "envrcpt", [&] {
        auto& conn = connection(ctx);
        if (!conn.message) {
            conn.message.emplace();
        }
        auto& message = *conn.message;
        // The one normal form (rua/address.hpp). An address it refuses (a
        // quoted local part, say) is no rua; it is ours to refuse only when
        // its domain is a ReportDomain.
        const auto normal = normalize_address(recipient);
        const auto domain = domain_of_address(recipient);
        const bool ours = domain && conn.config->is_report_domain(*domain);
        const std::string address = normal.value_or(bare(recipient));
        const auto registry = m_backend->registry();
        if (!registry) {
            if (ours) {
                log_warning("RCPT {}: registry not loaded yet, answering 451",
                            log_value("<" + address + ">"));
                m_api.set_reply(ctx, "451", "4.3.0", "rua registry not available, try again later");
                m_metrics.tempfail(TempfailReason::registry);
                return SMFIS_TEMPFAIL;
            }
            ++message.others;
            return SMFIS_CONTINUE;
        }
        const RuaEntry* entry = normal ? registry->find(*normal) : nullptr;
        if (entry != nullptr && entry->active) {
            message.rua.push_back(Recipient{std::string(recipient), *entry});
            return SMFIS_CONTINUE;
        }
        if (ours) {
            log_info("RCPT {}: not a registered DMARC report address",
                     log_value("<" + address + ">"));
            m_api.set_reply(
                ctx, "550", "5.1.1",
                reply_text(fmt::format("<{}>: not a registered DMARC report address", address)));
            m_metrics.rcpt_rejected();
            return SMFIS_REJECT;
        }
        ++message.others;
        return SMFIS_CONTINUE;
    });
}

sfsistat Filter::data(SMFICTX* ctx) noexcept {
    return guard(m_metrics, "data", [&] {
        auto& conn = connection(ctx);
        if (!conn.has_rua()) {
            // Not ours: neither header nor body is sent to us, and the next
            // message starts afresh at its first RCPT (MAIL is not sent).
            conn.message.reset();
            return SMFIS_ACCEPT;
        }
        conn.message->queue_id = m_api.symbol(ctx, "i");
        conn.message->in_flight = m_metrics.message_started();
        return SMFIS_CONTINUE;
    });
}

sfsistat Filter::too_big(SMFICTX* ctx, Connection& conn) {
    log_info("{}: rejected rua={} reason=\"message exceeds MaxMessageSize {}\"",
             conn.message->queue_id.value_or("NOQUEUE"), conn.message->rua.front().entry.address,
             conn.config->limits.max_message_bytes);
    m_api.set_reply(ctx, "552", "5.3.4", "message too big for a DMARC report");
    m_metrics.message({}, Verdict::rejected);
    conn.message.reset();
    return SMFIS_REJECT;
}

// Reserves what the buffer grew by. Past MaxInFlightBytes the message is
// dropped and the sender told to retry: it did nothing wrong.
sfsistat Filter::charge_buffer(SMFICTX* ctx, Connection& conn) {
    Message& message = *conn.message;
    if (!message.memory) {
        message.memory =
            std::make_shared<MemoryReservation>(m_memory, conn.config->max_in_flight_bytes);
    }
    const std::size_t size = message.buffer ? message.buffer->bytes().size() : 0;
    const std::size_t held = message.memory->bytes();
    if (size <= held || message.memory->try_reserve(size - held)) {
        return SMFIS_CONTINUE;
    }
    return over_budget(ctx, conn, "buffering");
}

sfsistat Filter::over_budget(SMFICTX* ctx, Connection& conn, const char* where) {
    const Message& message = *conn.message;
    log_warning("{}: tempfail rua={} reason=\"MaxInFlightBytes {} exhausted while {}, {} bytes "
                "in flight\"",
                message.queue_id.value_or("NOQUEUE"), log_value(message.rua.front().entry.address),
                conn.config->max_in_flight_bytes, where, m_memory.in_use());
    m_api.set_reply(ctx, "451", "4.3.2", "too many reports in progress, try again later");
    m_metrics.tempfail(TempfailReason::overload);
    m_metrics.message({}, Verdict::try_later);
    conn.message.reset();
    return SMFIS_TEMPFAIL;
}

bool Filter::wait_idle(std::chrono::milliseconds limit) noexcept {
    std::unique_lock<std::mutex> lock(m_busy_mutex);
    return m_idle.wait_for(lock, limit, [this] { return m_busy == 0; });
}

sfsistat Filter::header(SMFICTX* ctx, std::string_view name, std::string_view value) noexcept {
    return guard(m_metrics, "header", [&] {
        auto& conn = connection(ctx);
        if (!conn.has_rua()) {
            return SMFIS_ACCEPT;
        }
        if (!buffer_of(conn).add_header(name, value, conn.leading_space)) {
            return too_big(ctx, conn);
        }
        return charge_buffer(ctx, conn);
    });
}

sfsistat Filter::eoh(SMFICTX* ctx) noexcept {
    return guard(m_metrics, "eoh", [&] {
        auto& conn = connection(ctx);
        if (!conn.has_rua()) {
            return SMFIS_ACCEPT;
        }
        if (!buffer_of(conn).end_headers()) {
            return too_big(ctx, conn);
        }
        return charge_buffer(ctx, conn);
    });
}

sfsistat Filter::body(SMFICTX* ctx, std::string_view chunk) noexcept {
    return guard(m_metrics, "body", [&] {
        auto& conn = connection(ctx);
        if (!conn.has_rua()) {
            return SMFIS_ACCEPT;
        }
        if (!buffer_of(conn).add_body(chunk)) {
            return too_big(ctx, conn);
        }
        return charge_buffer(ctx, conn);
    });
}

sfsistat Filter::eom(SMFICTX* ctx) noexcept {
    return guard(m_metrics, "eom", [&] {
        auto& conn = connection(ctx);
        if (!conn.has_rua()) {
            conn.message.reset();
            return SMFIS_ACCEPT;
        }
        // Counted until the reply is chosen, so that a shutdown waits for it.
        struct Busy {
            Filter& filter;
            explicit Busy(Filter& f) : filter(f) {
                std::lock_guard<std::mutex> lock(filter.m_busy_mutex);
                ++filter.m_busy;
            }
            ~Busy() {
                std::lock_guard<std::mutex> lock(filter.m_busy_mutex);
                if (--filter.m_busy == 0) {
                    filter.m_idle.notify_all();
                }
            }
            Busy(const Busy&) = delete;
            Busy& operator=(const Busy&) = delete;
        } busy(*this);
        auto status = finish_message(ctx, conn);
        conn.message.reset();
        return status;
    });
}

sfsistat Filter::abort(SMFICTX* ctx) noexcept {
    return guard(m_metrics, "abort", [&] {
        if (auto* conn = static_cast<Connection*>(m_api.get_private(ctx))) {
            conn->message.reset();
        }
        return SMFIS_CONTINUE;
    });
}

sfsistat Filter::close(SMFICTX* ctx) noexcept {
    return guard(m_metrics, "close", [&] {
        // Only connection state lives here; close may come without connect.
        std::unique_ptr<Connection> owned(static_cast<Connection*>(m_api.get_private(ctx)));
        if (owned) {
            m_api.set_private(ctx, nullptr);
        }
        return SMFIS_CONTINUE;
    });
}

// With several rua recipients, the set decides the domain check: a report
// is accepted when any of their accounts owns its domain (the reports are
// stored once, not once per recipient). The first one is the one logged
// and recorded as the report's rua.
sfsistat Filter::finish_message(SMFICTX* ctx, Connection& conn) {
    const Config& config = *conn.config;
    Message& message = *conn.message;
    if (auto id = m_api.symbol(ctx, "i")) {
        message.queue_id = std::move(id);
    }
    const std::string qid = message.queue_id.value_or("NOQUEUE");
    const std::string rua = message.rua.front().entry.address;

    Job job;
    job.raw = message.buffer ? message.buffer->take() : std::string();
    job.limits = config.limits;
    job.arrival.via = "smtp";
    job.arrival.rua = rua;
    job.arrival.queue_id = message.queue_id;
    for (const auto& recipient : message.rua) {
        job.ruas.push_back(recipient.entry);
    }
    job.quarantine_bad = config.on_bad_report == OnBadReport::quarantine;
    job.privacy = config.failure_privacy;
    job.authenticity.trusted_ids = config.trusted_authserv_ids;
    job.authenticity.own_host = conn.own_host;
    job.require_authentic = config.require_authentic_reports;
    if (!message.memory) {
        message.memory = std::make_shared<MemoryReservation>(m_memory, config.max_in_flight_bytes);
    }
    job.memory = message.memory; // decompressed bytes are charged to it too

    const auto start = std::chrono::steady_clock::now();
    const auto result = process_with_deadline(
        *m_backend, std::move(job),
        std::chrono::duration_cast<std::chrono::milliseconds>(config.eom_deadline),
        [this, ctx] { m_api.progress(ctx); });
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    m_metrics.eom_duration(std::chrono::duration_cast<std::chrono::microseconds>(elapsed));
    const std::string_view first_kind =
        result.ingest.reports.empty() ? std::string_view() : result.ingest.reports.front()->kind();
    // over_budget counts its own answer; every other verdict is counted here.
    if (result.verdict != Verdict::try_later || !message.memory->exhausted()) {
        m_metrics.message(first_kind, result.verdict);
    }

    const auto items = result.items();
    switch (result.verdict) {
    case Verdict::rejected: {
        log_info("{}: rejected rua={} items={} ms={} reason={}", qid, log_value(rua), items, ms,
                 log_quoted(result.reason));
        m_api.set_reply(ctx, "550", result.foreign_domain ? "5.7.1" : "5.6.0",
                        reply_text(result.reason.empty() ? "no usable report" : result.reason));
        return SMFIS_REJECT;
    }
    case Verdict::try_later: {
        if (message.memory->exhausted()) {
            return over_budget(ctx, conn, "decompressing");
        }
        log_warning("{}: tempfail rua={} ms={} reason={}", qid, log_value(rua), ms,
                    log_quoted(result.reason));
        m_metrics.tempfail(tempfail_reason(result.reason_code));
        // The reason (a libpq error, a socket path) is for our log, not for a
        // remote MTA: the reply text is always the same.
        m_api.set_reply(ctx, "451", "4.3.0", "cannot store the report now, try again later");
        return SMFIS_TEMPFAIL;
    }
    case Verdict::stored:
    case Verdict::duplicate:
    case Verdict::quarantined:
        break;
    }

    // The first report's authenticity (each report of a message is judged
    // by the same fields; they differ only when their reporters do).
    const std::string auth = result.ingest.reports.empty()
                                 ? std::string("-")
                                 : to_string(result.ingest.reports.front()->authenticity);
    std::string header;
    if (result.verdict == Verdict::quarantined) {
        log_info("{}: quarantined rua={} items={} ms={} auth={} quarantine={} reason={}", qid,
                 log_value(rua), items, ms, auth, result.quarantine_id, log_quoted(result.reason));
        header = fmt::format("quarantined: {}", result.reason);
    } else {
        const bool stored = result.verdict == Verdict::stored;
        const auto& reports = result.ingest.reports;
        // The documented line, for the first report; reports=N is appended
        // only for several. Sender-chosen text is made printable.
        const Report* first = reports.empty() ? nullptr : reports.front().get();
        const std::string kind = first != nullptr ? std::string(first->kind()) : "-";
        const std::string org =
            first != nullptr && !first->reporter().empty() ? first->reporter() : "-";
        const std::string id = first != nullptr ? first->identifier() : "-";
        std::string several =
            reports.size() > 1 ? fmt::format(" reports={}", reports.size()) : std::string();
        // Same key, other content: kept in report_conflict, counted apart.
        const std::size_t conflicts = result.outcome.conflicts();
        several += conflicts > 0 ? fmt::format(" conflicts={}", conflicts) : std::string();
        // A part that failed beside the stored reports (kept in the quarantine).
        several += result.bad_parts.empty()
                       ? std::string()
                       : fmt::format(" bad_parts={} bad_part={}", result.bad_parts.size(),
                                     log_quoted(result.bad_parts.front()));
        log_info("{}: {} rua={} kind={} org={} id={} {} ms={} auth={}{}", qid,
                 stored ? "stored" : (conflicts > 0 ? "conflict" : "duplicate"), log_value(rua),
                 kind, log_value(org), log_value(id),
                 // The key is always the plural ("records=1"), as documented.
                 fmt::format("{}={}", plural_noun(common_noun(result.ingest), 2), items), ms, auth,
                 several);
        header = stored ? fmt::format("stored {}, {}", plural(result.outcome.stored(), "report"),
                                      fmt::format("{} {}", result.outcome.items_stored,
                                                  plural_noun(common_noun(result.ingest),
                                                              result.outcome.items_stored)))
                        : fmt::format("duplicate {}", plural(reports.size(), "report"));
    }

    if (config.after_ingest == AfterIngest::deliver) {
        // With SMFIP_HDR_LEADSPC the MTA writes the value right after the
        // colon, so the space that separates them is ours to send.
        m_api.add_header(ctx, "X-Rua-Milter",
                         (conn.leading_space ? " " : "") + printable(header, false));
        return SMFIS_ACCEPT;
    }
    for (const auto& recipient : message.rua) {
        if (!m_api.delete_recipient(ctx, recipient.as_given)) {
            log_warning("{}: cannot remove recipient {}", qid, recipient.entry.address);
        }
    }
    return message.others == 0 ? SMFIS_DISCARD : SMFIS_ACCEPT;
}

} // namespace rua::milter
