// `ruactl summary`: DMARC pass/fail of one domain, in total, by reporter and
// by source address, as an aligned table, one JSON object or CSV rows.
// Presentation only: the numbers come from rua::Admin::summary.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/json.hpp>

namespace ruactl {

namespace {

Row numbers(const rua::SummaryRow& row) {
    return {std::to_string(row.reports),     std::to_string(row.messages),
            std::to_string(row.pass),        std::to_string(row.fail),
            percent(row.pass, row.messages), std::to_string(row.none),
            std::to_string(row.quarantine),  std::to_string(row.reject)};
}

const Row k_number_headers = {"REPORTS", "MESSAGES", "PASS",       "FAIL",
                              "PASS%",   "NONE",     "QUARANTINE", "REJECT"};

std::string section(const std::string& title, const std::string& key_header,
                    const std::vector<rua::SummaryRow>& rows) {
    Row header = {key_header};
    header.insert(header.end(), k_number_headers.begin(), k_number_headers.end());
    std::vector<Row> body;
    for (const auto& row : rows) {
        Row line = {row.key};
        const auto n = numbers(row);
        line.insert(line.end(), n.begin(), n.end());
        body.push_back(std::move(line));
    }
    std::vector<bool> right(header.size(), true);
    right[0] = false;
    return title + "\n" + render_table(header, body, right);
}

std::string as_table(const rua::DomainSummary& s) {
    std::string out = fmt::format("DMARC summary for {}, {}\n\n", s.domain,
                                  s.since ? "reports ending since " + format_time(*s.since)
                                          : std::string("all reports"));
    rua::SummaryRow total = s.total;
    total.key = "total";
    out += section("TOTAL", "", {total});
    out += "\n" + section("BY REPORTER", "REPORTER", s.by_reporter);
    out += "\n" + section("BY SOURCE", "SOURCE IP", s.by_source);
    return out;
}

std::string json_numbers(const rua::SummaryRow& row) {
    const auto pct = percent(row.pass, row.messages);
    return fmt::format("\"reports\":{},\"messages\":{},\"pass\":{},\"fail\":{},"
                       "\"pass_percent\":{},\"none\":{},\"quarantine\":{},\"reject\":{}",
                       row.reports, row.messages, row.pass, row.fail, pct == "-" ? "null" : pct,
                       row.none, row.quarantine, row.reject);
}

std::string json_list(const std::vector<rua::SummaryRow>& rows, const char* key) {
    std::vector<std::string> items;
    items.reserve(rows.size());
    for (const auto& row : rows) {
        items.push_back(
            fmt::format("{{\"{}\":{},{}}}", key, rua::json_quote(row.key), json_numbers(row)));
    }
    return fmt::format("[{}]", fmt::join(items, ","));
}

std::string as_json(const rua::DomainSummary& s) {
    return fmt::format(
        "{{\"domain\":{},\"since\":{},\"total\":{{{}}},\"by_reporter\":{},\"by_source\":{}}}\n",
        rua::json_quote(s.domain), s.since ? rua::json_quote(format_time(*s.since)) : "null",
        json_numbers(s.total), json_list(s.by_reporter, "reporter"),
        json_list(s.by_source, "source_ip"));
}

std::string csv_line(const std::string& kind, const rua::SummaryRow& row) {
    const auto n = numbers(row);
    return fmt::format("{},{},{}\n", kind, csv_field(row.key), fmt::join(n, ","));
}

std::string as_csv(const rua::DomainSummary& s) {
    std::string out =
        "section,key,reports,messages,pass,fail,pass_percent,none,quarantine,reject\n";
    out += csv_line("total", s.total);
    for (const auto& row : s.by_reporter) {
        out += csv_line("reporter", row);
    }
    for (const auto& row : s.by_source) {
        out += csv_line("source", row);
    }
    return out;
}

} // namespace

int cmd_summary(const std::string& name, const Argv& argv) {
    Args args(name, argv,
              {{"--domain", true, false}, {"--since", true, false}, {"--format", true, false}});
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
    Session session(args);
    const auto summary = session.admin().summary(*domain, since);
    const auto text = format == "json"  ? as_json(summary)
                      : format == "csv" ? as_csv(summary)
                                        : as_table(summary);
    write_stdout(text);
    return k_exit_ok;
}

} // namespace ruactl
