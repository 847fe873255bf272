// `ruactl summary --by ...` and the readiness section, rendered. Every
// sender-chosen text (reporters, domains) goes through render_table's or
// csv_field's printable_cell, or json_quote. Never computes a number.
#include "summary_analytics.hpp"

#include "output.hpp"

#include <rua/json.hpp>

#include <algorithm>
#include <cctype>

namespace ruactl {

namespace {

using rua::query::Cell;
using rua::query::Table;

// A cell as text: doubles are the layer's one-decimal percentages.
std::string text(const Cell& cell) {
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return "-";
            } else if constexpr (std::is_same_v<T, bool>) {
                return value ? "yes" : "no";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return std::to_string(value);
            } else if constexpr (std::is_same_v<T, double>) {
                return fmt::format("{:.1f}", value);
            } else if constexpr (std::is_same_v<T, std::string>) {
                return value;
            } else if constexpr (std::is_same_v<T, rua::query::RawJson>) {
                return value.text;
            } else {
                return fmt::format("{}", fmt::join(value, " "));
            }
        },
        cell);
}

std::string json(const Cell& cell) {
    if (std::holds_alternative<std::monostate>(cell)) {
        return "null";
    }
    if (const auto* flag = std::get_if<bool>(&cell)) {
        return *flag ? "true" : "false";
    }
    if (std::holds_alternative<std::string>(cell)) {
        return rua::json_quote(std::get<std::string>(cell));
    }
    return text(cell);
}

bool numeric(const Cell& cell) {
    return std::holds_alternative<std::int64_t>(cell) || std::holds_alternative<double>(cell);
}

std::string upper(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::replace(name.begin(), name.end(), '_', ' ');
    return name;
}

// The rows of `table` from `first_column` on, aligned; numbers right.
std::string aligned(const Table& table, std::size_t first_column = 0) {
    Row header;
    std::vector<bool> right(table.columns.size() - first_column, false);
    for (std::size_t c = first_column; c < table.columns.size(); ++c) {
        header.push_back(upper(table.columns[c]));
    }
    std::vector<Row> body;
    for (const auto& row : table.rows) {
        Row line;
        for (std::size_t c = first_column; c < row.size(); ++c) {
            line.push_back(text(row[c]));
            if (numeric(row[c])) {
                right[c - first_column] = true;
            }
        }
        body.push_back(std::move(line));
    }
    return render_table(header, body, right);
}

// One JSON object per row, in column order.
std::string json_object(const Table& table, std::size_t row) {
    std::string out = "{";
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        out += fmt::format("{}{}:{}", c > 0 ? "," : "", rua::json_quote(table.columns[c]),
                           json(table.rows[row][c]));
    }
    return out + "}";
}

std::string json_rows(const Table& table) {
    std::string out = "[";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        out += (r > 0 ? "," : "") + json_object(table, r);
    }
    return out + "]";
}

// A CSV block: "section,COLUMNS..." then "NAME,values..." per row.
std::string csv_block(const Table& table) {
    std::string out = "section";
    for (const auto& column : table.columns) {
        out += "," + csv_field(column);
    }
    out += '\n';
    for (const auto& row : table.rows) {
        out += table.name;
        for (const auto& cell : row) {
            out += "," + (std::holds_alternative<std::monostate>(cell) ? std::string()
                                                                       : csv_field(text(cell)));
        }
        out += '\n';
    }
    return out;
}

const Table& named(const std::vector<Table>& tables, std::string_view name) {
    for (const auto& t : tables) {
        if (t.name == name) {
            return t;
        }
    }
    throw rua::Error(fmt::format("the query layer gave no table {}", name));
}

std::string by_name(rua::query::BreakdownBy by) {
    return std::string(rua::query::breakdown_name(by));
}

std::vector<std::string> covered(const Analytics& a) {
    std::vector<std::string> out;
    for (const auto& row : named(a.tables, "domains").rows) {
        out.push_back(text(row[0]));
    }
    return out;
}

} // namespace

