// The seam between the filter and the database: the registry snapshot used
// at RCPT time and process_message at end of message. Tests substitute a
// fake. Implementations must be safe to call from many threads at once and
// must never do I/O in registry(); they own the worker pool that runs
// process() at end of message and join it before they go.
#pragma once

#include <rua/limits.hpp>
#include <rua/process.hpp>
#include <rua/registry.hpp>
#include <rua/store.hpp>

#include <memory>
#include <string_view>

namespace rua::milter {

class WorkerPool;

class Backend {
public:
    virtual ~Backend() = default;

    // The current snapshot; nullptr when it could never be loaded.
    virtual std::shared_ptr<const Registry> registry() const = 0;

    // rua::process_message on the backend's store. Same contract: never
    // throws for bad input or a database outage.
    virtual ProcessResult process(std::string_view raw, const Limits& limits,
                                  const Arrival& arrival, const ProcessOptions& options) = 0;

    // The bounded pool process() runs on (deadline.hpp).
    virtual WorkerPool& workers() = 0;
};

} // namespace rua::milter
