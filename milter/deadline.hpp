// Runs process_message on the backend's worker pool and waits at most
// EomDeadline for it, telling the MTA we are alive meanwhile. Past the
// deadline the caller gets a try_later verdict (451) and the job is
// cancelled (the store aborts its statement; a job still queued is dropped
// unrun). It must never let the job outlive the data it reads: the job owns
// copies of everything, and the pool is joined before the backend goes.
#pragma once

#include "backend.hpp"

#include <rua/budget.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rua::milter {

struct Job {
    std::string raw;
    Limits limits;
    Arrival arrival;
    std::vector<RuaEntry> ruas; // every rua recipient of the message
    bool quarantine_bad = true;
    Privacy privacy = Privacy::redacted;
    AuthenticityPolicy authenticity; // TrustedAuthservIDs and this host's name
    bool require_authentic = false;  // RequireAuthenticReports
    // The message's share of MaxInFlightBytes, kept alive while the job
    // runs (limits.memory points to it). May be null.
    std::shared_ptr<MemoryReservation> memory;
};

// ProcessResult::reason_code of the try_later verdicts made here (the
// store's own is "try_later"): the deadline passed (running or queued), or
// the queue was full.
constexpr std::string_view k_reason_deadline = "deadline";
constexpr std::string_view k_reason_queue_full = "queue_full";

// Rethrows whatever the backend threw. `heartbeat` is called about every
// few seconds while waiting (smfi_progress). A full queue, a job dropped
// unrun and the deadline all give try_later with their own reason.
ProcessResult process_with_deadline(Backend& backend, Job job, std::chrono::milliseconds deadline,
                                    const std::function<void()>& heartbeat);

} // namespace rua::milter
