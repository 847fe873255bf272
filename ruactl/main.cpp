// ruactl's main: reads the global options and the command words, prints the
// manual pages, dispatches to the command, and maps what escapes a command
// to an exit status (sysexits for the database's setup and outages) with
// one line on standard error (redacted). No command logic here.
#include "cli.hpp"
#include "commands.hpp"
#include "help.hpp"
#include "output.hpp"

#include <rua/errors.hpp>

#include <algorithm>
#include <string>
#include <vector>

#ifndef RUA_VERSION
#define RUA_VERSION "unknown"
#endif

namespace ruactl {

namespace {

struct Command {
    const char* group;
    const char* sub; // nullptr: a command of one word
    int (*run)(const std::string&, const Argv&);
};

const std::vector<Command>& commands() {
    static const std::vector<Command> k_commands = {
        {"parse", nullptr, cmd_parse},
        {"db", "migrate", cmd_db_migrate},
        {"db", "status", cmd_db_status},
        {"account", "add", cmd_account_add},
        {"account", "list", cmd_account_list},
        {"domain", "add", cmd_domain_add},
        {"domain", "remove", cmd_domain_remove},
        {"rua", "add", cmd_rua_add},
        {"rua", "list", cmd_rua_list},
        {"rua", "remove", cmd_rua_remove},
        {"rua", "disable", cmd_rua_disable},
        {"rua", "enable", cmd_rua_enable},
        {"import", nullptr, cmd_import},
        {"fetch", nullptr, cmd_fetch},
        {"quarantine", "list", cmd_quarantine_list},
        {"quarantine", "show", cmd_quarantine_show},
        {"quarantine", "reprocess", cmd_quarantine_reprocess},
        {"quarantine", "purge", cmd_quarantine_purge},
        {"summary", nullptr, cmd_summary},
        {"conflicts", "list", cmd_conflicts_list},
        {"retention", "apply", cmd_retention_apply},
        {"rollup", "fold", cmd_rollup_fold},
        {"token", "add", cmd_token_add},
        {"token", "list", cmd_token_list},
        {"token", "revoke", cmd_token_revoke},
        {"authz", "records", cmd_authz_records},
        {"authz", "check", cmd_authz_check},
        {"enrich", nullptr, cmd_enrich},
        {"provider", "load", cmd_provider_load},
        {"provider", "add", cmd_provider_add},
        {"provider", "remove", cmd_provider_remove},
        {"source", "approve", cmd_source_approve},
        {"source", "unapprove", cmd_source_unapprove},
        {"source", "list", cmd_source_list},
        {"alert", "add", cmd_alert_add},
        {"alert", "list", cmd_alert_list},
        {"alert", "remove", cmd_alert_remove},
        {"alerts", "run", cmd_alerts_run},
        {"alerts", "list", cmd_alerts_list},
    };
    return k_commands;
}

int print_page(std::string_view topic) {
    const auto page = help_page(topic);
    if (!page) {
        throw UsageError(fmt::format("help: no command '{}'", topic));
    }
    write_stdout(*page);
    return k_exit_ok;
}

int print_version() {
    write_stdout(fmt::format("ruactl (rua-milter) {}\n", RUA_VERSION));
    return k_exit_ok;
}

bool wants_help(const Argv& argv) {
    for (const auto& arg : argv) {
        if (arg == "--") {
            return false;
        }
        if (arg == "--help" || arg == "-h") {
            return true;
        }
    }
    return false;
}

std::string subcommands_of(std::string_view group) {
    std::string out;
    for (const auto& c : commands()) {
        if (c.sub != nullptr && group == c.group) {
            out += out.empty() ? "" : ", ";
            out += c.sub;
        }
    }
    return out;
}

int dispatch(const Argv& all, std::string& topic) {
    // Global options before the command word are handed on to the command.
    Argv globals;
    std::size_t i = 0;
    for (; i < all.size() && !all[i].empty() && all[i][0] == '-'; ++i) {
        const auto& arg = all[i];
        if (arg == "--version" || arg == "-V") {
            return print_version();
        }
        if (arg == "--help" || arg == "-h") {
            return print_page("");
        }
        if (arg == "--database" || arg == "--sql-dir") {
            if (i + 1 >= all.size()) {
                throw UsageError(fmt::format("option '{}' needs a value", arg));
            }
            globals.push_back(arg);
            globals.push_back(all[++i]);
        } else if (arg.rfind("--database=", 0) == 0 || arg.rfind("--sql-dir=", 0) == 0) {
            globals.push_back(arg);
        } else {
            throw UsageError(fmt::format("unknown option '{}'", arg));
        }
    }
    if (i >= all.size()) {
        throw UsageError("missing command");
    }
    const std::string& group = all[i++];
    if (group == "version") {
        const Argv rest(all.begin() + static_cast<std::ptrdiff_t>(i), all.end());
        topic = group;
        return wants_help(rest) ? print_page(group) : print_version();
    }
    if (group == "help") {
        const std::string wanted = i < all.size() ? all[i] : "";
        return print_page(wanted == "--help" || wanted == "-h" ? "help" : wanted);
    }
    const bool known = std::any_of(commands().begin(), commands().end(),
                                   [&](const Command& c) { return group == c.group; });
    if (!known) {
        throw UsageError(fmt::format("unknown command '{}'", group));
    }
    topic = group;
    Argv rest(all.begin() + static_cast<std::ptrdiff_t>(i), all.end());
    if (wants_help(rest)) {
        return print_page(group);
    }
    std::string name = group;
    const char* sub = nullptr;
    if (!subcommands_of(group).empty()) {
        if (rest.empty() || rest[0].empty() || rest[0][0] == '-') {
            throw UsageError(
                fmt::format("{}: missing subcommand ({})", group, subcommands_of(group)));
        }
        name += " " + rest[0];
        for (const auto& c : commands()) {
            if (c.sub != nullptr && group == c.group && rest[0] == c.sub) {
                sub = c.sub;
            }
        }
        if (sub == nullptr) {
            throw UsageError(fmt::format("{}: unknown subcommand '{}' ({})", group, rest[0],
                                         subcommands_of(group)));
        }
        rest.erase(rest.begin());
    }
    rest.insert(rest.begin(), globals.begin(), globals.end());
    for (const auto& c : commands()) {
        if (group == c.group &&
            ((sub == nullptr && c.sub == nullptr) ||
             (sub != nullptr && c.sub != nullptr && sub == std::string(c.sub)))) {
            return c.run(name, rest);
        }
    }
    throw UsageError(fmt::format("unknown command '{}'", name));
}

} // namespace

} // namespace ruactl

int main(int argc, char** argv) {
    using namespace ruactl;
    save_arguments(argc, argv);
    const Argv all(argv + 1, argv + argc);
    std::string topic;
    try {
        return dispatch(all, topic);
    } catch (const UsageError& e) {
        complain("{} ({})", e.what(), usage_hint(topic));
        return k_exit_usage;
    } catch (const rua::TryLater& e) {
        complain("try again later: {}", e.what());
        return k_exit_tempfail;
    } catch (const rua::ConfigError& e) {
        // Waiting will not help: the connection string, the login, the
        // database or its schema must be put right first.
        complain("{}", e.what());
        return k_exit_config;
    } catch (const rua::Error& e) {
        complain("{}", e.what());
        return k_exit_failure;
    } catch (const std::exception& e) {
        complain("internal error: {}", e.what());
        return k_exit_failure;
    }
}
