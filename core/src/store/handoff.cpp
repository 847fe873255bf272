// The background thread of a streamed report's batches (handoff.hpp). The
// caller's thread and this one never run the same connection at once: the
// caller waits (wait(), drain()) before it uses the connection itself.
#include "handoff.hpp"

#include <utility>

namespace rua::detail {

Handoff::~Handoff() {
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        idle(lock);
        m_stop = true;
    }
    m_changed.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void Handoff::idle(std::unique_lock<std::mutex>& lock) {
    m_changed.wait(lock, [this] { return !m_task && !m_busy; });
}

void Handoff::post(std::function<void()> task) {
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        idle(lock);
        if (m_error) {
            std::rethrow_exception(std::exchange(m_error, nullptr));
        }
        m_task = std::move(task);
        if (!m_thread.joinable()) {
            m_thread = std::thread([this] { run(); });
        }
    }
    m_changed.notify_all();
}

void Handoff::wait() {
    std::unique_lock<std::mutex> lock(m_mutex);
    idle(lock);
    if (m_error) {
        std::rethrow_exception(std::exchange(m_error, nullptr));
    }
}

bool Handoff::drain() noexcept {
    std::unique_lock<std::mutex> lock(m_mutex);
    idle(lock);
    return !std::exchange(m_error, nullptr);
}

void Handoff::run() {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_changed.wait(lock, [this] { return m_task || m_stop; });
        if (!m_task) {
            return; // stopped with nothing in hand
        }
        std::function<void()> task = std::move(m_task);
        m_task = nullptr;
        m_busy = true;
        lock.unlock();
        std::exception_ptr error;
        try {
            task();
        } catch (...) {
            error = std::current_exception();
        }
        task = nullptr; // its captures go before the caller is told
        lock.lock();
        m_error = error;
        m_busy = false;
        m_changed.notify_all();
    }
}

} // namespace rua::detail
