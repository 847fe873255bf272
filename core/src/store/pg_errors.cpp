// Translation of libpqxx failures into TryLater / BadInput, by SQLSTATE.
// Conservative by design: whatever is not clearly the data's fault retries
// (a 4xx makes the sender try again later; a wrong 5xx loses a report for
// good). Must never swallow an error or invent a reason.
#include "pg_errors.hpp"

#include <rua/errors.hpp>

#include <pqxx/except>

#include <exception>

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
    return std::string(text.empty() ? std::string_view("unknown database error") : text);
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
        throw TryLater(std::string("database client error: ") + e.base().what());
    } catch (const std::bad_alloc&) {
        throw TryLater("out of memory while storing");
    }
}

} // namespace rua
