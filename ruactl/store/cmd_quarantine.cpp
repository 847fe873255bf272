// `ruactl quarantine list|show|reprocess|purge`: the operator's view of the
// messages that yielded no storable report. Thin over rua::Admin; --raw
// writes the stored bytes unchanged and nothing else to standard output.
#include "cli.hpp"
#include "commands.hpp"
#include "limits_options.hpp"
#include "output.hpp"
#include "session.hpp"

#include <limits>

namespace ruactl {

namespace {

void print(const std::string& text) {
    write_stdout(text);
}

std::int64_t parse_id(const std::string& command, const std::string& text) {
    return static_cast<std::int64_t>(
        parse_count(command + ": ID", text,
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
}

std::vector<std::int64_t> parse_ids(const Args& args) {
    std::vector<std::int64_t> ids;
    for (const auto& operand : args.operands()) {
        ids.push_back(parse_id(args.command(), operand));
    }
    return ids;
}

std::string where_from(const rua::QuarantineEntry& entry) {
    if (entry.file) {
        return *entry.file;
    }
    return entry.queue_id ? *entry.queue_id : std::string("-");
}

} // namespace

int cmd_quarantine_list(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--limit", true, false}, {"--all", false, false}});
    args.expect_operands(0, 0, "");
    std::size_t limit = 50;
    if (auto text = args.value("--limit")) {
        limit = static_cast<std::size_t>(parse_count("--limit", *text, 1'000'000));
    }
    Session session(args);
    std::vector<Row> rows;
    for (const auto& entry : session.admin().quarantine_list(limit, args.has("--all"))) {
        rows.push_back({std::to_string(entry.id), format_time(entry.received_at), entry.reason,
                        std::to_string(entry.size), entry.rua.value_or("-"), where_from(entry),
                        entry.resolved_at ? "resolved" : entry.detail.value_or("")});
    }
    print(render_table({"ID", "RECEIVED", "REASON", "SIZE", "RUA", "FROM", "DETAIL"}, rows,
                       {true, false, false, true}));
    return k_exit_ok;
}

int cmd_quarantine_show(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--raw", false, false}});
    args.expect_operands(1, 1, "ID");
    const auto id = parse_id(name, args.operands()[0]);
    Session session(args);
    if (args.has("--raw")) {
        print(session.admin().quarantine_raw(id));
        flush_stdout();
        return k_exit_ok;
    }
    const auto entry = session.admin().quarantine_get(id);
    std::string ids;
    for (const auto report : entry.resolved_report_ids) {
        ids += (ids.empty() ? "" : ",") + std::to_string(report);
    }
    print(fmt::format("id:          {}\n"
                      "received:    {}\n"
                      "via:         {}\n"
                      "rua:         {}\n"
                      "file:        {}\n"
                      "queue id:    {}\n"
                      "size:        {}\n"
                      "reason:      {}\n"
                      "detail:      {}\n"
                      "resolved:    {}\n",
                      entry.id, format_time(entry.received_at), entry.via, entry.rua.value_or("-"),
                      entry.file.value_or("-"), entry.queue_id.value_or("-"), entry.size,
                      entry.reason, entry.detail.value_or("-"),
                      entry.resolved_at
                          ? fmt::format("{} (reports {})", format_time(*entry.resolved_at), ids)
                          : std::string("no")));
    return k_exit_ok;
}

int cmd_quarantine_reprocess(const std::string& name, const Argv& argv) {
    auto options = limit_options();
    options.push_back({"--all", false, false});
    Args args(name, argv, options);
    if (args.has("--all") == !args.operands().empty()) {
        throw UsageError(fmt::format("{}: give IDs or --all (not both)", name));
    }
    const auto ids = parse_ids(args);
    const auto limits = limits_from(args);
    Session session(args);
    const auto counts = session.admin().quarantine_reprocess(ids, limits, privacy_from(args));
    for (const auto& message : counts.messages) {
        complain("{}", message);
    }
    print(fmt::format("stored {}, duplicate {}, still failing {}, skipped {}\n", counts.stored,
                      counts.duplicate, counts.still_failing, counts.skipped));
    return k_exit_ok;
}

int cmd_quarantine_purge(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--before", true, false}});
    const auto before = args.value("--before");
    if (before.has_value() == !args.operands().empty()) {
        throw UsageError(fmt::format("{}: give --before AGE or IDs (not both)", name));
    }
    std::size_t purged = 0;
    if (before) {
        const auto age = parse_duration("--before", *before);
        Session session(args);
        purged = session.admin().quarantine_purge_older(age);
    } else {
        const auto ids = parse_ids(args);
        Session session(args);
        purged = session.admin().quarantine_purge_ids(ids);
    }
    print(fmt::format("purged {}\n", purged));
    return k_exit_ok;
}

} // namespace ruactl
