// Signals of the running daemon, taken by the main thread with sigwait():
// SIGUSR1 reads the config file again and swaps it into the ConfigStore (a
// bad file is logged and the running config kept); SIGTERM, SIGINT and
// SIGHUP stop. libmilter's own signal thread waits for the same three stop
// signals; on Linux a signal sent to the process goes to the main thread
// while it waits, and either way the outcome is the same: a clean stop.
// These signals must be blocked in every thread (block_daemon_signals()
// first) or their default action would kill us.
#pragma once

#include "config_store.hpp"

#include <atomic>
#include <string>

namespace rua::milter {

// Blocks SIGUSR1 and the stop signals (SIGHUP, SIGTERM, SIGINT) in the
// calling thread, so that threads started later inherit the mask; ignores
// SIGPIPE. Call before any thread exists. Throws std::system_error.
void block_daemon_signals();

// Reads the file and swaps it in; returns false (and logs) when bad.
bool reload_config(const std::string& path, ConfigStore& store) noexcept;

// Waits for signals in the calling thread, reloading on SIGUSR1, until a
// stop signal (returned) or until `ended` is true after a SIGUSR1 sent by
// wake_stop_waiter() (returns 0: libmilter stopped on its own).
int wait_for_stop(const std::string& path, ConfigStore& store,
                  const std::atomic<bool>& ended) noexcept;

// Wakes the thread in wait_for_stop (whose pthread_self() is `waiter`).
void wake_stop_waiter(unsigned long waiter) noexcept;

// "SIGHUP" for SIGHUP, and so on.
const char* signal_name(int signal_number) noexcept;

} // namespace rua::milter
