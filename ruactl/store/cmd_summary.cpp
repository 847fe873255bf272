// `ruactl summary`: every report kind's sections for one domain, as aligned
// tables, one JSON object or CSV blocks. Presentation only: the sections
// and their numbers come from rua::Admin::summary (each kind's writer);
// this file never names a kind.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/json.hpp>

#include <algorithm>
#include <cctype>

namespace ruactl {

namespace {

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::replace(text.begin(), text.end(), '_', ' ');
    return text;
}

std::string as_table(const rua::DomainSummary& s) {
    std::string out = fmt::format("Report summary for {}, {}\n", s.domain,
                                  s.since ? "reports ending since " + format_time(*s.since)
                                          : std::string("all reports"));
    for (const auto& t : s.tables) {
        Row header;
        for (const auto& column : t.columns) {
            header.push_back(upper(column));
        }
        std::vector<Row> body;
        for (const auto& row : t.rows) {
            Row line;
            for (const auto& cell : row) {
                line.push_back(cell.value_or("-"));
            }
            body.push_back(std::move(line));
        }
        out += fmt::format("\n{} {}\n", upper(t.kind), t.title);
        out += body.empty() ? std::string("(none)\n") : render_table(header, body, t.numeric);
    }
    return out;
}

std::string as_json(const rua::DomainSummary& s) {
    std::string out =
        fmt::format(R"({{"domain":{},"since":{},"kinds":{{)", rua::json_quote(s.domain),
                    s.since ? rua::json_quote(format_time(*s.since)) : "null");
    std::string kind;
    for (const auto& t : s.tables) {
        if (t.kind != kind) {
            out += kind.empty() ? "" : "},";
            out += rua::json_quote(t.kind) + ":{";
            kind = t.kind;
        } else {
            out += ',';
        }
        out += rua::json_quote(t.name) + ":[";
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
            out += r > 0 ? ",{" : "{";
            for (std::size_t c = 0; c < t.columns.size() && c < t.rows[r].size(); ++c) {
                const auto& cell = t.rows[r][c];
                out += fmt::format("{}{}:{}", c > 0 ? "," : "", rua::json_quote(t.columns[c]),
                                   !cell          ? std::string("null")
                                   : t.numeric[c] ? *cell
                                                  : rua::json_quote(*cell));
            }
            out += '}';
        }
        out += ']';
    }
    out += kind.empty() ? "}}\n" : "}}}\n";
    return out;
}

// One block per section: a header line, then its rows; blank line between.
std::string as_csv(const rua::DomainSummary& s) {
    std::string out;
    for (const auto& t : s.tables) {
        if (!out.empty()) {
            out += '\n';
        }
        out += fmt::format("kind,section,{}\n", fmt::join(t.columns, ","));
        for (const auto& row : t.rows) {
            std::vector<std::string> cells;
            cells.reserve(row.size());
            for (const auto& cell : row) {
                cells.push_back(cell ? csv_field(*cell) : std::string());
            }
            out += fmt::format("{},{},{}\n", t.kind, t.name, fmt::join(cells, ","));
        }
    }
    return out;
}

} // namespace

int cmd_summary(const std::string& name, const Argv& argv) {
    Args args(name, argv,
              {{"--domain", true, false},
               {"--since", true, false},
               {"--format", true, false},
               {"--kind", true, false}});
    args.expect_operands(0, 0, "");
    const auto domain = args.value("--domain");
    if (!domain || domain->empty()) {
        throw UsageError(fmt::format("{}: missing --domain DOMAIN", name));
    }
    std::optional<std::int64_t> since;
    if (auto text = args.value("--since")) {
        since = parse_duration("--since", *text);
    }
    const auto format = args.value("--format").value_or("table");
    if (format != "table" && format != "json" && format != "csv") {
        throw UsageError(
            fmt::format("{}: invalid --format '{}' (table, json or csv)", name, format));
    }
    std::vector<std::string> kinds;
    if (auto wanted = args.value("--kind")) {
        const auto known = rua::Admin::kinds();
        std::string_view rest = *wanted;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string kind(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            if (std::find(known.begin(), known.end(), kind) == known.end()) {
                throw UsageError(fmt::format("{}: unknown --kind '{}' ({})", name, kind,
                                             fmt::join(known, ", ")));
            }
            kinds.push_back(kind);
        }
    }
    Session session(args);
    const auto summary = session.admin().summary(*domain, since, kinds);
    const auto text = format == "json"  ? as_json(summary)
                      : format == "csv" ? as_csv(summary)
                                        : as_table(summary);
    write_stdout(text);
    return k_exit_ok;
}

} // namespace ruactl
