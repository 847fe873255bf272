// The import's progress bar on standard error (only when it is a terminal)
// and the diagnostics printed while it runs, so that a line never lands in
// the middle of the bar. Thread-safe; never writes to standard output.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace ruactl {

class Progress {
public:
    // Draws only when `enabled` (the caller checks isatty(2)).
    Progress(std::size_t total, bool enabled);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void advance();                    // one input done
    void say(const std::string& line); // "ruactl: " + line on stderr
    void finish();                     // clears the bar

private:
    void draw(bool force);

    std::mutex m_mutex;
    std::size_t m_total;
    std::size_t m_done = 0;
    bool m_enabled;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_last_draw{};
};

} // namespace ruactl
