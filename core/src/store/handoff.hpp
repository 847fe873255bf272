// One background thread to which a streamed report's batches are handed, so
// that their COPY to the server overlaps the parsing of the next batch.
// At most one task is in hand: memory stays one batch ahead of the parser.
// A task's exception is kept and thrown to the caller at its next call.
// Never detached: the destructor waits for the task in hand and joins.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace rua::detail {

class Handoff {
public:
    Handoff() = default;
    ~Handoff();
    Handoff(const Handoff&) = delete;
    Handoff& operator=(const Handoff&) = delete;
    Handoff(Handoff&&) = delete;
    Handoff& operator=(Handoff&&) = delete;

    // Waits for the task in hand, throws what it threw (the task is then
    // not taken), else hands `task` to the thread (started at first use).
    void post(std::function<void()> task);
    // Waits for the task in hand; throws what it threw, once.
    void wait();
    // The same without throwing: false when a task failed since the last
    // wait() (its exception is dropped).
    bool drain() noexcept;

private:
    void run();
    // Waits (lock held) until no task is handed over or running.
    void idle(std::unique_lock<std::mutex>& lock);

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::function<void()> m_task; // handed over, not yet taken
    bool m_busy = false;          // taken and running
    bool m_stop = false;
    std::exception_ptr m_error;
    std::thread m_thread; // last: started after the members it uses
};

} // namespace rua::detail
