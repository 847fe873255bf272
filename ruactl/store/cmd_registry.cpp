// `ruactl account|domain|rua ...`: the registry the milter checks at RCPT
// time. Thin: parse the words, call rua::Admin, print one line or a table.
// Never builds SQL (core/src/store/admin_registry.cpp does).
#include "cli.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"

#include <rua/address.hpp>

namespace ruactl {

namespace {

// The address as the registry keeps it (what the command just acted on).
std::string normal_address(const std::string& raw) {
    return rua::normalize_address(raw).value_or(raw);
}

void print(const std::string& text) {
    write_stdout(text);
}

std::string join(const std::vector<std::string>& items, std::string_view empty) {
    if (items.empty()) {
        return std::string(empty);
    }
    return fmt::format("{}", fmt::join(items, ","));
}

} // namespace

int cmd_account_add(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(1, 1, "account NAME");
    Session session(args);
    session.admin().add_account(args.operands()[0]);
    print(fmt::format("account \"{}\" added\n", args.operands()[0]));
    return k_exit_ok;
}

int cmd_account_list(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(0, 0, "");
    Session session(args);
    std::vector<Row> rows;
    for (const auto& account : session.admin().accounts()) {
        rows.push_back(
            {account.name, join(account.domains, "*"), std::to_string(account.rua_count)});
    }
    print(render_table({"ACCOUNT", "DOMAINS", "RUAS"}, rows, {false, false, true}));
    return k_exit_ok;
}

int cmd_domain_add(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--account", true, false}});
    args.expect_operands(1, 1, "DOMAIN");
    const auto account = args.value("--account");
    if (!account) {
        throw UsageError(fmt::format("{}: missing --account NAME", name));
    }
    Session session(args);
    session.admin().add_domain(args.operands()[0], *account);
    print(fmt::format("domain {} added to account \"{}\"\n", args.operands()[0], *account));
    return k_exit_ok;
}

int cmd_domain_remove(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--account", true, false}});
    args.expect_operands(1, 1, "DOMAIN");
    Session session(args);
    const auto left =
        session.admin().remove_domain(args.operands()[0], args.value("--account").value_or(""));
    print(fmt::format("domain {} removed\n", args.operands()[0]));
    if (left == 0) {
        complain("warning: the account now lists no domain: it accepts reports for any domain");
    }
    return k_exit_ok;
}

int cmd_rua_add(const std::string& name, const Argv& argv) {
    Args args(name, argv, {{"--account", true, false}, {"--domain", true, true}});
    args.expect_operands(1, 1, "rua ADDRESS");
    Session session(args);
    const auto account = session.admin().add_rua(
        args.operands()[0], args.value("--account").value_or(""), args.values("--domain"));
    print(fmt::format("rua {} added to account \"{}\"\n", normal_address(args.operands()[0]),
                      account));
    return k_exit_ok;
}

int cmd_rua_list(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(0, 0, "");
    Session session(args);
    std::vector<Row> rows;
    for (const auto& entry : session.admin().ruas()) {
        rows.push_back(
            {entry.address, entry.account, entry.active ? "yes" : "no", join(entry.domains, "*")});
    }
    print(render_table({"ADDRESS", "ACCOUNT", "ACTIVE", "DOMAINS"}, rows, {}));
    return k_exit_ok;
}

int cmd_rua_remove(const std::string& name, const Argv& argv) {
    Args args(name, argv, {});
    args.expect_operands(1, 1, "rua ADDRESS");
    Session session(args);
    session.admin().remove_rua(args.operands()[0]);
    print(fmt::format("rua {} removed\n", normal_address(args.operands()[0])));
    return k_exit_ok;
}

namespace {

int set_active(const std::string& name, const Argv& argv, bool active) {
    Args args(name, argv, {});
    args.expect_operands(1, 1, "rua ADDRESS");
    Session session(args);
    session.admin().set_rua_active(args.operands()[0], active);
    print(fmt::format("rua {} {}\n", normal_address(args.operands()[0]),
                      active ? "enabled" : "disabled"));
    return k_exit_ok;
}

} // namespace

int cmd_rua_disable(const std::string& name, const Argv& argv) {
    return set_active(name, argv, false);
}

int cmd_rua_enable(const std::string& name, const Argv& argv) {
    return set_active(name, argv, true);
}

} // namespace ruactl
