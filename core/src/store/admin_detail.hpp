// Internal to the admin queries: the session's one connection and the guard
// that runs a transaction and translates libpqxx exceptions into rua errors.
// Included only by core/src/store/admin*.cpp; never exposes pqxx further.
#pragma once

#include <rua/admin.hpp>
#include <rua/errors.hpp>

#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace rua {

struct Admin::Impl {
    std::string conninfo;
    std::unique_ptr<pqxx::connection> conn;

    // Opens the connection on first use (and again after it broke).
    pqxx::connection& connection();
};

namespace detail {

// Maps the exception being handled (call inside a catch block) to TryLater
// for conditions that may pass, Error otherwise; forgets a broken connection.
[[noreturn]] void rethrow_database_error(Admin::Impl& impl);

// Runs `body(tx)` in one transaction and commits it. rua errors thrown by
// `body` pass through unchanged; nothing is committed when it throws.
template <typename Body> auto in_transaction(Admin::Impl& impl, Body&& body) {
    using Result = decltype(body(std::declval<pqxx::work&>()));
    try {
        pqxx::work tx{impl.connection()};
        if constexpr (std::is_void_v<Result>) {
            body(tx);
            tx.commit();
        } else {
            Result result = body(tx);
            tx.commit();
            return result;
        }
    } catch (const rua::Error&) {
        throw;
    } catch (...) {
        rethrow_database_error(impl);
    }
}

// "{1,2,3}": a bigint[] parameter (cast with ::bigint[] in the query).
std::string bigint_array(const std::vector<std::int64_t>& values);

// Parses the text of a bigint[] or text[] field ("{1,2}"); null gives {}.
std::vector<std::int64_t> parse_bigint_array(const pqxx::field& field);

} // namespace detail
} // namespace rua
