// CancelToken: the flag and the hook the store attaches while a statement
// runs. The hook runs under the token's mutex so detach() cannot return while
// it is still using the connection. Must never throw out of cancel().
#include <rua/cancel.hpp>

#include <utility>

namespace rua {

void CancelToken::cancel() noexcept {
    m_cancelled.store(true, std::memory_order_release);
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (m_hook && !m_hook_called) {
        m_hook_called = true;
        try {
            m_hook();
        } catch (...) {
            // The statement then runs to its end or its statement_timeout;
            // the store still sees cancelled() and rolls back.
        }
    }
}

bool CancelToken::attach(std::function<void()> hook) {
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (cancelled()) {
        return false;
    }
    m_hook = std::move(hook);
    m_hook_called = false;
    return true;
}

bool CancelToken::detach() noexcept {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_hook = nullptr;
    return std::exchange(m_hook_called, false);
}

} // namespace rua
