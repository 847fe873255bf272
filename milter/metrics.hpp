// The daemon's Prometheus counters, gauges and end-of-message histogram,
// and their text exposition (format 0.0.4). Lock-free: callbacks bump
// atomics, a scrape reads them. Every label value comes from a fixed set
// known at start-up (the registered report kinds, the verdicts, the
// tempfail reasons); sender-chosen text must never become a label.
#pragma once

#include <rua/process.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rua::milter {

// Why the milter answered 4xx: a small fixed set, one per decision path.
enum class TempfailReason {
    database, // the store could not write now (try_later from process_message)
    deadline, // EomDeadline passed, running or still queued
    overload, // MaxInFlightBytes exhausted or the worker queue full
    registry, // RCPT at a report domain before the rua registry loaded
    internal, // an exception caught by a callback's guard
};
constexpr std::size_t k_tempfail_reasons = 5;

// Values read at scrape time from their owners, not counted here.
struct Gauges {
    std::size_t inflight_bytes = 0; // MaxInFlightBytes in use
    // Since the registry last loaded; none while it never has (shown +Inf).
    std::optional<std::chrono::milliseconds> registry_age;
    std::size_t db_pool_in_use = 0;
};

class Metrics {
public:
    // One histogram bucket: its upper bound in microseconds and as printed.
    struct Bucket {
        std::uint64_t le_us;
        std::string_view le;
    };
    static constexpr std::size_t k_buckets = 14; // plus +Inf
    static const std::array<Bucket, k_buckets>& buckets();

    // `kinds`: the registered report kinds (rua::Admin::kinds()); every
    // other kind, and a message with no report, counts as "unknown".
    explicit Metrics(std::vector<std::string> kinds);
    Metrics(); // the registered kinds
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // A message for a rua address got its final answer. `kind` is its first
    // report's kind ("" when none). Never throws.
    void message(std::string_view kind, Verdict verdict) noexcept;
    void rcpt_rejected() noexcept;
    void tempfail(TempfailReason reason) noexcept;
    void eom_duration(std::chrono::microseconds elapsed) noexcept;

    // Held by a message from DATA to its answer: the in-flight gauge.
    class InFlight {
    public:
        InFlight() = default;
        explicit InFlight(Metrics& metrics) noexcept;
        ~InFlight();
        InFlight(InFlight&& other) noexcept;
        InFlight& operator=(InFlight&& other) noexcept;
        InFlight(const InFlight&) = delete;
        InFlight& operator=(const InFlight&) = delete;

    private:
        Metrics* m_metrics = nullptr;
    };
    InFlight message_started() noexcept { return InFlight(*this); }

    std::uint64_t messages(std::string_view kind, Verdict verdict) const noexcept;
    std::uint64_t inflight_messages() const noexcept { return m_inflight.load(); }

    // The whole exposition. Throws std::bad_alloc only.
    std::string render(const Gauges& gauges, std::string_view version) const;

    static constexpr const char* k_content_type = "text/plain; version=0.0.4; charset=utf-8";

private:
    static constexpr std::size_t k_verdicts = 5;
    std::size_t kind_index(std::string_view kind) const noexcept;

    std::vector<std::string> m_kinds; // the last one is "unknown"
    std::vector<std::array<std::atomic<std::uint64_t>, k_verdicts>> m_messages;
    std::atomic<std::uint64_t> m_rcpt_rejected{0};
    std::array<std::atomic<std::uint64_t>, k_tempfail_reasons> m_tempfail{};
    std::array<std::atomic<std::uint64_t>, k_buckets + 1> m_eom_buckets{}; // not cumulative
    std::atomic<std::uint64_t> m_eom_sum_us{0};
    std::atomic<std::int64_t> m_inflight{0};
};

const char* to_string(TempfailReason reason) noexcept;

} // namespace rua::milter
