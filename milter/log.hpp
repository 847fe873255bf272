// The daemon's log: syslog (facility from the config), optionally also
// stderr (-f, -t), and a capture sink for tests. Format strings are checked
// at compile time. Every line is one line (control characters escaped);
// callers must never pass report bodies or message text to it.
#pragma once

#include "config.hpp"

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace rua::milter {

// Opens syslog as `ident` with `facility`; `to_stderr` copies every line to
// stderr. Call before dropping privileges. Never throws.
void log_open(const char* ident, int facility, bool to_stderr) noexcept;
void log_close() noexcept;
void log_set_level(LogLevel level) noexcept;
bool log_enabled(LogLevel level) noexcept;

// Tests: every line goes to `sink` (and nowhere else) while it is set.
using LogSink = std::function<void(LogLevel, std::string_view)>;
void log_set_sink(LogSink sink);

// Writes one line, control characters escaped and cut at k_max_log_line
// bytes (ending "..."). Never throws.
constexpr std::size_t k_max_log_line = 2048;
void log_line(LogLevel level, std::string_view line) noexcept;

// A sender-chosen value for a `key=value` field: as it is when it is plain
// printable ASCII without space, '"', '=' or '\\'; otherwise double-quoted
// with '"' and '\\' escaped and control bytes as \xNN, so a value can never
// forge another field. Cut at 256 bytes ("...").
std::string log_value(std::string_view text);
// The same, always quoted: for free text such as reason="...".
std::string log_quoted(std::string_view text);

template <typename... T>
void log_at(LogLevel level, fmt::format_string<T...> format, T&&... args) noexcept {
    if (!log_enabled(level)) {
        return;
    }
    try {
        log_line(level, fmt::format(format, std::forward<T>(args)...));
    } catch (...) {
        log_line(LogLevel::error, "log: cannot format a log line");
    }
}

template <typename... T> void log_error(fmt::format_string<T...> format, T&&... args) noexcept {
    log_at(LogLevel::error, format, std::forward<T>(args)...);
}
template <typename... T> void log_warning(fmt::format_string<T...> format, T&&... args) noexcept {
    log_at(LogLevel::warning, format, std::forward<T>(args)...);
}
template <typename... T> void log_info(fmt::format_string<T...> format, T&&... args) noexcept {
    log_at(LogLevel::info, format, std::forward<T>(args)...);
}
template <typename... T> void log_debug(fmt::format_string<T...> format, T&&... args) noexcept {
    log_at(LogLevel::debug, format, std::forward<T>(args)...);
}

} // namespace rua::milter
