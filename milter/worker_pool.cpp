// WorkerPool: threads started once, a deque under one mutex, and a
// deadline check when a task is taken off the queue. Shutdown drops what is
// queued, cancels what runs (the store aborts its statement) and joins.
// Must never call a task's function while holding the mutex.
#include "worker_pool.hpp"

#include <algorithm>

namespace rua::milter {

WorkerPool::WorkerPool(std::size_t threads, std::size_t max_queued)
    : m_max_queued(std::max<std::size_t>(max_queued, 1)) {
    const std::size_t count = std::max<std::size_t>(threads, 1);
    m_threads.reserve(count);
    try {
        for (std::size_t i = 0; i < count; ++i) {
            m_threads.emplace_back([this] { work(); });
        }
    } catch (...) {
        shutdown();
        throw;
    }
}

WorkerPool::~WorkerPool() {
    shutdown();
}

bool WorkerPool::submit(Task task) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_stop || m_queue.size() >= m_max_queued) {
            return false;
        }
        m_queue.push_back(std::move(task));
    }
    m_wake.notify_one();
    return true;
}

void WorkerPool::shutdown() noexcept {
    std::deque<Task> queued;
    std::vector<std::shared_ptr<CancelToken>> running;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
        queued.swap(m_queue);
        m_dropped += queued.size();
        running = m_running;
    }
    m_wake.notify_all();
    // Outside the lock: a cancel reaches the database server.
    for (const auto& token : running) {
        if (token) {
            token->cancel();
        }
    }
    for (auto& task : queued) {
        if (task.dropped) {
            task.dropped();
        }
    }
    for (auto& thread : m_threads) {
        if (thread.joinable()) {
            thread.join();
        }
    }
}

std::size_t WorkerPool::running() const noexcept {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_running.size();
}

std::size_t WorkerPool::peak_running() const noexcept {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_peak;
}

std::size_t WorkerPool::dropped() const noexcept {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_dropped;
}

void WorkerPool::work() noexcept {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty()) {
            return; // stopping, nothing left
        }
        Task task = std::move(m_queue.front());
        m_queue.pop_front();
        const bool late = Clock::now() >= task.deadline;
        const bool cancelled = task.cancel && task.cancel->cancelled();
        if (late || cancelled) {
            ++m_dropped;
            lock.unlock();
            if (task.dropped) {
                task.dropped();
            }
            lock.lock();
            continue;
        }
        m_running.push_back(task.cancel);
        m_peak = std::max(m_peak, m_running.size());
        lock.unlock();
        task.run();
        lock.lock();
        m_running.erase(std::find(m_running.begin(), m_running.end(), task.cancel));
    }
}

} // namespace rua::milter
