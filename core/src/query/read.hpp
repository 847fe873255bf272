// Internal to the query layer (core/src/query and the kinds' store_query.cpp
// files): the read-only transaction every query runs in, the result-to-Table
// conversion and the account scope. Must never expose pqxx beyond core/src.
#pragma once

#include "store/pool.hpp"

#include <rua/query.hpp>

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rua::query::detail {

// Per-transaction settings: UTC dates (so `::date` and current_date are UTC
// days), the statement timeout and jit off. Throws pqxx errors.
void prepare_transaction(pqxx::transaction_base& tx, std::int64_t timeout_ms);

// Runs `body(tx)` in a read-only transaction on a pooled connection. A
// NotVisible thrown by `body` is rethrown after the connection went back to
// the pool (a refusal is no reason to close it). Throws TryLater or Error
// as with_connection does.
template <typename Body>
auto read(ConnectionPool& pool, std::int64_t timeout_ms, Body&& body)
    -> decltype(body(std::declval<pqxx::transaction_base&>())) {
    using Result = decltype(body(std::declval<pqxx::transaction_base&>()));
    std::optional<std::string> refused;
    auto result = with_connection(pool, [&](pqxx::connection& conn) -> std::optional<Result> {
        pqxx::read_transaction tx{conn};
        prepare_transaction(tx, timeout_ms);
        try {
            std::optional<Result> out{body(tx)};
            tx.commit();
            return out;
        } catch (const NotVisible& e) {
            refused = e.what();
            return std::nullopt;
        }
    });
    if (refused) {
        throw NotVisible(*refused);
    }
    return std::move(*result);
}

// The account a principal is limited to, as a query parameter: NULL (no
// limit) for the operator. Queries say `($1::bigint IS NULL OR account_id = $1)`.
std::optional<std::int64_t> scope(const Principal& who);

// Throws NotVisible unless the principal may see `domain` (normalised, lower
// case): the operator sees every domain; an account the domains it
// registered and those its reports were stored for.
void require_domain(pqxx::transaction_base& tx, const Principal& who, std::string_view domain);

// A result as a Table: integers, booleans, decimals, json and bigint[]
// columns typed, everything else as text. A column named "total" is not
// copied: its first value becomes Table::total (0 when there are no rows).
Table to_table(std::string name, const pqxx::result& result);

// {"a","b"}: a text[] parameter (cast with ::text[] in the query).
std::string text_array(const std::vector<std::string>& values);

} // namespace rua::query::detail
