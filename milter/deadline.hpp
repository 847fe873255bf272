// Runs process_message on a worker thread and waits at most EomDeadline for
// it, telling the MTA we are alive meanwhile. Past the deadline the caller
// gets a try_later verdict (451); the worker may still finish, which is
// safe because a retried message is then a duplicate. It must never let the
// worker outlive the data it reads: the worker owns copies of everything.
#pragma once

#include "backend.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rua::milter {

struct Job {
    std::string raw;
    Limits limits;
    Arrival arrival;
    std::vector<RuaEntry> ruas; // every rua recipient of the message
    bool quarantine_bad = true;
    Privacy privacy = Privacy::redacted;
};

// Rethrows whatever the backend threw. `heartbeat` is called about every
// few seconds while waiting (smfi_progress).
ProcessResult process_with_deadline(const std::shared_ptr<Backend>& backend, Job job,
                                    std::chrono::milliseconds deadline,
                                    const std::function<void()>& heartbeat);

} // namespace rua::milter
