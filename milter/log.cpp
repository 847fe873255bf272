// Where log lines go: syslog, stderr in the foreground, a sink in tests.
// Shared by every libmilter thread, so the state is an atomic level plus a
// mutex around the sink. Must never throw into a caller or write a line
// with a control character in it (log injection from sender-controlled text).
#include "log.hpp"

#include <syslog.h>

#include <atomic>
#include <cstdio>
#include <mutex>

namespace rua::milter {

namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
std::atomic<bool> g_to_stderr{false};
std::atomic<bool> g_syslog_open{false};
std::mutex g_sink_mutex;
LogSink g_sink; // guarded by g_sink_mutex

int priority(LogLevel level) {
    switch (level) {
    case LogLevel::error:
        return LOG_ERR;
    case LogLevel::warning:
        return LOG_WARNING;
    case LogLevel::info:
        return LOG_INFO;
    case LogLevel::debug:
        return LOG_DEBUG;
    }
    return LOG_INFO;
}

// Control characters become "\xNN" so one event is one line.
std::string sanitise(std::string_view line) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(line.size());
    for (char c : line) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            out += "\\x";
            out += k_hex[byte >> 4];
            out += k_hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

constexpr std::size_t k_max_value = 256;

std::string escaped(std::string_view text) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (const char c : text.substr(0, k_max_value)) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte == 0x7f) {
            out += "\\x";
            out += k_hex[byte >> 4];
            out += k_hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    if (text.size() > k_max_value) {
        out += "...";
    }
    return out;
}

bool plain(std::string_view text) {
    if (text.empty() || text.size() > k_max_value) {
        return false;
    }
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f || c == '"' || c == '=' || c == '\\') {
            return false;
        }
    }
    return true;
}

} // namespace

std::string log_value(std::string_view text) {
    return plain(text) ? std::string(text) : '"' + escaped(text) + '"';
}

std::string log_quoted(std::string_view text) {
    return '"' + escaped(text) + '"';
}

void log_open(const char* ident, int facility, bool to_stderr) noexcept {
    openlog(ident, LOG_PID | LOG_NDELAY, facility);
    g_syslog_open = true;
    g_to_stderr = to_stderr;
}

void log_close() noexcept {
    if (g_syslog_open.exchange(false)) {
        closelog();
    }
}

void log_set_level(LogLevel level) noexcept {
    g_level = static_cast<int>(level);
}

bool log_enabled(LogLevel level) noexcept {
    return static_cast<int>(level) <= g_level.load();
}

void log_set_sink(LogSink sink) {
    std::lock_guard<std::mutex> lock(g_sink_mutex);
    g_sink = std::move(sink);
}

void log_line(LogLevel level, std::string_view line) noexcept {
    try {
        auto clean = sanitise(line);
        if (clean.size() > k_max_log_line) {
            clean.resize(k_max_log_line - 3);
            clean += "...";
        }
        {
            std::lock_guard<std::mutex> lock(g_sink_mutex);
            if (g_sink) {
                g_sink(level, clean);
                return;
            }
        }
        if (g_syslog_open) {
            syslog(priority(level), "%s", clean.c_str());
        }
        if (g_to_stderr || !g_syslog_open) {
            static_cast<void>(
                std::fprintf(stderr, "rua-milter: %s: %s\n", to_string(level), clean.c_str()));
        }
    } catch (...) {
        // Out of memory while logging: nothing better to do than drop the line.
    }
}

} // namespace rua::milter
