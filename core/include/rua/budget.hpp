// A memory budget shared by every message in flight (the milter's
// MaxInFlightBytes): messages reserve their buffered bytes and the core
// charges decompressed output to the same reservation, so many large
// reports at once get "try later" instead of an out-of-memory kill. Must
// never block and never allocate while charging.
#pragma once

#include <rua/errors.hpp>

#include <atomic>
#include <cstddef>

namespace rua {

// Over the budget: nothing is wrong with the message, there is just too
// much in memory right now. A TryLater, so the sender retries.
class MemoryExhausted : public TryLater {
public:
    using TryLater::TryLater;
};

// The process-wide count of reserved bytes. Thread-safe, lock-free. The
// limit is not stored here but given by each reservation, so a reload can
// change it for new messages without touching messages in flight.
class MemoryBudget {
public:
    MemoryBudget() = default;
    MemoryBudget(const MemoryBudget&) = delete;
    MemoryBudget& operator=(const MemoryBudget&) = delete;

    // Adds `bytes` when the total stays at or below `limit`; false (and
    // nothing added) otherwise.
    bool try_take(std::size_t bytes, std::size_t limit) noexcept;
    void give_back(std::size_t bytes) noexcept;
    std::size_t in_use() const noexcept { return m_in_use.load(std::memory_order_relaxed); }

private:
    std::atomic<std::size_t> m_in_use{0};
};

// One message's share of a MemoryBudget, given back whole when it is
// destroyed (end of message, abort, close, or the worker dropping its
// copy). Thread-safe: the callback thread and the end-of-message worker
// may both hold it.
class MemoryReservation {
public:
    MemoryReservation(MemoryBudget& budget, std::size_t limit) noexcept
        : m_budget(budget), m_limit(limit) {}
    ~MemoryReservation() { release(); }
    MemoryReservation(const MemoryReservation&) = delete;
    MemoryReservation& operator=(const MemoryReservation&) = delete;

    // Reserves `bytes` more; false when the budget would be exceeded
    // (nothing reserved, and exhausted() is true from then on).
    bool try_reserve(std::size_t bytes) noexcept;
    // try_reserve, throwing MemoryExhausted "memory budget of N bytes for
    // messages in flight exhausted" when it fails.
    void charge(std::size_t bytes);
    // Gives everything back (also done by the destructor).
    void release() noexcept;

    std::size_t bytes() const noexcept { return m_bytes.load(std::memory_order_relaxed); }
    std::size_t limit() const noexcept { return m_limit; }
    bool exhausted() const noexcept { return m_exhausted.load(std::memory_order_relaxed); }

private:
    MemoryBudget& m_budget;
    const std::size_t m_limit;
    std::atomic<std::size_t> m_bytes{0};
    std::atomic<bool> m_exhausted{false};
};

} // namespace rua
