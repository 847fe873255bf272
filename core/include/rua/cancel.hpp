// A cancel token: one job's "stop now", shared between the thread that waits
// for the job (the milter's end-of-message) and the worker running it. While
// the store runs a statement for the job the token holds that connection's
// cancel hook, so cancel() aborts the running statement. Must never own a
// connection nor call a hook after it was detached.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>

namespace rua {

class CancelToken {
public:
    CancelToken() = default;
    CancelToken(const CancelToken&) = delete;
    CancelToken& operator=(const CancelToken&) = delete;
    CancelToken(CancelToken&&) = delete;
    CancelToken& operator=(CancelToken&&) = delete;
    ~CancelToken() = default;

    // Marks the job cancelled and runs the attached hook, if any, once.
    // Safe from any thread, any number of times. Never throws.
    void cancel() noexcept;

    bool cancelled() const noexcept { return m_cancelled.load(std::memory_order_acquire); }

    // For the store: while attached, cancel() calls `hook` (which must be
    // safe to call from another thread and may throw: errors are ignored).
    // Returns false, keeping nothing, when the token is already cancelled.
    // One hook at a time; attaching replaces the previous one.
    bool attach(std::function<void()> hook);

    // Forgets the hook; waits for a cancel() running it to return, so the
    // hook's connection may be reused or closed afterwards. Returns true when
    // the hook was called (the connection may still receive the cancel).
    bool detach() noexcept;

private:
    std::atomic<bool> m_cancelled{false};
    std::mutex m_mutex;
    std::function<void()> m_hook; // guarded by m_mutex
    bool m_hook_called = false;   // guarded by m_mutex
};

} // namespace rua
