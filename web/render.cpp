// JSON and CSV forms of query tables. Every text goes through json_quote or
// the CSV quoting here: a sender's text can never break out of its cell.
#include "render.hpp"

#include <rua/json.hpp>

#include <fmt/format.h>

#include <type_traits>

namespace rua::web {

namespace {

void json_cell(std::string& out, const query::Cell& cell) {
    std::visit(
        [&out](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                out += "null";
            } else if constexpr (std::is_same_v<T, bool>) {
                out += value ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
                out += fmt::format("{}", value);
            } else if constexpr (std::is_same_v<T, std::string>) {
                json_append_quoted(out, value);
            } else if constexpr (std::is_same_v<T, query::RawJson>) {
                out += value.text; // valid JSON: the database checked it
            } else {
                out += '[';
                for (std::size_t i = 0; i < value.size(); ++i) {
                    out += i == 0 ? "" : ",";
                    out += std::to_string(value[i]);
                }
                out += ']';
            }
        },
        cell);
}

std::string csv_text(const query::Cell& cell) {
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return "";
            } else if constexpr (std::is_same_v<T, bool>) {
                return value ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
                return fmt::format("{}", value);
            } else if constexpr (std::is_same_v<T, std::string>) {
                if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' ||
                                       value[0] == '@' || value[0] == '\t' || value[0] == '\r')) {
                    return "'" + value;
                }
                return value;
            } else if constexpr (std::is_same_v<T, query::RawJson>) {
                return value.text;
            } else {
                std::string out;
                for (std::size_t i = 0; i < value.size(); ++i) {
                    out += i == 0 ? "" : " ";
                    out += std::to_string(value[i]);
                }
                return out;
            }
        },
        cell);
}

void csv_field(std::string& out, const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        out += text;
        return;
    }
    out += '"';
    for (const char c : text) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    out += '"';
}

} // namespace

std::string json_rows(const query::Table& table) {
    std::string out = "[";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        out += r == 0 ? "{" : ",{";
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            out += c == 0 ? "" : ",";
            json_append_quoted(out, table.columns[c]);
            out += ':';
            json_cell(out, table.rows[r][c]);
        }
        out += '}';
    }
    out += ']';
    return out;
}

std::string json_page(const query::Table& table, std::int64_t limit, std::int64_t offset) {
    return fmt::format(R"({{"items":{},"total":{},"limit":{},"offset":{}}})", json_rows(table),
                       table.total ? *table.total : static_cast<std::int64_t>(table.rows.size()),
                       limit, offset);
}

std::string json_tables(const std::vector<query::Table>& tables) {
    std::string out = "{";
    for (const auto& table : tables) {
        out += out.size() == 1 ? "" : ",";
        json_append_quoted(out, table.name);
        out += ':';
        out += json_rows(table);
        if (table.total) {
            out += ',';
            json_append_quoted(out, table.name + "_total");
            out += fmt::format(":{}", *table.total);
        }
    }
    out += '}';
    return out;
}

std::string csv(const query::Table& table) {
    std::string out;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        out += c == 0 ? "" : ",";
        csv_field(out, table.columns[c]);
    }
    out += "\r\n";
    for (const auto& row : table.rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            out += c == 0 ? "" : ",";
            csv_field(out, csv_text(row[c]));
        }
        out += "\r\n";
    }
    return out;
}

std::string json_error(std::string_view message) {
    return "{\"error\":" + json_quote(message) + "}";
}

} // namespace rua::web
