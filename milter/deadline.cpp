// process_with_deadline: one pool task per message, a promise for the
// verdict, and a wait in slices so the MTA hears from us (smfi_progress)
// before its own content timeout. The task shares ownership of its job and
// promise; the backend outlives it because the backend joins its pool.
#include "deadline.hpp"

#include "worker_pool.hpp"

#include <algorithm>
#include <future>

namespace rua::milter {

namespace {

constexpr std::chrono::milliseconds k_heartbeat{5000};

struct Shared {
    explicit Shared(Job j) : job(std::move(j)) {}
    Job job;
    std::promise<ProcessResult> promise;
};

ProcessResult later(const char* reason, std::string_view code) {
    ProcessResult result;
    result.verdict = Verdict::try_later;
    result.reason = reason;
    result.reason_code = std::string(code);
    return result;
}

} // namespace

ProcessResult process_with_deadline(Backend& backend, Job job, std::chrono::milliseconds deadline,
                                    const std::function<void()>& heartbeat) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    auto shared = std::make_shared<Shared>(std::move(job));
    shared->job.limits.memory = shared->job.memory.get();
    auto cancel = std::make_shared<CancelToken>();
    auto future = shared->promise.get_future();

    WorkerPool::Task task;
    task.deadline = end;
    task.cancel = cancel;
    task.run = [&backend, shared, cancel, end]() noexcept {
        try {
            ProcessOptions options;
            options.quarantine_bad = shared->job.quarantine_bad;
            options.ruas = shared->job.ruas;
            options.privacy = shared->job.privacy;
            options.authenticity = shared->job.authenticity;
            options.require_authentic = shared->job.require_authentic;
            options.deadline = end;
            options.cancel = cancel;
            auto result =
                backend.process(shared->job.raw, shared->job.limits, shared->job.arrival, options);
            // The job's hold on the memory goes before the waiter wakes: from
            // then on the message's own reservation is the only one.
            shared->job.memory.reset();
            shared->promise.set_value(std::move(result));
        } catch (...) {
            shared->job.memory.reset();
            try {
                shared->promise.set_exception(std::current_exception());
            } catch (...) {
                // The promise is already satisfied: nothing left to report.
            }
        }
    };
    task.dropped = [shared]() noexcept {
        shared->job.memory.reset();
        try {
            shared->promise.set_value(
                later("end-of-message deadline passed before the job started", k_reason_deadline));
        } catch (...) {
            // Already satisfied or out of memory: the waiter answers 451 anyway.
        }
    };
    if (!backend.workers().submit(std::move(task))) {
        return later("too many messages waiting for a database worker", k_reason_queue_full);
    }

    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= end) {
            if (future.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
                break;
            }
            cancel->cancel();
            return later("end-of-message deadline exceeded", k_reason_deadline);
        }
        const auto slice = std::min<std::chrono::steady_clock::duration>(end - now, k_heartbeat);
        if (future.wait_for(slice) == std::future_status::ready) {
            break;
        }
        heartbeat();
    }
    return future.get();
}

} // namespace rua::milter
