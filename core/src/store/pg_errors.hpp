// Internal to the store: how a libpqxx or libpq failure becomes one of our
// error kinds, so no pqxx exception ever leaves core/src/store. TryLater when
// the sender should retry (server gone, overloaded, lost race); BadInput when
// the database refuses the data itself and a retry would fail the same way;
// ConfigError when the connection settings cannot work. Every text that may
// echo the connection string is redacted here: none carries a password.
#pragma once

#include <pqxx/connection>

#include <memory>
#include <string>
#include <string_view>

namespace rua {

enum class PgErrorKind { try_later, bad_input };

// SQLSTATE -> kind. Class 22 (data exception) and class 23 (integrity
// constraint violation) are bad input; everything else retries.
PgErrorKind classify_sqlstate(std::string_view sqlstate);

// The first line of a libpq error text, without its "ERROR:  " prefix, with
// credentials redacted (libpq echoes a malformed connection string).
std::string pg_reason(std::string_view what);

enum class ConnectFailure { setup, transient };

// What a failed connection attempt's libpq text means: `setup` for what
// waiting will not fix (malformed connection string or bad value, failed
// authentication, unknown role or database, a host name that does not
// exist, a socket directory that does not exist); `transient` for the rest
// (server down or starting, refused, timed out, name service down).
// With several hosts (a multi-host URI) each attempt is judged: setup only
// when every host failed for a setup reason, since one that is down or still
// read-only (a standby before its promotion) may serve later.
ConnectFailure classify_connect_failure(std::string_view what);

// A failed connection attempt's reason on one line: each host's attempt
// ("connection to server on socket ... failed: session is read-only"), the
// server's own words where it answered, joined by "; "; redacted.
std::string connect_failure_reason(std::string_view what);

// A new connection to `conninfo`. Throws ConfigError ("cannot use the
// database: REASON" or "invalid database connection string: REASON") for a
// setup failure and TryLater ("cannot connect to the database: REASON") for
// a transient one.
std::unique_ptr<pqxx::connection> open_connection(const std::string& conninfo);

// Call only inside a catch block: rethrows the exception being handled as
// TryLater or BadInput (rua::Error subclasses pass through unchanged).
[[noreturn]] void rethrow_as_rua_error();

} // namespace rua
