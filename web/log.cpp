// Where rua-web's log lines go: syslog, and stderr in the foreground. Shared
// by every request thread: the level and flags are atomics, syslog(3) is
// thread-safe. Must never throw into a caller or write a control character.
#include "log.hpp"

#include <syslog.h>

#include <atomic>
#include <cstdio>

namespace rua::web {

namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
std::atomic<bool> g_to_stderr{true};
std::atomic<bool> g_syslog_open{false};

constexpr std::size_t k_max_line = 2048;
constexpr std::size_t k_max_value = 256;
constexpr char k_hex[] = "0123456789abcdef";

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

const char* name(LogLevel level) {
    switch (level) {
    case LogLevel::error:
        return "error";
    case LogLevel::warning:
        return "warning";
    case LogLevel::info:
        return "info";
    case LogLevel::debug:
        return "debug";
    }
    return "info";
}

void append_escaped(std::string& out, char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
        out += "\\x";
        out += k_hex[byte >> 4];
        out += k_hex[byte & 0xf];
    } else {
        out += c;
    }
}

} // namespace

void log_open(int facility, bool to_stderr, LogLevel level) noexcept {
    openlog("rua-web", LOG_PID | LOG_NDELAY, facility);
    g_syslog_open = true;
    g_to_stderr = to_stderr;
    g_level = static_cast<int>(level);
}

std::string log_quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text.substr(0, k_max_value)) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        append_escaped(out, c);
    }
    out += text.size() > k_max_value ? "...\"" : "\"";
    return out;
}

void log_line(LogLevel level, std::string_view line) noexcept {
    if (static_cast<int>(level) > g_level.load()) {
        return;
    }
    try {
        std::string clean;
        for (const char c : line.substr(0, k_max_line)) {
            append_escaped(clean, c);
        }
        if (line.size() > k_max_line) {
            clean += "...";
        }
        if (g_syslog_open) {
            syslog(priority(level), "%s", clean.c_str());
        }
        if (g_to_stderr || !g_syslog_open) {
            static_cast<void>(
                std::fprintf(stderr, "rua-web: %s: %s\n", name(level), clean.c_str()));
        }
    } catch (...) {
        // Out of memory while logging: the line is dropped.
    }
}

} // namespace rua::web
