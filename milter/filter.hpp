// The milter's behaviour, one method per libmilter callback, written
// against the MilterApi and Backend seams so tests can drive it without an
// MTA. Every method is noexcept and goes through one guard that turns an
// exception into SMFIS_TEMPFAIL. It must never buffer the body of a message
// that has no rua recipient, and never hold SQL, XML or MIME code.
#pragma once

#include "backend.hpp"
#include "config_store.hpp"
#include "metrics.hpp"
#include "milter_api.hpp"

#include <rua/budget.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string_view>

namespace rua::milter {

class Filter {
public:
    Filter(MilterApi& api, std::shared_ptr<Backend> backend, const ConfigStore& config)
        : m_api(api), m_backend(std::move(backend)), m_config(config) {}

    // `leading_space`: the MTA agreed to SMFIP_HDR_LEADSPC.
    sfsistat negotiated(SMFICTX* ctx, bool leading_space) noexcept;
    sfsistat connect(SMFICTX* ctx) noexcept;
    sfsistat envfrom(SMFICTX* ctx) noexcept;
    sfsistat envrcpt(SMFICTX* ctx, std::string_view recipient) noexcept;
    sfsistat data(SMFICTX* ctx) noexcept;
    sfsistat header(SMFICTX* ctx, std::string_view name, std::string_view value) noexcept;
    sfsistat eoh(SMFICTX* ctx) noexcept;
    sfsistat body(SMFICTX* ctx, std::string_view chunk) noexcept;
    sfsistat eom(SMFICTX* ctx) noexcept;
    sfsistat abort(SMFICTX* ctx) noexcept;
    sfsistat close(SMFICTX* ctx) noexcept;

    // Connections currently open (for tests and the shutdown log).
    std::size_t open_connections() const noexcept;
    // Bytes of MaxInFlightBytes held by messages now (for tests and logs).
    std::size_t memory_in_use() const noexcept { return m_memory.in_use(); }
    // Waits until no end of message is being worked on, at most `limit`;
    // true when idle. For shutdown: messages in flight get their answer.
    bool wait_idle(std::chrono::milliseconds limit) noexcept;
    // The counters bumped by the callbacks (MetricsSocket serves them).
    Metrics& metrics() noexcept { return m_metrics; }

    struct Connection; // defined in filter.cpp

private:
    Connection& connection(SMFICTX* ctx);
    sfsistat finish_message(SMFICTX* ctx, Connection& conn);
    sfsistat too_big(SMFICTX* ctx, Connection& conn);
    sfsistat charge_buffer(SMFICTX* ctx, Connection& conn);
    sfsistat over_budget(SMFICTX* ctx, Connection& conn, const char* where);

    MilterApi& m_api;
    std::shared_ptr<Backend> m_backend;
    const ConfigStore& m_config;
    MemoryBudget m_memory; // MaxInFlightBytes, shared by every message
    Metrics m_metrics;
    std::mutex m_busy_mutex;
    std::condition_variable m_idle;
    std::size_t m_busy = 0; // ends of message being worked on; guarded by m_busy_mutex
};

// Makes `text` safe as the text of an SMTP reply set with smfi_setreply:
// printable ASCII only, '%' doubled, at most 200 characters.
std::string reply_text(std::string_view text);

} // namespace rua::milter
