// MemoryBudget and MemoryReservation: an atomic counter with a compare-
// and-swap that refuses to pass the limit. Must never block, never lose a
// byte (every take is matched by one give back) and never throw from
// release().
#include <rua/budget.hpp>

#include <fmt/format.h>

namespace rua {

bool MemoryBudget::try_take(std::size_t bytes, std::size_t limit) noexcept {
    std::size_t current = m_in_use.load(std::memory_order_relaxed);
    do {
        if (bytes > limit || current > limit - bytes) {
            return false;
        }
    } while (!m_in_use.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
    return true;
}

void MemoryBudget::give_back(std::size_t bytes) noexcept {
    m_in_use.fetch_sub(bytes, std::memory_order_relaxed);
}

bool MemoryReservation::try_reserve(std::size_t bytes) noexcept {
    if (!m_budget.try_take(bytes, m_limit)) {
        m_exhausted.store(true, std::memory_order_relaxed);
        return false;
    }
    m_bytes.fetch_add(bytes, std::memory_order_relaxed);
    return true;
}

void MemoryReservation::charge(std::size_t bytes) {
    if (!try_reserve(bytes)) {
        throw MemoryExhausted(
            fmt::format("memory budget of {} bytes for messages in flight exhausted", m_limit));
    }
}

void MemoryReservation::release() noexcept {
    m_budget.give_back(m_bytes.exchange(0, std::memory_order_relaxed));
}

} // namespace rua
