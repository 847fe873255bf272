// The query layer's shared parts: transaction settings, the account scope,
// the domain check and the result-to-Table conversion. Never builds SQL from
// a caller's text: every value is a parameter.
#include "query/read.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace rua::query::detail {

namespace {

// PostgreSQL type oids (pg_type.dat); stable across versions.
constexpr pqxx::oid k_bool = 16;
constexpr pqxx::oid k_int8 = 20;
constexpr pqxx::oid k_int2 = 21;
constexpr pqxx::oid k_int4 = 23;
constexpr pqxx::oid k_json = 114;
constexpr pqxx::oid k_float4 = 700;
constexpr pqxx::oid k_float8 = 701;
constexpr pqxx::oid k_int4_array = 1007;
constexpr pqxx::oid k_int8_array = 1016;
constexpr pqxx::oid k_numeric = 1700;
constexpr pqxx::oid k_jsonb = 3802;

std::vector<std::int64_t> integers(std::string_view text) {
    std::vector<std::int64_t> out;
    if (text.size() < 2) {
        return out;
    }
    std::string inner(text.substr(1, text.size() - 2));
    std::size_t at = 0;
    while (at < inner.size()) {
        auto comma = inner.find(',', at);
        auto item = inner.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        out.push_back(item == "NULL" ? 0 : std::strtoll(item.c_str(), nullptr, 10));
        at = comma == std::string::npos ? inner.size() : comma + 1;
    }
    return out;
}

Cell cell(const pqxx::field& field, pqxx::oid type) {
    if (field.is_null()) {
        return std::monostate{};
    }
    const std::string_view text(field.c_str(), field.size());
    switch (type) {
    case k_bool:
        return text == "t";
    case k_int2:
    case k_int4:
    case k_int8:
        return field.as<std::int64_t>();
    case k_float4:
    case k_float8:
        return field.as<double>();
    case k_numeric:
        if (text.find_first_of(".eEN") == std::string_view::npos) {
            return field.as<std::int64_t>();
        }
        return field.as<double>();
    case k_json:
    case k_jsonb:
        return RawJson{std::string(text)};
    case k_int4_array:
    case k_int8_array:
        return integers(text);
    default:
        return std::string(text);
    }
}

} // namespace

// jit off: the reads are short aggregates over the rollup, but while large
// reports are pending the planner's estimates for the v_day_* views (folded
// plus pending, split by day) pass jit_above_cost, and compiling the plan
// then costs more than running it (as 0013 says for its own functions).
void prepare_transaction(pqxx::transaction_base& tx, std::int64_t timeout_ms) {
    tx.exec_params("SELECT set_config('TimeZone', 'UTC', true), "
                   "set_config('statement_timeout', $1, true), "
                   "set_config('jit', 'off', true)",
                   std::to_string(timeout_ms));
}

std::optional<std::int64_t> scope(const Principal& who) {
    return who.account_id;
}

void require_domain(pqxx::transaction_base& tx, const Principal& who, std::string_view domain) {
    if (who.admin()) {
        return;
    }
    const auto row = tx.exec_params1(
        "SELECT EXISTS (SELECT 1 FROM account_domain WHERE account_id = $1 AND domain = $2) "
        "    OR EXISTS (SELECT 1 FROM v_day_domain WHERE account_id = $1 AND domain = $2)",
        *who.account_id, std::string(domain));
    if (!row[0].as<bool>()) {
        throw NotVisible(fmt::format("no domain {}", domain));
    }
}

Table to_table(std::string name, const pqxx::result& result) {
    Table table;
    table.name = std::move(name);
    const auto columns = result.columns();
    std::vector<pqxx::oid> types;
    std::optional<pqxx::row::size_type> total_column;
    for (pqxx::row::size_type c = 0; c < columns; ++c) {
        const std::string column = result.column_name(c);
        if (column == "total") {
            total_column = c;
            table.total = 0;
        } else {
            table.columns.push_back(column);
        }
        types.push_back(result.column_type(c));
    }
    table.rows.reserve(result.size());
    for (const auto& row : result) {
        std::vector<Cell> cells;
        cells.reserve(table.columns.size());
        for (pqxx::row::size_type c = 0; c < columns; ++c) {
            if (total_column && c == *total_column) {
                table.total = row[c].as<std::int64_t>();
                continue;
            }
            cells.push_back(cell(row[c], types[c]));
        }
        table.rows.push_back(std::move(cells));
    }
    return table;
}

std::string text_array(const std::vector<std::string>& values) {
    std::string out = "{";
    for (const auto& value : values) {
        if (out.size() > 1) {
            out += ',';
        }
        out += '"';
        for (char c : value) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

} // namespace rua::query::detail
