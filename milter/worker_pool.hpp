// A fixed set of joinable worker threads and a bounded queue for the
// end-of-message work (process_message), owned by the backend. However
// slow the database, the number of threads never grows: extra messages
// wait in the queue or are refused. Must never detach a thread nor run a
// job whose deadline passed while it was queued.
#pragma once

#include <rua/cancel.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rua::milter {

class WorkerPool {
public:
    using Clock = std::chrono::steady_clock;

    struct Task {
        Clock::time_point deadline;          // not started by then: dropped
        std::shared_ptr<CancelToken> cancel; // cancelled at shutdown while running
        std::function<void()> run;           // must not throw
        std::function<void()> dropped;       // instead of run; must not throw
    };

    // Starts `threads` workers (at least 1) now; at most `max_queued` tasks
    // wait (at least 1). Throws std::system_error when a thread cannot start.
    WorkerPool(std::size_t threads, std::size_t max_queued);
    ~WorkerPool(); // shutdown()
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Queues `task`; false when the queue is full or the pool is shutting
    // down (the task is then neither run nor dropped). Never throws but
    // std::bad_alloc.
    bool submit(Task task);

    // Stops taking tasks, drops the queued ones (their `dropped` runs),
    // cancels the running ones and joins every thread. Idempotent.
    void shutdown() noexcept;

    std::size_t threads() const noexcept { return m_threads.size(); }
    // Tasks running now (each holds a database connection: the metrics).
    std::size_t running() const noexcept;
    // The most tasks ever running at once (for tests).
    std::size_t peak_running() const noexcept;
    // Tasks dropped unrun: deadline passed or cancelled while queued, or
    // still queued at shutdown (for tests).
    std::size_t dropped() const noexcept;

private:
    void work() noexcept;

    const std::size_t m_max_queued;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Task> m_queue;                            // guarded by m_mutex
    std::vector<std::shared_ptr<CancelToken>> m_running; // guarded by m_mutex
    std::size_t m_peak = 0;                              // guarded by m_mutex
    std::size_t m_dropped = 0;                           // guarded by m_mutex
    bool m_stop = false;                                 // guarded by m_mutex
    std::vector<std::thread> m_threads;
};

} // namespace rua::milter
