// `ruactl conflicts list`: the conflicting copies the store kept beside the
// first stored copy of a report (same exactly-once key, other content), as a
// table, CSV or JSON. Thin over rua::Admin::conflicts; sender-chosen text
// (the key, the rua, the file) is made printable in tables and CSV and
// quoted in JSON, never printed raw.
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/json.hpp>

#include <algorithm>

namespace ruactl {

namespace {

std::string where_from(const rua::ConflictEntry& entry) {
    if (entry.file) {
        return *entry.file;
    }
    return entry.queue_id ? *entry.queue_id : std::string("-");
}

std::string raw_id(const rua::ConflictEntry& entry) {
    return entry.raw_report_id ? std::to_string(*entry.raw_report_id) : std::string("-");
}

Row cells(const rua::ConflictEntry& e) {
    return {std::to_string(e.id),
            format_time(e.received_at),
            e.kind,
            e.report_key,
            std::to_string(e.stored_report_id),
            e.fingerprint,
            raw_id(e),
            e.via,
            e.rua.value_or("-"),
            where_from(e),
            e.resolution.value_or("open")};
}

const Row k_header = {"ID",  "RECEIVED", "KIND", "KEY",  "STORED",    "FINGERPRINT",
                      "RAW", "VIA",      "RUA",  "FROM", "RESOLUTION"};

std::string as_csv(const std::vector<rua::ConflictEntry>& entries) {
    std::string out = "id,received,kind,key,stored_report_id,fingerprint,raw_report_id,via,rua,"
                      "from,resolution\n";
    for (const auto& entry : entries) {
        std::vector<std::string> fields;
        for (const auto& cell : cells(entry)) {
            fields.push_back(csv_field(cell));
        }
        out += fmt::format("{}\n", fmt::join(fields, ","));
    }
    return out;
}

std::string opt_json(const rua::OptString& value) {
    return value ? rua::json_quote(*value) : std::string("null");
}

std::string as_json(const std::vector<rua::ConflictEntry>& entries) {
    std::string out = "[";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        // report_key is JSON from the database (jsonb output escapes
        // control characters), embedded as an object.
        out += fmt::format(
            R"({}{{"id":{},"received":{},"kind":{},"key":{},"stored_report_id":{},)"
            R"("fingerprint":{},"raw_report_id":{},"via":{},"rua":{},"file":{},"queue_id":{},)"
            R"("resolution":{}}})",
            i > 0 ? "," : "", e.id, rua::json_quote(format_time(e.received_at)),
            rua::json_quote(e.kind), e.report_key, e.stored_report_id,
            rua::json_quote(e.fingerprint),
            e.raw_report_id ? std::to_string(*e.raw_report_id) : std::string("null"),
            rua::json_quote(e.via), opt_json(e.rua), opt_json(e.file), opt_json(e.queue_id),
            opt_json(e.resolution));
    }
    out += "]\n";
    return out;
}

} // namespace

int cmd_conflicts_list(const std::string& name, const Argv& argv) {
    Args args(name, argv,
              {{"--kind", true, false}, {"--format", true, false}, {"--limit", true, false}});
    args.expect_operands(0, 0, "");
    const auto format = args.value("--format").value_or("table");
    if (format != "table" && format != "json" && format != "csv") {
        throw UsageError(
            fmt::format("{}: invalid --format '{}' (table, json or csv)", name, format));
    }
    const auto kind = args.value("--kind");
    if (kind) {
        const auto known = rua::Admin::kinds();
        if (std::find(known.begin(), known.end(), *kind) == known.end()) {
            throw UsageError(fmt::format("{}: unknown --kind '{}' ({})", name,
                                         printable_cell(*kind), fmt::join(known, ", ")));
        }
    }
    std::size_t limit = 1000;
    if (auto text = args.value("--limit")) {
        limit = static_cast<std::size_t>(parse_count("--limit", *text, 1'000'000));
    }
    Session session(args);
    const auto entries =
        session.admin().conflicts(kind ? std::optional<std::string>(*kind) : std::nullopt, limit);
    if (format == "json") {
        write_stdout(as_json(entries));
    } else if (format == "csv") {
        write_stdout(as_csv(entries));
    } else if (entries.empty()) {
        write_stdout("no conflicts\n");
    } else {
        std::vector<Row> rows;
        rows.reserve(entries.size());
        for (const auto& entry : entries) {
            rows.push_back(cells(entry));
        }
        write_stdout(render_table(k_header, rows, {true, false, false, false, true}));
    }
    return k_exit_ok;
}

} // namespace ruactl
