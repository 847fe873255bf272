// The end-of-message worker pool: a fixed number of threads however many
// tasks wait, a bounded queue, late tasks dropped unrun, and a shutdown
// that drops, cancels and joins.
#include "worker_pool.hpp"

#include <doctest/doctest.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

using namespace rua;
using namespace rua::milter;

namespace {

// The "Threads:" line of /proc/self/status.
int process_threads() {
    std::ifstream status("/proc/self/status");
    std::string word;
    while (status >> word) {
        if (word == "Threads:") {
            int n = 0;
            status >> n;
            return n;
        }
    }
    return -1;
}

// A joined thread is gone for pthread_join before the kernel has taken it
// off the process's count (the join wakes when the thread releases its
// memory, the count drops when it is reaped a moment later), so a count is
// read until it settles: until it shows `expected`, or, with no expected
// value, until ten reads 20 ms apart (200 ms) agree; two seconds at most.
int settled_threads(int expected = -1) {
    using namespace std::chrono;
    const auto until = steady_clock::now() + seconds(2);
    int n = process_threads();
    int same = 1;
    while (n != expected && same < 10 && steady_clock::now() < until) {
        std::this_thread::sleep_for(milliseconds(20));
        const int again = process_threads();
        same = (expected < 0 && again == n) ? same + 1 : 1;
        n = again;
    }
    return n;
}

// Tasks that block until opened, like a query behind a table lock.
struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    bool open = false;
    int running = 0;
    int ran = 0;
    int dropped = 0;

    WorkerPool::Task task(std::shared_ptr<CancelToken> cancel = nullptr,
                          WorkerPool::Clock::duration within = std::chrono::hours(1)) {
        WorkerPool::Task task;
        task.deadline = WorkerPool::Clock::now() + within;
        task.cancel = std::move(cancel);
        task.run = [this]() noexcept {
            std::unique_lock<std::mutex> lock(mutex);
            ++running;
            changed.notify_all();
            changed.wait(lock, [this] { return open; });
            --running;
            ++ran;
            changed.notify_all();
        };
        task.dropped = [this]() noexcept {
            std::lock_guard<std::mutex> lock(mutex);
            ++dropped;
            changed.notify_all();
        };
        return task;
    }
    void wait_running(int n) {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [this, n] { return running == n; });
    }
    void wait_ran(int n) {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [this, n] { return ran == n; });
    }
    void release() {
        std::lock_guard<std::mutex> lock(mutex);
        open = true;
        changed.notify_all();
    }
};

} // namespace

TEST_CASE("a blocked pool never runs more tasks than its threads, nor starts a thread") {
    const int before = settled_threads();
    REQUIRE(before > 0);
    Gate gate;
    {
        WorkerPool pool(3, 10);
        CHECK(pool.threads() == 3);
        CHECK(settled_threads(before + 3) == before + 3);
        for (int i = 0; i < 3; ++i) {
            REQUIRE(pool.submit(gate.task()));
        }
        gate.wait_running(3);
        for (int i = 0; i < 10; ++i) {
            REQUIRE(pool.submit(gate.task()));
        }
        // Ten wait in the queue; the fourteenth is refused, and no thread
        // was started for any of them.
        CHECK_FALSE(pool.submit(gate.task()));
        CHECK(settled_threads(before + 3) == before + 3);
        CHECK(pool.peak_running() == 3);
        gate.release();
        gate.wait_ran(13); // the queued ones run as threads come free
        CHECK(pool.peak_running() == 3);
    }
    CHECK(gate.ran == 13);
    CHECK(gate.dropped == 0);
    CHECK(settled_threads(before) == before);
}

TEST_CASE("a task whose deadline passed while it was queued is dropped unrun") {
    Gate gate;
    WorkerPool pool(1, 4);
    REQUIRE(pool.submit(gate.task()));
    gate.wait_running(1);
    // Queued behind the blocked one with a deadline that is already over.
    REQUIRE(pool.submit(gate.task(nullptr, std::chrono::seconds(0))));
    gate.release();
    pool.shutdown();
    CHECK(gate.ran == 1);
    CHECK(gate.dropped == 1);
    CHECK(pool.dropped() == 1);
}

TEST_CASE("a task cancelled while queued is dropped unrun") {
    Gate gate;
    WorkerPool pool(1, 4);
    REQUIRE(pool.submit(gate.task()));
    gate.wait_running(1);
    auto cancel = std::make_shared<CancelToken>();
    REQUIRE(pool.submit(gate.task(cancel)));
    cancel->cancel();
    gate.release();
    pool.shutdown();
    CHECK(gate.ran == 1);
    CHECK(gate.dropped == 1);
}

TEST_CASE("shutdown drops queued tasks, cancels running ones and joins every thread") {
    const int before = settled_threads();
    Gate gate;
    auto running_token = std::make_shared<CancelToken>();
    WorkerPool pool(1, 4);
    REQUIRE(pool.submit(gate.task(running_token)));
    gate.wait_running(1);
    REQUIRE(pool.submit(gate.task()));
    REQUIRE(pool.submit(gate.task()));
    // The running task ends when its token is cancelled, as the store's
    // statement does; the gate stands for that statement here.
    running_token->attach([&gate] { gate.release(); });
    pool.shutdown();
    CHECK(running_token->cancelled());
    CHECK(gate.ran == 1);
    CHECK(gate.dropped == 2);
    CHECK(settled_threads(before) == before);
    CHECK_FALSE(pool.submit(gate.task()));
}
