// Internal to the store: how a libpqxx or libpq failure becomes one of our two
// error kinds, so no pqxx exception ever leaves core/src/store. TryLater when
// the sender should retry (server gone, overloaded, lost race); BadInput when
// the database refuses the data itself and a retry would fail the same way.
#pragma once

#include <string>
#include <string_view>

namespace rua {

enum class PgErrorKind { try_later, bad_input };

// SQLSTATE -> kind. Class 22 (data exception) and class 23 (integrity
// constraint violation) are bad input; everything else retries.
PgErrorKind classify_sqlstate(std::string_view sqlstate);

// The first line of a libpq error text, without its "ERROR:  " prefix.
std::string pg_reason(std::string_view what);

// Call only inside a catch block: rethrows the exception being handled as
// TryLater or BadInput (rua::Error subclasses pass through unchanged).
[[noreturn]] void rethrow_as_rua_error();

} // namespace rua