std::string readiness_text(const std::vector<rua::query::Readiness>& list) {
    const auto tables = rua::query::readiness_tables(list);
    const auto& checks = tables[1];
    std::string out = "\nREADINESS\n";
    for (const auto& r : list) {
        out += printable_cell(r.line) + "\n";
        Table mine;
        mine.columns = checks.columns;
        for (const auto& row : checks.rows) {
            if (std::get<std::string>(row[0]) == r.domain) {
                mine.rows.push_back(row);
            }
        }
        out += aligned(mine, 1);
    }
    return out;
}

std::string readiness_json(const std::vector<rua::query::Readiness>& list) {
    const auto tables = rua::query::readiness_tables(list);
    std::string out = "[";
    for (std::size_t r = 0; r < tables[0].rows.size(); ++r) {
        auto object = json_object(tables[0], r);
        object.pop_back();
        object += ",\"checks\":[";
        bool first = true;
        for (std::size_t c = 0; c < tables[1].rows.size(); ++c) {
            if (std::get<std::string>(tables[1].rows[c][0]) != list[r].domain) {
                continue;
            }
            std::string check = "{";
            for (std::size_t k = 1; k < tables[1].columns.size(); ++k) {
                check +=
                    fmt::format("{}{}:{}", k > 1 ? "," : "", rua::json_quote(tables[1].columns[k]),
                                json(tables[1].rows[c][k]));
            }
            object += (first ? "" : ",") + check + "}";
            first = false;
        }
        out += (r > 0 ? "," : "") + object + "]}";
    }
    return out + "]";
}

std::string analytics_text(const Analytics& a) {
    const auto domains = covered(a);
    const auto& breakdown = named(a.tables, "breakdown");
    const auto& totals = named(a.tables, "totals");
    std::string out = fmt::format(
        "Report summary for {}{}, the last {} UTC days\n", printable_cell(a.domain),
        a.query.rollup ? fmt::format(" and its organisation ({})",
                                     printable_cell(fmt::format("{}", fmt::join(domains, ", "))))
                       : std::string(),
        a.query.days);
    out += readiness_text(a.readiness);
    out += fmt::format("\nBY {}{} (top {} of {})\n", upper(by_name(a.query.by)),
                       a.query.failing_only ? ", FAILING ONLY" : "", breakdown.rows.size(),
                       breakdown.total.value_or(0));
    out += breakdown.rows.empty() ? std::string("(none)\n") : aligned(breakdown);
    const auto& t = totals.rows.at(0);
    out += fmt::format("total: {} messages, {} pass, {} fail, {} % compliant\n", text(t[0]),
                       text(t[1]), text(t[2]), text(t[3]));
    return out;
}

std::string analytics_json(const Analytics& a) {
    std::string domains = "[";
    for (const auto& name : covered(a)) {
        domains += (domains.size() > 1 ? "," : "") + rua::json_quote(name);
    }
    domains += "]";
    const auto& breakdown = named(a.tables, "breakdown");
    return fmt::format(
        R"({{"domain":{},"days":{},"by":{},"top":{},"failing":{},"rollup":{},"domains":{},)"
        R"("readiness":{},"totals":{},"groups":{},"breakdown":{}}})"
        "\n",
        rua::json_quote(a.domain), a.query.days, rua::json_quote(by_name(a.query.by)), a.query.top,
        a.query.failing_only, a.query.rollup, domains, readiness_json(a.readiness),
        json_object(named(a.tables, "totals"), 0), breakdown.total.value_or(0),
        json_rows(breakdown));
}

std::string analytics_csv(const Analytics& a) {
    const auto readiness = rua::query::readiness_tables(a.readiness);
    return csv_block(readiness[0]) + "\n" + csv_block(readiness[1]) + "\n" +
           csv_block(named(a.tables, "breakdown")) + "\n" + csv_block(named(a.tables, "totals"));
}

} // namespace ruactl
