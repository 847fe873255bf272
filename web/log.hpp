// rua-web's log: syslog (facility from the config, mail by default), also
// stderr with -f. One line per event, control characters escaped. Callers
// must never pass a token, a cookie or a report's text to it.
#pragma once

#include "config.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

namespace rua::web {

// Opens syslog as "rua-web"; `to_stderr` copies every line to stderr. Call
// before dropping privileges. Never throws.
void log_open(int facility, bool to_stderr, LogLevel level) noexcept;

// Writes one line, control characters as \xNN, cut at 2 KB. Never throws.
void log_line(LogLevel level, std::string_view line) noexcept;

// A client-chosen value (a path, a parameter) quoted for a log line:
// '"' and '\\' escaped, control bytes as \xNN, cut at 256 bytes.
std::string log_quoted(std::string_view text);

template <typename... T>
void log_at(LogLevel level, fmt::format_string<T...> format, T&&... args) noexcept {
    try {
        log_line(level, fmt::format(format, std::forward<T>(args)...));
    } catch (...) {
        log_line(LogLevel::error, "log: cannot format a log line");
    }
}

} // namespace rua::web
