// Metrics: relaxed atomics bumped from libmilter's threads and read whole
// at scrape time, printed in Prometheus text format 0.0.4. Every series is
// always printed (zeros too), so a scrape's lines are the same set from
// start to stop. Must never take a lock on the message path nor print a
// label value that did not come from the fixed sets here.
#include "metrics.hpp"

#include <rua/admin.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace rua::milter {

namespace {

constexpr std::array<Verdict, 5> k_verdict_order{Verdict::stored, Verdict::duplicate,
                                                 Verdict::quarantined, Verdict::rejected,
                                                 Verdict::try_later};

constexpr std::array<TempfailReason, k_tempfail_reasons> k_reason_order{
    TempfailReason::database, TempfailReason::deadline, TempfailReason::overload,
    TempfailReason::registry, TempfailReason::internal};

constexpr std::string_view k_unknown = "unknown";

std::size_t verdict_index(Verdict verdict) noexcept {
    for (std::size_t i = 0; i < k_verdict_order.size(); ++i) {
        if (k_verdict_order[i] == verdict) {
            return i;
        }
    }
    return k_verdict_order.size() - 1;
}

// A label value as the format wants it: backslash, quote and newline escaped.
std::string label_value(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::uint64_t load(const std::atomic<std::uint64_t>& value) noexcept {
    return value.load(std::memory_order_relaxed);
}

} // namespace

const char* to_string(TempfailReason reason) noexcept {
    switch (reason) {
    case TempfailReason::database:
        return "database";
    case TempfailReason::deadline:
        return "deadline";
    case TempfailReason::overload:
        return "overload";
    case TempfailReason::registry:
        return "registry";
    case TempfailReason::internal:
        return "internal";
    }
    return "internal";
}

const std::array<Metrics::Bucket, Metrics::k_buckets>& Metrics::buckets() {
    static const std::array<Bucket, k_buckets> k_table{{
        {5'000, "0.005"},
        {10'000, "0.01"},
        {25'000, "0.025"},
        {50'000, "0.05"},
        {100'000, "0.1"},
        {250'000, "0.25"},
        {500'000, "0.5"},
        {1'000'000, "1"},
        {2'500'000, "2.5"},
        {5'000'000, "5"},
        {10'000'000, "10"},
        {30'000'000, "30"},
        {60'000'000, "60"},
        {120'000'000, "120"},
    }};
    return k_table;
}

Metrics::Metrics(std::vector<std::string> kinds) : m_kinds(std::move(kinds)) {
    m_kinds.emplace_back(k_unknown);
    m_messages = decltype(m_messages)(m_kinds.size());
}

Metrics::Metrics() : Metrics(Admin::kinds()) {}

std::size_t Metrics::kind_index(std::string_view kind) const noexcept {
    for (std::size_t i = 0; i + 1 < m_kinds.size(); ++i) {
        if (m_kinds[i] == kind) {
            return i;
        }
    }
    return m_kinds.size() - 1;
}

void Metrics::message(std::string_view kind, Verdict verdict) noexcept {
    m_messages[kind_index(kind)][verdict_index(verdict)].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Metrics::messages(std::string_view kind, Verdict verdict) const noexcept {
    return load(m_messages[kind_index(kind)][verdict_index(verdict)]);
}

void Metrics::rcpt_rejected() noexcept {
    m_rcpt_rejected.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::tempfail(TempfailReason reason) noexcept {
    m_tempfail[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::eom_duration(std::chrono::microseconds elapsed) noexcept {
    const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed.count(), 0));
    std::size_t slot = 0;
    while (slot < k_buckets && us > buckets()[slot].le_us) {
        ++slot;
    }
    m_eom_sum_us.fetch_add(us, std::memory_order_relaxed);
    m_eom_buckets[slot].fetch_add(1, std::memory_order_relaxed);
}

Metrics::InFlight::InFlight(Metrics& metrics) noexcept : m_metrics(&metrics) {
    m_metrics->m_inflight.fetch_add(1, std::memory_order_relaxed);
}

Metrics::InFlight::~InFlight() {
    if (m_metrics != nullptr) {
        m_metrics->m_inflight.fetch_sub(1, std::memory_order_relaxed);
    }
}

Metrics::InFlight::InFlight(InFlight&& other) noexcept
    : m_metrics(std::exchange(other.m_metrics, nullptr)) {}

Metrics::InFlight& Metrics::InFlight::operator=(InFlight&& other) noexcept {
    if (this != &other) {
        if (m_metrics != nullptr) {
            m_metrics->m_inflight.fetch_sub(1, std::memory_order_relaxed);
        }
        m_metrics = std::exchange(other.m_metrics, nullptr);
    }
    return *this;
}

std::string Metrics::render(const Gauges& gauges, std::string_view version) const {
    std::string out;
    auto put = std::back_inserter(out);
    header(out, "rua_milter_build_info", "gauge", "The running rua-milter's version (always 1).");
    fmt::format_to(put, "rua_milter_build_info{{version=\"{}\"}} 1\n", label_value(version));

    header(out, "rua_milter_messages_total", "counter",
           "Messages for a rua address answered, by the kind of their first report (unknown: "
           "none, or answered before the body was read, as a 451 while buffering) and the "
           "verdict.");
    for (std::size_t k = 0; k < m_kinds.size(); ++k) {
        for (std::size_t v = 0; v < k_verdicts; ++v) {
            fmt::format_to(put, "rua_milter_messages_total{{kind=\"{}\",verdict=\"{}\"}} {}\n",
                           label_value(m_kinds[k]), rua::to_string(k_verdict_order[v]),
                           load(m_messages[k][v]));
        }
    }

    header(out, "rua_milter_rcpt_rejected_total", "counter",
           "RCPTs at a report domain refused because the address is not a registered rua.");
    fmt::format_to(put, "rua_milter_rcpt_rejected_total {}\n", load(m_rcpt_rejected));

    header(out, "rua_milter_tempfail_total", "counter",
           "4xx answers (RCPT or message), by reason.");
    for (auto reason : k_reason_order) {
        fmt::format_to(put, "rua_milter_tempfail_total{{reason=\"{}\"}} {}\n", to_string(reason),
                       load(m_tempfail[static_cast<std::size_t>(reason)]));
    }

    header(out, "rua_milter_eom_seconds", "histogram",
           "Time from end of message to the verdict, for messages to a rua address.");
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < k_buckets; ++b) {
        cumulative += load(m_eom_buckets[b]);
        fmt::format_to(put, "rua_milter_eom_seconds_bucket{{le=\"{}\"}} {}\n", buckets()[b].le,
                       cumulative);
    }
    cumulative += load(m_eom_buckets[k_buckets]);
    const auto sum = load(m_eom_sum_us);
    fmt::format_to(put, "rua_milter_eom_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
    fmt::format_to(put, "rua_milter_eom_seconds_sum {}.{:06}\n", sum / 1'000'000, sum % 1'000'000);
    fmt::format_to(put, "rua_milter_eom_seconds_count {}\n", cumulative);

    header(out, "rua_milter_inflight_messages", "gauge",
           "Messages for a rua address between DATA and their answer.");
    fmt::format_to(put, "rua_milter_inflight_messages {}\n",
                   std::max<std::int64_t>(m_inflight.load(std::memory_order_relaxed), 0));
    header(out, "rua_milter_inflight_bytes", "gauge",
           "Bytes of MaxInFlightBytes held by messages now (buffered and decompressed).");
    fmt::format_to(put, "rua_milter_inflight_bytes {}\n", gauges.inflight_bytes);
    header(out, "rua_milter_registry_age_seconds", "gauge",
           "Seconds since the rua registry last loaded (+Inf: never loaded).");
    if (gauges.registry_age) {
        const auto ms = std::max<std::int64_t>(gauges.registry_age->count(), 0);
        fmt::format_to(put, "rua_milter_registry_age_seconds {}.{:03}\n", ms / 1000, ms % 1000);
    } else {
        out += "rua_milter_registry_age_seconds +Inf\n";
    }
    header(out, "rua_milter_db_pool_in_use", "gauge",
           "Database connections lent out by the pool now.");
    fmt::format_to(put, "rua_milter_db_pool_in_use {}\n", gauges.db_pool_in_use);
    return out;
}

} // namespace rua::milter
