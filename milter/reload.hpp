// SIGUSR1 handling: a thread that sigwait()s for SIGUSR1, reads the config
// file again and swaps it into the ConfigStore. A bad file is logged and the
// running config kept. SIGUSR1 must be blocked in every thread (call
// block_daemon_signals() first) or the default action would kill us.
#pragma once

#include "config_store.hpp"

#include <atomic>
#include <string>
#include <thread>

namespace rua::milter {

// Blocks SIGUSR1 and the signals libmilter's own thread waits for
// (SIGHUP, SIGTERM, SIGINT) in the calling thread, so that threads started
// later inherit the mask; ignores SIGPIPE. Call before any thread exists.
void block_daemon_signals();

class ReloadThread {
public:
    ReloadThread(std::string path, ConfigStore& store);
    ~ReloadThread(); // stops and joins
    ReloadThread(const ReloadThread&) = delete;
    ReloadThread& operator=(const ReloadThread&) = delete;

    // Reads the file and swaps it in; returns false (and logs) when bad.
    static bool reload(const std::string& path, ConfigStore& store) noexcept;

private:
    void run() noexcept;

    std::string m_path;
    ConfigStore& m_store;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace rua::milter
