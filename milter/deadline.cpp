// process_with_deadline: one detached worker per message, a promise for the
// verdict, and a wait in slices so the MTA hears from us (smfi_progress)
// before its own content timeout. The worker shares ownership of the
// backend and of its job, so nothing it touches can be freed under it.
#include "deadline.hpp"

#include <algorithm>
#include <future>
#include <thread>

namespace rua::milter {

namespace {

constexpr std::chrono::milliseconds k_heartbeat{5000};

struct Shared {
    explicit Shared(Job j) : job(std::move(j)) {}
    Job job;
    std::promise<ProcessResult> promise;
};

} // namespace

ProcessResult process_with_deadline(const std::shared_ptr<Backend>& backend, Job job,
                                    std::chrono::milliseconds deadline,
                                    const std::function<void()>& heartbeat) {
    auto shared = std::make_shared<Shared>(std::move(job));
    auto future = shared->promise.get_future();
    std::thread([backend, shared]() noexcept {
        try {
            ProcessOptions options;
            options.quarantine_bad = shared->job.quarantine_bad;
            options.ruas = shared->job.ruas;
            options.privacy = shared->job.privacy;
            shared->promise.set_value(backend->process(shared->job.raw, shared->job.limits,
                                                       shared->job.arrival, options));
        } catch (...) {
            try {
                shared->promise.set_exception(std::current_exception());
            } catch (...) {
                // The promise is already satisfied: nothing left to report.
            }
        }
    }).detach();

    const auto end = std::chrono::steady_clock::now() + deadline;
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= end) {
            if (future.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
                break;
            }
            ProcessResult late;
            late.verdict = Verdict::try_later;
            late.reason = "end-of-message deadline exceeded";
            return late;
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
