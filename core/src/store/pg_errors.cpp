// Translation of libpqxx failures into TryLater / BadInput, by SQLSTATE.
// Conservative by design: whatever is not clearly the data's fault retries
// (a 4xx makes the sender try again later; a wrong 5xx loses a report for
// good). Must never swallow an error or invent a reason.
#include "pg_errors.hpp"

#include <rua/errors.hpp>
#include <rua/redact.hpp>

#include <pqxx/except>

#include <array>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <system_error>
#include <vector>

namespace rua {

PgErrorKind classify_sqlstate(std::string_view sqlstate) {
    // 22xxx data exception (bad encoding, NUL, out of range, bad timestamp),
    // 23xxx integrity constraint violation (a CHECK, a NOT NULL, a unique key
    // other than the report key, which the store handles with ON CONFLICT).
    if (sqlstate.size() == 5 && (sqlstate.substr(0, 2) == "22" || sqlstate.substr(0, 2) == "23")) {
        return PgErrorKind::bad_input;
    }
    // 08 connection, 40001 serialization, 40P01 deadlock, 53 resources,
    // 57P01-03 shutdown/cannot connect now, and everything unknown: retry.
    return PgErrorKind::try_later;
}

std::string pg_reason(std::string_view what) {
    auto text = what.substr(0, what.find('\n'));
    for (std::string_view prefix : {"ERROR:  ", "FATAL:  ", "PANIC:  "}) {
        if (text.substr(0, prefix.size()) == prefix) {
            text.remove_prefix(prefix.size());
            break;
        }
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return redact_credentials(text.empty() ? std::string_view("unknown database error") : text);
}

namespace {

// libpq's own words for a connection string it cannot parse or a value it
// refuses (fe-connect.c); they start the message.
constexpr std::array<std::string_view, 12> k_malformed_prefixes = {
    "missing \"=\" after",
    "unterminated quoted string",
    "invalid ",
    "end of string reached when looking for matching",
    "IPv6 host address may not be empty",
    "unexpected character",
    "extra key/value separator",
    "missing key/value separator",
    "forbidden value %00",
    "could not match ",
    "could not parse network address",
    "sslmode value",
};

// Refusals by a server that answered: waiting will not change them.
constexpr std::array<std::string_view, 7> k_setup_phrases = {
    "authentication failed",
    "no pg_hba.conf entry",
    "no password supplied",
    "does not exist", // database or role
    "Name or service not known",
    "No address associated with hostname",
    "is not permitted to log in",
};

// Attempt lines kept in a reason: enough for any sensible host list.
constexpr std::size_t k_max_attempts = 8;

bool is_malformed(std::string_view first_line) {
    for (const std::string_view prefix : k_malformed_prefixes) {
        if (first_line.substr(0, prefix.size()) == prefix) {
            return true;
        }
    }
    return false;
}

// A Unix socket whose directory does not exist is a wrong host setting; a
// missing socket in an existing directory is a server that is not running.
bool socket_dir_missing(std::string_view first_line) {
    constexpr std::string_view k_socket = "on socket \"";
    const auto start = first_line.find(k_socket);
    if (start == std::string_view::npos ||
        first_line.find("No such file or directory") == std::string_view::npos) {
        return false;
    }
    const auto path_start = start + k_socket.size();
    const auto path_end = first_line.find('"', path_start);
    if (path_end == std::string_view::npos) {
        return false;
    }
    const std::filesystem::path socket(first_line.substr(path_start, path_end - path_start));
    std::error_code ec;
    return !std::filesystem::is_directory(socket.parent_path(), ec);
}

// One attempt's line: the server's own words when it answered ("FATAL:
// database "x" does not exist"), else libpq's text. With several attempts
// each keeps the host it names, without the severity.
std::string attempt_reason(std::string_view line, bool several) {
    constexpr std::string_view k_fatal = "FATAL:  ";
    const auto fatal = line.find(k_fatal);
    if (fatal == std::string_view::npos) {
        return pg_reason(line);
    }
    if (!several) {
        return pg_reason(line.substr(fatal));
    }
    std::string joined(line.substr(0, fatal));
    joined += line.substr(fatal + k_fatal.size());
    return pg_reason(joined);
}

// With several hosts (a multi-host URI, a name with several addresses)
// libpq tries each in turn and writes one "connection to server ... failed"
// line per attempt, each possibly followed by a tab-indented hint. These are
// the attempt lines; a text without any is one line, its first.
std::vector<std::string_view> attempt_lines(std::string_view what) {
    constexpr std::string_view k_attempt = "connection to server ";
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < what.size() && lines.size() < k_max_attempts) {
        auto end = what.find('\n', start);
        if (end == std::string_view::npos) {
            end = what.size();
        }
        const auto line = what.substr(start, end - start);
        if (line.substr(0, k_attempt.size()) == k_attempt) {
            lines.push_back(line);
        }
        start = end + 1;
    }
    if (lines.empty()) {
        lines.push_back(what.substr(0, what.find('\n')));
    }
    return lines;
}

bool attempt_is_setup(std::string_view line) {
    if (is_malformed(line) || socket_dir_missing(line)) {
        return true;
    }
    for (const std::string_view phrase : k_setup_phrases) {
        if (line.find(phrase) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

} // namespace

ConnectFailure classify_connect_failure(std::string_view what) {
    // One host that may come back (down, read-only until promoted) is reason
    // enough to wait: setup only when every attempt failed for a setup reason.
    for (const auto line : attempt_lines(what)) {
        if (!attempt_is_setup(line)) {
            return ConnectFailure::transient;
        }
    }
    return ConnectFailure::setup;
}

std::string connect_failure_reason(std::string_view what) {
    const auto lines = attempt_lines(what);
    std::string out;
    for (const auto line : lines) {
        if (!out.empty()) {
            out += "; ";
        }
        out += attempt_reason(line, lines.size() > 1);
    }
    return out;
}

std::unique_ptr<pqxx::connection> open_connection(const std::string& conninfo) {
    try {
        return std::make_unique<pqxx::connection>(conninfo);
    } catch (const pqxx::failure& e) {
        const std::string_view what = e.what();
        if (classify_connect_failure(what) == ConnectFailure::transient) {
            throw TryLater("cannot connect to the database: " + connect_failure_reason(what));
        }
        if (is_malformed(what)) {
            throw ConfigError("invalid database connection string: " + pg_reason(what));
        }
        if (socket_dir_missing(what.substr(0, what.find('\n')))) {
            throw ConfigError("cannot use the database: " + connect_failure_reason(what) +
                              " (no such socket directory)");
        }
        throw ConfigError("cannot use the database: " + connect_failure_reason(what));
    }
}

void rethrow_as_rua_error() {
    try {
        throw;
    } catch (const Error&) {
        throw;
    } catch (const pqxx::in_doubt_error& e) {
        // The commit may or may not have happened: retrying is safe because
        // a stored report is then found as a duplicate.
        throw TryLater("database commit in doubt: " + pg_reason(e.what()));
    } catch (const pqxx::broken_connection& e) {
        throw TryLater("database connection lost: " + pg_reason(e.what()));
    } catch (const pqxx::sql_error& e) {
        if (classify_sqlstate(e.sqlstate()) == PgErrorKind::bad_input) {
            throw BadInput("database refused the report: " + pg_reason(e.what()));
        }
        throw TryLater("database error " + e.sqlstate() + ": " + pg_reason(e.what()));
    } catch (const pqxx::failure& e) {
        throw TryLater("database failure: " + pg_reason(e.what()));
    } catch (const pqxx::pqxx_exception& e) {
        // usage, conversion or internal errors of the client library: our
        // bug more likely than the data's, so retry rather than lose a report.
        throw TryLater("database client error: " + redact_credentials(e.base().what()));
    } catch (const std::bad_alloc&) {
        throw TryLater("out of memory while storing");
    }
}

} // namespace rua
