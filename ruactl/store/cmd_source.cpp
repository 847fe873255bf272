// `ruactl provider load|add|remove` and `ruactl source approve|unapprove|list`:
// the provider map (sql/0016 provider_map) and the sources a domain owner
// approves. Thin: words in, rua::Sources or the query layer, lines out.
// Sender-chosen text (PTR names, AS names) goes through render_table.
#include "cli.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/address.hpp>
#include <rua/enrich.hpp>
#include <rua/errors.hpp>
#include <rua/query.hpp>

#include <fstream>
#include <sstream>
#include <variant>

namespace ruactl {

namespace {

std::string cell_text(const rua::query::Cell& cell) {
    if (std::holds_alternative<std::monostate>(cell)) {
        return "-";
    }
    if (const auto* b = std::get_if<bool>(&cell)) {
        return *b ? "yes" : "no";
    }
    if (const auto* i = std::get_if<std::int64_t>(&cell)) {
        return std::to_string(*i);
    }
    if (const auto* s = std::get_if<std::string>(&cell)) {
        return *s;
    }
    return "?";
}

std::string domain_operand(const std::string& name, const std::string& text) {
    const auto domain = rua::normalize_domain(text);
    if (!domain) {
        throw UsageError(fmt::format("{}: not a domain: \"{}\"", name, printable_cell(text)));
    }
    return *domain;
}

} // namespace

int cmd_provider_load(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(0, 1, "[FILE]");
    const std::string file =
        args.operands().empty() ? rua::default_provider_file() : args.operands()[0];
    const auto entries = rua::parse_provider_file(read_setup_file(file), file);
    Session session(args);
    const auto rows = rua::Sources(session.pool()).load_providers(entries);
    write_stdout(fmt::format("loaded {} shipped provider rows from {}\n", rows, file));
    return k_exit_ok;
}

int cmd_provider_add(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(4, 4, "KIND DOMAIN PROVIDER TYPE");
    const auto& o = args.operands();
    if (o[0] != "ptr" && o[0] != "dkim" && o[0] != "spf") {
        throw UsageError(fmt::format("{}: KIND must be ptr, dkim or spf", name));
    }
    Session session(args);
    rua::Sources(session.pool()).add_provider(rua::ProviderEntry{o[0], o[1], o[2], o[3]});
    write_stdout(fmt::format("{} {} is {} ({})\n", o[0], printable_cell(o[1]), printable_cell(o[2]),
                             printable_cell(o[3])));
    return k_exit_ok;
}

int cmd_provider_remove(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(2, 2, "KIND DOMAIN");
    const auto& o = args.operands();
    Session session(args);
    const bool removed = rua::Sources(session.pool()).remove_provider(o[0], o[1]);
    write_stdout(fmt::format("{} {}: {}\n", o[0], printable_cell(o[1]),
                             removed ? "operator row removed" : "no operator row"));
    return k_exit_ok;
}

int cmd_source_approve(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--account", true, false}});
    args.expect_operands(2, 2, "DOMAIN PROVIDER|CIDR");
    const std::string domain = domain_operand(name, args.operands()[0]);
    Session session(args);
    const bool added =
        rua::Sources(session.pool()).approve(domain, args.operands()[1], args.value("--account"));
    write_stdout(fmt::format("{}: {} {}\n", domain, printable_cell(args.operands()[1]),
                             added ? "approved" : "was already approved"));
    return k_exit_ok;
}

int cmd_source_unapprove(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--account", true, false}});
    args.expect_operands(2, 2, "DOMAIN PROVIDER|CIDR");
    const std::string domain = domain_operand(name, args.operands()[0]);
    Session session(args);
    const bool removed =
        rua::Sources(session.pool()).unapprove(domain, args.operands()[1], args.value("--account"));
    write_stdout(fmt::format("{}: {} {}\n", domain, printable_cell(args.operands()[1]),
                             removed ? "no longer approved" : "was not approved"));
    return k_exit_ok;
}

int cmd_source_list(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--days", true, false}, {"--limit", true, false}});
    args.expect_operands(1, 1, "DOMAIN");
    const std::string domain = domain_operand(name, args.operands()[0]);
    const int days = static_cast<int>(
        args.value("--days") ? parse_count("--days", *args.value("--days"), 3660) : 30);
    const auto limit = static_cast<std::int64_t>(
        args.value("--limit") ? parse_count("--limit", *args.value("--limit"), 100000) : 1000);
    Session session(args);
    rua::query::Queries queries(session.pool(), 0);
    const auto table = queries.source_hosts(rua::query::Principal{}, domain, days, limit);
    std::vector<Row> rows;
    for (const auto& r : table.rows) {
        Row row;
        for (const auto& cell : r) {
            row.push_back(cell_text(cell));
        }
        rows.push_back(std::move(row));
    }
    write_stdout(render_table(
        {"SOURCE", "PTR", "CONFIRMED", "STATUS", "PROVIDER", "APPROVED", "MESSAGES", "FAILING",
         "ASN", "AS NAME", "COUNTRY"},
        rows, {false, false, false, false, false, false, true, true, true, false, false}));
    return k_exit_ok;
}

} // namespace ruactl
