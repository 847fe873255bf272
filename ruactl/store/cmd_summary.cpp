// `ruactl summary`: every report kind's sections for one domain, as aligned
// tables, one JSON object or CSV blocks. Presentation only: the sections
// and their numbers come from rua::Admin::summary (each kind's writer);
// this file never names a kind.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"
#include "summary_analytics.hpp"

#include <rua/address.hpp>
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

std::string as_table(const rua::DomainSummary& s,
                     const std::vector<rua::query::Readiness>& readiness) {
    std::string out = fmt::format("Report summary for {}, {}\n", s.domain,
                                  s.since ? "reports ending since " + format_time(*s.since)
                                          : std::string("all reports"));
    if (!readiness.empty()) {
        out += readiness_text(readiness);
    }
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

std::string as_json(const rua::DomainSummary& s,
                    const std::vector<rua::query::Readiness>& readiness) {
    std::string out = fmt::format(
        R"({{"domain":{},"since":{},{}"kinds":{{)", rua::json_quote(s.domain),
        s.since ? rua::json_quote(format_time(*s.since)) : "null",
        readiness.empty() ? std::string() : "\"readiness\":" + readiness_json(readiness) + ",");
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

// The analytics options (--by, --top, --failing, --rollup) and the window
// of days they and the readiness lines cover (--since rounded up to whole
// days, default 30).
struct AnalyticsArgs {
    std::optional<rua::query::BreakdownQuery> breakdown;
    int days = rua::query::k_default_days;
};

AnalyticsArgs analytics_args(const std::string& name, const Args& args,
                             std::optional<std::int64_t> since) {
    AnalyticsArgs out;
    if (since) {
        constexpr std::int64_t k_day = 86400;
        constexpr std::int64_t k_max_days = 3660;
        out.days =
            static_cast<int>(std::clamp<std::int64_t>((*since + k_day - 1) / k_day, 1, k_max_days));
    }
    const auto by = args.value("--by");
    if (!by) {
        for (const char* option : {"--top", "--failing", "--rollup"}) {
            if (args.has(option)) {
                throw UsageError(fmt::format("{}: {} needs --by", name, option));
            }
        }
        return out;
    }
    if (args.has("--kind")) {
        throw UsageError(fmt::format("{}: --by and --kind do not go together", name));
    }
    rua::query::BreakdownQuery q;
    const auto parsed = rua::query::breakdown_by(*by);
    if (!parsed) {
        throw UsageError(fmt::format("{}: invalid --by '{}' (source, provider, reporter, "
                                     "dkim-domain, spf-domain, header-from or day)",
                                     name, *by));
    }
    q.by = *parsed;
    q.days = out.days;
    if (auto top = args.value("--top")) {
        q.top = static_cast<std::int64_t>(parse_count(
            "--top", *top, static_cast<std::uint64_t>(rua::query::k_breakdown_max_top)));
    }
    q.failing_only = args.has("--failing");
    q.rollup = args.has("--rollup");
    out.breakdown = q;
    return out;
}

} // namespace

int cmd_summary(const std::string& name, const Argv& argv) {
    Args args(name, argv,
              {{"--domain", true, false},
               {"--since", true, false},
               {"--format", true, false},
               {"--kind", true, false},
               {"--by", true, false},
               {"--top", true, false},
               {"--failing", false, false},
               {"--rollup", false, false}});
    args.expect_operands(0, 0, "");
    const auto domain_text = args.value("--domain");
    if (!domain_text || domain_text->empty()) {
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
    const auto analytics = analytics_args(name, args, since);
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
    const auto domain = rua::normalize_domain(*domain_text);
    Session session(args);
    // The operator's view: every account, as an admin token sees it.
    rua::query::Queries queries(session.pool(), 0);
    const rua::query::Principal everyone;
    if (analytics.breakdown) {
        if (!domain) {
            throw UsageError(fmt::format("{}: invalid --domain '{}'", name, *domain_text));
        }
        Analytics a;
        a.domain = *domain;
        a.query = *analytics.breakdown;
        a.readiness = queries.readiness(everyone, *domain, a.query.days, a.query.rollup);
        a.tables = queries.breakdown(everyone, *domain, a.query);
        write_stdout(format == "json"  ? analytics_json(a)
                     : format == "csv" ? analytics_csv(a)
                                       : analytics_text(a));
        return k_exit_ok;
    }
    const auto summary = session.admin().summary(*domain_text, since, kinds);
    // The readiness lines head the whole summary, not a kind's part of it.
    std::vector<rua::query::Readiness> readiness;
    if (kinds.empty() && domain && format != "csv") {
        readiness = queries.readiness(everyone, *domain, analytics.days, false);
    }
    const auto text = format == "json"  ? as_json(summary, readiness)
                      : format == "csv" ? as_csv(summary)
                                        : as_table(summary, readiness);
    write_stdout(text);
    return k_exit_ok;
}

} // namespace ruactl
