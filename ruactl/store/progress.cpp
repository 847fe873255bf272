// A one-line progress bar redrawn in place at most ten times a second, and
// diagnostics that clear it first. Writes only to standard error.
#include "progress.hpp"

#include "output.hpp"

namespace ruactl {

namespace {

constexpr std::size_t k_bar_width = 40;
constexpr auto k_redraw_interval = std::chrono::milliseconds(100);

} // namespace

Progress::Progress(std::size_t total, bool enabled) : m_total(total), m_enabled(enabled) {}

Progress::~Progress() {
    finish();
}

void Progress::advance() {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_done;
    draw(m_done == m_total);
}

void Progress::say(const std::string& line) {
    std::lock_guard<std::mutex> lock(m_mutex);
    write_stderr((m_drawn ? "\r\033[K" : "") + std::string("ruactl: ") + line + "\n");
    m_drawn = false;
    draw(true);
}

void Progress::finish() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_drawn) {
        write_stderr("\r\033[K");
        m_drawn = false;
    }
    m_enabled = false;
}

void Progress::draw(bool force) {
    if (!m_enabled || m_total == 0) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!force && m_drawn && now - m_last_draw < k_redraw_interval) {
        return;
    }
    m_last_draw = now;
    const auto filled = m_done * k_bar_width / m_total;
    write_stderr("\r[" + std::string(filled, '#') + std::string(k_bar_width - filled, '.') + "] " +
                 std::to_string(m_done) + "/" + std::to_string(m_total) + " inputs");
    m_drawn = true;
}

} // namespace ruactl
